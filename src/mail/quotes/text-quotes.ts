/** Quote trimming of plain-text bodies: the body's lines go through the shared decision of quote-cut.ts. */
import { findCut, type Line, type TrimmedText } from './quote-cut';

/** Lines of `text` and the offset where each starts (any of CRLF, LF, CR ends a line). */
function splitText(text: string): { lines: Line[]; starts: number[] } {
  const lines: Line[] = [];
  const starts: number[] = [];
  const breaks = /\r\n|\n|\r/g;
  let start = 0;
  for (;;) {
    const found = breaks.exec(text);
    const end = found ? found.index : text.length;
    const raw = text.slice(start, end);
    starts.push(start);
    lines.push({ text: raw.trim(), quote: /^\s*>/.test(raw), plainQuote: false, separator: false });
    if (!found) break;
    start = found.index + found[0].length;
  }
  return { lines, starts };
}

/** Splits a plain-text body into the new text and the quoted history. */
export function trimQuotedText(text: string): TrimmedText {
  const { lines, starts } = splitText(text);
  const cut = findCut(lines);
  if (cut === null) return { visible: text, quoted: null };
  const visible = text.slice(0, starts[cut]).trimEnd();
  if (visible.trim() === '') return { visible: text, quoted: null };
  // Blank lines at the cut belong to neither side.
  return { visible, quoted: text.slice(starts[cut]).replace(/^(?:[ \t]*(?:\r\n|\n|\r))+/, '') };
}
