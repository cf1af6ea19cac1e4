/**
 * Plain data that travels along the inbound road. Nothing here knows about Strapi or IMAP:
 * a step takes one of these and returns another, so each can be unit-tested with raw .eml files alone.
 */

export interface MailAddress {
  /** Lower-cased, trimmed address (`local@domain`). */
  address: string;
  /** Display name, decoded from RFC 2047; empty string when absent. */
  name: string;
}

/** One attachment spooled to a temporary file while the message was parsed, so memory stays flat. */
export interface SpooledAttachment {
  /** Decoded file name (RFC 2231 / 2047), made safe for a file system; never empty. */
  filename: string;
  contentType: string;
  /** Decoded size in bytes. */
  size: number;
  /** SHA-256 of the decoded content, hex. */
  sha256: string;
  /** Content-ID without angle brackets, or null; lets the HTML body's `cid:` references be resolved. */
  contentId: string | null;
  /** True for `Content-Disposition: inline` parts that the HTML body references. */
  inline: boolean;
  /** Absolute path of the temporary file holding the decoded content; the caller removes it. */
  tempPath: string;
}

export interface ParsedMail {
  /** Message-ID without angle brackets, lower-cased; null when the message has none. */
  messageId: string | null;
  /** In-Reply-To ids without angle brackets, lower-cased. */
  inReplyTo: string[];
  /** References ids without angle brackets, lower-cased, in header order. */
  references: string[];
  from: MailAddress | null;
  replyTo: MailAddress[];
  to: MailAddress[];
  cc: MailAddress[];
  /** Decoded subject; empty string when absent. Control characters (e.g. NUL) removed. */
  subject: string;
  date: Date | null;
  /** All headers, lower-cased names, values as decoded strings (repeated headers joined into an array). */
  headers: Record<string, string | string[]>;
  /** Plain-text body (from the text part, or derived from HTML when the mail is HTML only). */
  text: string;
  /** Sanitized HTML body, or null when the mail has no HTML part. */
  html: string | null;
  attachments: SpooledAttachment[];
  /** Problems that did not stop parsing (defective parts, undecodable charset); kept for the receipt. */
  warnings: string[];
  /**
   * Set when the HTML body was over the budget (see html-budget.ts) and is therefore not shown: why, in words an
   * agent reads on the message. `html` is then null and the original is an attachment. Optional so hand-built
   * mails in tests need not say it.
   */
  htmlNotice?: string | null;
  /**
   * The bodies split into new text and quoted history (src/mail/quotes/), computed with the parse (off the main thread,
   * see parse-worker.ts) so storing does no DOM work. Absent on mails not prepared that way.
   */
  trimmed?: { text: TrimmedParts; html: TrimmedParts | null };
  /**
   * The languages to answer in (headers, else the text's language; see language.ts), worked out in the worker too:
   * the detector's first load and its run must not happen on the main thread inside a batch's transaction.
   */
  languages?: string[];
}

/** Same shape as quote-cut.ts's `TrimmedText`, declared here so the mail type needs no import from the trimmer. */
export interface TrimmedParts {
  visible: string;
  quoted: string | null;
}
