/**
 * Reports (RFC 6522 multipart/report) and their parts: the report type named in Content-Type, and the part types that
 * mark a delivery report, a read receipt or what a report is not.
 */

export const DELIVERY_STATUS_TYPES = new Set(['message/delivery-status', 'message/global-delivery-status']);
/** RFC 8098 and its internationalised form (RFC 6533). */
export const DISPOSITION_NOTIFICATION_TYPES = new Set([
  'message/disposition-notification',
  'message/global-disposition-notification',
]);
/** Report types that name something other than a delivery report. */
export const KNOWN_NON_BOUNCE_REPORTS = new Set(['disposition-notification', 'feedback-report']);

/** `multipart/report; report-type="delivery-status"; boundary=...` → `delivery-status`; null for anything else. */
export function reportTypeOf(contentType: string | null): string | null {
  if (contentType === null) return null;
  if (!/^\s*multipart\/report\b/i.test(contentType)) return null;
  const match = /(?:^|;)\s*report-type\s*=\s*"?([\w.-]{1,64})/i.exec(contentType);
  return match ? match[1].toLowerCase() : 'unknown';
}
