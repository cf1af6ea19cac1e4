/**
 * The body of a parsed message: mailparser's text and HTML → the sanitized HTML and the text a ticket shows. HTML
 * over the budget (html-budget.ts) is not rendered: its text is derived linearly and the original goes to an
 * attachment. Kept apart so every rule about which text a ticket shows sits in one place.
 */
import { htmlToText } from 'html-to-text';
import type { MessageText } from 'mailparser';
import { htmlBudgetOf } from '../html-budget';
import { linearHtmlText } from '../html-text';
import { sanitizeMailHtml } from '../sanitize';
import { describe } from './parse-errors';

/** The text shown for HTML over the budget (see readBody): 1 MB is far more than anyone reads in a ticket. */
const MAX_FALLBACK_TEXT = 1024 * 1024;

export interface MailBody {
  html: string | null;
  text: string;
  /** Why the HTML is shown as text (over the budget), or null. */
  htmlNotice: string | null;
  /** The HTML as it came when it is over the budget, to be kept as original-message.html; otherwise null. */
  overBudgetHtml: string | null;
}

/**
 * The HTML (sanitized, or null) and the text of a message. `recoveredText` (see boundaryless-body.ts) replaces
 * mailparser's text when given; an empty text is derived from the HTML.
 */
export function readBody(
  content: MessageText | null,
  recoveredText: string | null,
  warn: (message: string) => void
): MailBody {
  let html: string | null = null;
  let text = '';
  let htmlNotice: string | null = null;
  let overBudgetHtml: string | null = null;
  if (content) {
    if (typeof content.html === 'string') {
      const source = content.html.replaceAll('\u0000', '');
      const budget = htmlBudgetOf(source);
      if (budget.withinBudget) html = sanitizeMailHtml(source);
      else {
        overBudgetHtml = source;
        htmlNotice = `The HTML body is ${budget.reason}: it is shown as plain text, and the original HTML is attached as original-message.html (download only, never displayed)`;
      }
    }
    text = typeof content.text === 'string' ? content.text : '';
    if (content.textConversionError && overBudgetHtml === null) {
      warn(`HTML could not be converted to text: ${describe(content.textConversionError)}`);
    }
  }
  if (recoveredText !== null) {
    text = recoveredText;
  }
  if (!text.trim() && html) {
    try {
      text = textFromHtml(html);
    } catch (err) {
      warn(`HTML could not be converted to text: ${describe(err)}`);
    }
  }
  if (!text.trim() && overBudgetHtml !== null) {
    text = linearHtmlText(overBudgetHtml);
    // The original is kept whole as the attachment; what the ticket shows (and the database row holds) is bounded:
    // a 17 MB text row made SQLite hold its one connection, and so the admin, for most of a second.
    if (text.length > MAX_FALLBACK_TEXT) {
      text = `${text.slice(0, MAX_FALLBACK_TEXT)}\n\n[… text cut at ${MAX_FALLBACK_TEXT} characters: the whole message is in original-message.html]`;
      htmlNotice += `; its text is cut at ${MAX_FALLBACK_TEXT} characters`;
      warn(`Text of the over-budget HTML cut at ${MAX_FALLBACK_TEXT} characters`);
    }
  }
  if (htmlNotice) warn(htmlNotice);
  if (text.includes('\u0000')) {
    // Databases (PostgreSQL) refuse NUL in text columns; it carries nothing readable anyway.
    text = text.replaceAll('\u0000', '');
    warn('NUL characters removed from the text body');
  }
  return { html, text, htmlNotice, overBudgetHtml };
}

/**
 * mailparser derives `text` from HTML only when the HTML part is the whole message or sits next to a text part; an
 * HTML part inside multipart/mixed or /related with no text sibling gets no text. For that case we use the same
 * converter mailparser uses. The input is our sanitized HTML (nesting already bounded), not the raw part.
 */
function textFromHtml(safeHtml: string): string {
  return htmlToText(safeHtml, { wordwrap: false, limits: { maxDepth: 1000 } });
}
