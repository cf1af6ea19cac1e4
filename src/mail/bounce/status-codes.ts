/**
 * SMTP status codes in delivery reports: enhanced codes (RFC 3463, "5.1.1") and basic reply codes ("550"), as a
 * report's fields or its text give them, and which of them say an address is gone for good.
 */

export const ENHANCED_STATUS = /^[245]\.\d{1,3}\.\d{1,3}$/;
/**
 * An enhanced status inside a line: at its start or after a blank, `#`, `(`, `;`, `:`, `=` or `-` (`550-5.7.26`), and
 * not followed by more of an IP address.
 */
export const ENHANCED_STATUS_IN_TEXT = /(?:^|[\s#(;:=-])([245]\.\d{1,3}\.\d{1,3})(?![\d.])/;
/** A basic SMTP reply code at the start of a line or after a blank/colon: `550 Unknown user`, `said: 421-...`. */
export const BASIC_SMTP_CODE_IN_TEXT = /(?:^|[\s:([])([45][0-5]\d)(?=[\s-]|$)/;

/** True for a status of class 5 ("5.1.1"): the address will not start working by itself. */
export function isPermanentStatus(status: string | null | undefined): boolean {
  if (typeof status !== 'string') return false;
  const trimmed = status.trim();
  return ENHANCED_STATUS.test(trimmed) && trimmed.startsWith('5.');
}

/**
 * The status a few report lines give, and the line that gave it: an enhanced code on any of them wins over a basic
 * SMTP code (qmail writes "said: 550 Unknown user" and "(#5.5.0)" on the next line).
 */
export function statusIn(lines: readonly string[]): { status: string; line: string } | null {
  for (const line of lines) {
    const enhanced = ENHANCED_STATUS_IN_TEXT.exec(line);
    if (enhanced) return { status: enhanced[1], line };
  }
  for (const line of lines) {
    // RFC 3463: X.0.0 is "other undefined status" of class X, what a DSN generator writes for a bare SMTP code.
    const basic = BASIC_SMTP_CODE_IN_TEXT.exec(line);
    if (basic) return { status: `${basic[1][0]}.0.0`, line };
  }
  return null;
}
