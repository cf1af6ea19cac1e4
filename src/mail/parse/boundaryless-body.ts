/**
 * The repair for `multipart/*` mail whose body has no boundary line (discourse/dutch.eml): without it the customer's
 * words would be lost, because mailparser then finds no part at all.
 */
import { MailParser } from 'mailparser';
import type { AttachmentStream, IconvConstructor, MessageText, StructuredHeader } from 'mailparser';

/**
 * A message declared `multipart/*` whose body holds no boundary line is not multipart at all:
 * mailparser then finds no part and returns no text, and the customer's words would be lost. Read
 * the body as one `text/plain` part instead (with the message's transfer encoding and, if given,
 * charset), through a second small MailParser so decoding works exactly as for any other part.
 * Returns null when this does not apply.
 */
export async function recoverBoundarylessBody(
  raw: Buffer,
  contentType: StructuredHeader,
  transferEncoding: string | undefined,
  Iconv: IconvConstructor
): Promise<string | null> {
  const latin1 = raw.toString('latin1');
  const headerEnd = /\r?\n\r?\n/.exec(latin1);
  if (!headerEnd) {
    return null;
  }
  const body = raw.subarray(headerEnd.index + headerEnd[0].length);
  const boundary = contentType.params.boundary;
  if (boundary) {
    const bodyText = body.toString('latin1');
    if (bodyText.startsWith('--' + boundary) || bodyText.includes('\n--' + boundary)) {
      return null; // real parts, just empty ones
    }
  }
  if (!body.toString('latin1').trim()) {
    return null;
  }
  const charset = (contentType.params.charset || 'utf-8').replace(/[^\w.:+-]/g, '');
  const encoding = (transferEncoding || '7bit').replace(/[^\w-]/g, '');
  const head = `Content-Type: text/plain; charset="${charset}"\r\nContent-Transfer-Encoding: ${encoding}\r\n\r\n`;
  const parser = new MailParser({ skipTextToHtml: true, skipImageLinks: true, checksumAlgo: false, Iconv });
  return new Promise<string | null>((resolve, reject) => {
    let text: string | null = null;
    parser.on('data', (data: AttachmentStream | MessageText) => {
      if (data.type === 'text') {
        text = data.text ?? null;
      } else {
        data.content.resume();
        data.release?.();
      }
    });
    parser.once('error', reject);
    parser.once('end', () => resolve(text));
    parser.end(Buffer.concat([Buffer.from(head, 'latin1'), body]));
  });
}
