/**
 * Receive: copy a message's raw source from the server to a temporary file while hashing it, so the rest of the
 * road can read it as often as it needs (parse, quarantine, reprocess) without holding it in memory.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { measuringStream } from '../mail/measure-stream';

export interface SpooledRaw {
  path: string;
  size: number;
  /** SHA-256 of the raw source, hex: the duplicate detector across UIDVALIDITY changes. */
  sha256: string;
}

let counter = 0;

/** `spoolDir` must exist: the importer creates it once per run rather than once per message. */
export async function spoolRawMessage(source: NodeJS.ReadableStream, spoolDir: string): Promise<SpooledRaw> {
  const filePath = path.join(spoolDir, `raw-${process.pid}-${Date.now()}-${++counter}.eml`);
  const measure = measuringStream();
  try {
    await pipeline(source, measure.stream, fs.createWriteStream(filePath, { flags: 'wx', mode: 0o600 }));
  } catch (error) {
    await fs.promises.rm(filePath, { force: true });
    throw error;
  }
  return { path: filePath, ...measure.result() };
}

export async function spoolBuffer(raw: Buffer, spoolDir: string): Promise<SpooledRaw> {
  await fs.promises.mkdir(spoolDir, { recursive: true });
  const filePath = path.join(spoolDir, `raw-${process.pid}-${Date.now()}-${++counter}.eml`);
  await fs.promises.writeFile(filePath, raw, { flag: 'wx', mode: 0o600 });
  return { path: filePath, size: raw.length, sha256: crypto.createHash('sha256').update(raw).digest('hex') };
}

export async function removeSpooled(file: { path: string } | null | undefined): Promise<void> {
  if (file) await fs.promises.rm(file.path, { force: true });
}
