/**
 * A real SMTP server (nodemailer's smtp-server) on a free loopback port that captures everything the plugin sends,
 * and can be told to refuse the next messages with a given reply code (a server that refuses, then accepts).
 * No vitest imports: scripts can use it too.
 */
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface CapturedMail {
  envelopeFrom: string;
  envelopeTo: string[];
  raw: string;
  parsed: ParsedMail;
  /** Lower-cased header name → first value as text. */
  header(name: string): string | undefined;
}

export interface SmtpSink {
  host: '127.0.0.1';
  port: number;
  mails: CapturedMail[];
  /** Hold the answer to the next message's DATA until `release()` (to crash a sender mid-delivery). */
  holdNext(): { received: Promise<void>; release(): void };
  /** Refuse the next `count` messages at DATA with this code (4xx temporary, 5xx permanent). */
  refuseNext(count: number, code?: number, message?: string): void;
  /** Mails sent to an address (envelope recipient), in arrival order. */
  to(address: string): CapturedMail[];
  waitFor(predicate: (mails: CapturedMail[]) => boolean, timeoutMs?: number): Promise<CapturedMail[]>;
  clear(): void;
  stop(): Promise<void>;
}

function headerText(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return headerText(value[0]);
  if (typeof value === 'object' && 'text' in (value as object))
    return String((value as { text: unknown }).text);
  if (typeof value === 'object' && 'value' in (value as object))
    return String((value as { value: unknown }).value);
  return String(value);
}

export async function startSmtpSink(): Promise<SmtpSink> {
  const mails: CapturedMail[] = [];
  let refusals: Array<{ code: number; message: string }> = [];
  let hold: { gate: Promise<void>; received: () => void } | null = null;

  const closedSessions = new Set<string>();
  const server = new SMTPServer({
    authOptional: true,
    onClose(session) {
      closedSessions.add(session.id);
    },
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', async () => {
        if (hold) {
          const { gate, received } = hold;
          hold = null;
          received();
          await gate;
          // The client went away before hearing "250 OK": like a careful server, deliver nothing.
          if (closedSessions.has(session.id)) return;
        }
        const refusal = refusals.shift();
        if (refusal) {
          const error = new Error(refusal.message) as Error & { responseCode: number };
          error.responseCode = refusal.code;
          callback(error);
          return;
        }
        const raw = Buffer.concat(chunks).toString('utf8');
        simpleParser(raw).then(
          (parsed) => {
            mails.push({
              envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              envelopeTo: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
              raw,
              parsed,
              header: (name) => headerText(parsed.headers.get(name.toLowerCase())),
            });
            callback();
          },
          (error: Error) => callback(error)
        );
      });
    },
  });
  // A client killed mid-session (the instances test SIGKILLs a sender) resets its socket: not the sink's failure.
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as AddressInfo).port;

  return {
    host: '127.0.0.1',
    port,
    mails,
    holdNext() {
      let release: () => void = () => undefined;
      let received: () => void = () => undefined;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const receivedPromise = new Promise<void>((resolve) => (received = resolve));
      hold = { gate, received };
      return { received: receivedPromise, release };
    },
    refuseNext(count, code = 451, message = 'Try again later') {
      refusals = Array.from({ length: count }, () => ({ code, message }));
    },
    to(address) {
      return mails.filter((mail) => mail.envelopeTo.includes(address.toLowerCase()));
    },
    async waitFor(predicate, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(mails)) {
        if (Date.now() > deadline) {
          throw new Error(
            `SMTP sink: condition not met within ${timeoutMs} ms; captured ${mails.length} mail(s): ` +
              mails.map((m) => `${m.envelopeTo.join(',')}: ${m.parsed.subject}`).join(' | ')
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return mails;
    },
    clear() {
      mails.length = 0;
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
