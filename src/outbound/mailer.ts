/**
 * The sending seam: one pooled nodemailer SMTP transport per mailbox. Knows nodemailer, not Strapi. File and URL
 * access are disabled, so nothing in a message can make nodemailer read a local file or fetch a URL.
 */
import crypto from 'node:crypto';
import nodemailer, { type SendMailOptions, type Transporter } from 'nodemailer';
import type { Security } from '../../contracts/mailbox';
import { boundedReferences, clipName, clipSubject, isReferableId } from './header-limits';

export interface SmtpSettings {
  host: string;
  port: number;
  security: Security;
  username: string | null;
  password: string | null;
  timeoutMs: number;
}

export interface OutgoingMail {
  from: { name: string | null; address: string };
  to: string;
  replyTo: string | null;
  subject: string;
  text: string;
  html: string | null;
  /** Without angle brackets. */
  messageId: string;
  inReplyTo: string | null;
  references: string[];
  headers: Record<string, string>;
  /** SMTP MAIL FROM, where bounces go (a VERP address); the From address when absent. */
  envelopeFrom?: string;
}

export type SendResult = { ok: true; response: string } | { ok: false; permanent: boolean; response: string };

interface SmtpError {
  message?: string;
  code?: string;
  responseCode?: number;
  response?: string;
}

/** 5xx answers to the envelope or the message are final; everything else (4xx, network, auth) is worth a retry. */
export function classifySmtpFailure(error: unknown): { permanent: boolean; response: string } {
  const e = (error ?? {}) as SmtpError;
  const response = (e.response || e.message || String(error)).trim();
  const permanent =
    typeof e.responseCode === 'number' &&
    e.responseCode >= 500 &&
    e.responseCode < 600 &&
    (e.code === 'EENVELOPE' || e.code === 'EMESSAGE');
  return { permanent, response };
}

function bracket(id: string): string {
  return `<${id}>`;
}

/**
 * The nodemailer message for a mail. The header values are bounded again here (see header-limits.ts), because
 * rows queued before the limits existed, and any future caller, reach the wire through this one function.
 */
export function messageOptions(mail: OutgoingMail): SendMailOptions {
  const references = boundedReferences(mail.references, null);
  return {
    from: { name: clipName(mail.from.name) ?? '', address: mail.from.address },
    to: mail.to,
    replyTo: mail.replyTo ?? undefined,
    subject: clipSubject(mail.subject),
    text: mail.text,
    html: mail.html ?? undefined,
    messageId: bracket(mail.messageId),
    inReplyTo: isReferableId(mail.inReplyTo) ? bracket(mail.inReplyTo) : undefined,
    references: references.length > 0 ? references.map(bracket).join(' ') : undefined,
    headers: mail.headers,
    envelope: mail.envelopeFrom ? { from: mail.envelopeFrom, to: [mail.to] } : undefined,
    disableFileAccess: true,
    disableUrlAccess: true,
  };
}

export class Mailer {
  private readonly transports = new Map<string, { fingerprint: string; transport: Transporter }>();

  private transportFor(key: string, settings: SmtpSettings): Transporter {
    const fingerprint = crypto.createHash('sha256').update(JSON.stringify(settings)).digest('hex');
    const cached = this.transports.get(key);
    if (cached && cached.fingerprint === fingerprint) return cached.transport;
    cached?.transport.close();
    const transport = nodemailer.createTransport({
      pool: true,
      maxConnections: 2,
      host: settings.host,
      port: settings.port,
      secure: settings.security === 'tls',
      requireTLS: settings.security === 'starttls',
      ignoreTLS: settings.security === 'none',
      auth: settings.username ? { user: settings.username, pass: settings.password ?? '' } : undefined,
      connectionTimeout: settings.timeoutMs,
      greetingTimeout: settings.timeoutMs,
      socketTimeout: Math.max(settings.timeoutMs, 60_000),
      disableFileAccess: true,
      disableUrlAccess: true,
    });
    this.transports.set(key, { fingerprint, transport });
    return transport;
  }

  async send(key: string, settings: SmtpSettings, mail: OutgoingMail): Promise<SendResult> {
    try {
      const info = await this.transportFor(key, settings).sendMail(messageOptions(mail));
      return { ok: true, response: String(info.response ?? 'accepted') };
    } catch (error) {
      return { ok: false, ...classifySmtpFailure(error) };
    }
  }

  close(): void {
    for (const { transport } of this.transports.values()) transport.close();
    this.transports.clear();
  }
}
