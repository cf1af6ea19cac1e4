/**
 * Charsets: raw 8-bit header bytes and text parts declared in a charset they are not in. mailparser decodes through
 * the class built here so that a body labelled wrongly (UTF-8 sent as "Big5") is still read, and header bytes that are
 * not UTF-8 keep every byte visible.
 */
import { Transform } from 'node:stream';
import type { TransformCallback } from 'node:stream';
import libmime from 'libmime';
import type { IconvConstructor } from 'mailparser';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

export function isValidUtf8(bytes: Uint8Array): boolean {
  try {
    strictUtf8.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/**
 * mailsplit hands header lines over as "binary" strings (one char per byte). Raw 8-bit headers are
 * usually UTF-8 (RFC 6532); when the bytes are not valid UTF-8 they are some legacy charset we cannot
 * know, and Latin-1 at least keeps every byte visible instead of turning it into U+FFFD.
 */
export function binaryToUnicode(value: string): string {
  // eslint-disable-next-line no-control-regex -- ASCII fast path
  if (/^[\u0000-\u007f]*$/.test(value)) {
    return value;
  }
  const bytes = Buffer.from(value, 'binary');
  return isValidUtf8(bytes) ? bytes.toString('utf8') : value;
}

/**
 * Builds the class mailparser's `Iconv` option expects (`new Iconv(from, to)` → stream). It decodes
 * exactly as mailparser would (libmime, iconv-lite), plus one repair taken from Discourse: when the
 * declared charset cannot decode the body (U+FFFD appears) but the bytes are valid UTF-8, the label
 * is wrong and the body is UTF-8 (discourse/chinese_reply.eml: "Big5" that is UTF-8). A body that
 * decodes cleanly in its declared charset is never second-guessed. mailparser itself routes UTF-7
 * (refused on purpose: `+ADw-script+AD4-`) to libmime without calling this, and does not decode
 * bodies declared as ASCII or UTF-8 at all.
 */
export function createBodyDecoder(warn: (message: string) => void): IconvConstructor {
  return class BodyDecoder extends Transform {
    private readonly chunks: Buffer[] = [];
    private readonly charset: string;

    constructor(fromCharset: string, _toCharset: string) {
      super();
      this.charset = fromCharset;
    }

    override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
      // Text parts are held in memory by mailparser anyway; we need all bytes to judge the charset.
      this.chunks.push(chunk);
      done();
    }

    override _flush(done: TransformCallback): void {
      const raw = Buffer.concat(this.chunks);
      const decoder = libmime.createDecodeStream(this.charset);
      if (!decoder.supported) {
        warn(`Unknown charset "${this.charset}" in a text part; decoded as UTF-8`);
      }
      const out: Buffer[] = [];
      decoder.on('data', (chunk: Buffer) => out.push(chunk));
      decoder.once('error', (err: Error) => done(err));
      decoder.once('end', () => {
        const decoded = Buffer.concat(out);
        if (decoder.supported && decoded.toString('utf8').includes('\ufffd') && isValidUtf8(raw)) {
          warn(`Text part declared as "${this.charset}" is UTF-8; decoded as UTF-8`);
          done(null, raw);
          return;
        }
        done(null, decoded);
      });
      decoder.end(raw);
    }
  };
}
