/** A pass-through stream that counts bytes and computes their SHA-256 on the way to a file. */
import { createHash } from 'node:crypto';
import { Transform } from 'node:stream';

export interface MeasuringStream {
  stream: Transform;
  /** Valid once the stream has ended. */
  result(): { size: number; sha256: string };
}

export function measuringStream(): MeasuringStream {
  const hash = createHash('sha256');
  let size = 0;
  let digest: string | null = null;
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      size += chunk.length;
      done(null, chunk);
    },
  });
  return {
    stream,
    result() {
      digest ??= hash.digest('hex');
      return { size, sha256: digest };
    },
  };
}
