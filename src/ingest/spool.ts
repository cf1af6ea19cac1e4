/**
 * Receive: copy a message's raw source from the server to a temporary file while hashing it, so the rest of the
 * road can read it as often as it needs (parse, quarantine, reprocess) without holding it in memory.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export interface SpooledRaw {
  path: string;
  size: number;
  /** SHA-256 of the raw source, hex: the duplicate detector across UIDVALIDITY changes. */
  sha256: string;
}

let counter = 0;

export async function spoolRawMessage(source: NodeJS.ReadableStream, spoolDir: string): Promise<SpooledRaw> {
  await fs.promises.mkdir(spoolDir, { recursive: true });
  const filePath = path.join(spoolDir, `raw-${process.pid}-${Date.now()}-${++counter}.eml`);
  const hash = crypto.createHash('sha256');
  let size = 0;
  const measure = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      size += chunk.length;
      callback(null, chunk);
    },
  });
  try {
    await pipeline(source, measure, fs.createWriteStream(filePath));
  } catch (error) {
    await fs.promises.rm(filePath, { force: true });
    throw error;
  }
  return { path: filePath, size, sha256: hash.digest('hex') };
}

export async function spoolBuffer(raw: Buffer, spoolDir: string): Promise<SpooledRaw> {
  await fs.promises.mkdir(spoolDir, { recursive: true });
  const filePath = path.join(spoolDir, `raw-${process.pid}-${Date.now()}-${++counter}.eml`);
  await fs.promises.writeFile(filePath, raw);
  return { path: filePath, size: raw.length, sha256: crypto.createHash('sha256').update(raw).digest('hex') };
}

export async function removeSpooled(file: { path: string } | null | undefined): Promise<void> {
  if (file) await fs.promises.rm(file.path, { force: true });
}
