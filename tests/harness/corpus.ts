/**
 * The shared real-world mail corpus: its location (EMAIL_PIPING_CORPUS, default ../shared/corpus beside the
 * repository) and its MANIFEST.tsv rows. The corpus README says to iterate the manifest, not the file names.
 */
import fs from 'node:fs';
import path from 'node:path';

export const corpusDir =
  process.env.EMAIL_PIPING_CORPUS ?? path.resolve(__dirname, '..', '..', '..', 'shared', 'corpus');

export interface ManifestRow {
  localPath: string;
  category: string;
  note: string;
}

export function readManifest(): ManifestRow[] {
  const manifestPath = path.join(corpusDir, 'MANIFEST.tsv');
  if (!fs.existsSync(manifestPath)) {
    throw new Error(`Mail corpus not found at ${corpusDir}; set EMAIL_PIPING_CORPUS`);
  }
  const [header, ...lines] = fs.readFileSync(manifestPath, 'utf8').split('\n');
  const columns = header.split('\t');
  const at = (name: string) => columns.indexOf(name);
  return lines
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const cells = line.split('\t');
      return {
        localPath: cells[at('local_path')],
        category: cells[at('category')],
        note: cells[at('note')] ?? '',
      };
    });
}

export function corpusFile(localPath: string): string {
  return path.join(corpusDir, localPath);
}
