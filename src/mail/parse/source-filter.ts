/**
 * The stream between the raw message and mailparser: it repairs what mailparser would misread at the start of a
 * message and keeps a bounded copy for the boundary-less multipart repair (boundaryless-body.ts).
 */
import { Transform } from 'node:stream';
import type { TransformCallback } from 'node:stream';

/** How much of the raw message {@link SourceFilter} keeps for the boundary-less multipart repair. */
const RAW_CAPTURE_LIMIT = 1024 * 1024;

/**
 * Sits between the source and the parser:
 * - drops blank lines (and stray spaces) before the first header: mailparser reads a leading empty
 *   line as the end of an empty header block and turns the whole message into body text
 *   (discourse/hebrew.eml). An mbox `From ` separator line, on the other hand, mailsplit skips itself;
 * - keeps the first {@link RAW_CAPTURE_LIMIT} bytes, so that a multipart message whose body has no
 *   boundary lines at all (discourse/dutch.eml) can still be read as plain text afterwards, see
 *   {@link recoverBoundarylessBody}. Anything larger is not kept: memory stays bounded.
 */
export class SourceFilter extends Transform {
  started = false;
  private readonly captured: Buffer[] = [];
  private capturedBytes = 0;
  truncated = false;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    let data = chunk;
    if (!this.started) {
      let i = 0;
      while (
        i < data.length &&
        (data[i] === 0x0d || data[i] === 0x0a || data[i] === 0x20 || data[i] === 0x09)
      ) {
        i++;
      }
      if (i === data.length) {
        done();
        return;
      }
      this.started = true;
      data = i === 0 ? data : data.subarray(i);
    }
    if (!this.truncated) {
      if (this.capturedBytes + data.length <= RAW_CAPTURE_LIMIT) {
        this.captured.push(data);
        this.capturedBytes += data.length;
      } else {
        this.truncated = true;
        this.captured.length = 0;
        this.capturedBytes = 0;
      }
    }
    done(null, data);
  }

  /** The message as the parser saw it, or null when it was larger than the capture limit. */
  raw(): Buffer | null {
    return this.truncated ? null : Buffer.concat(this.captured, this.capturedBytes);
  }
}
