/**
 * The template language: reads a template's text into a tree of literal text, `{{placeholder}}` values and
 * `{{#if placeholder}}…{{/if}}` sections, noting every problem on the way (validate.ts reports them, render.ts
 * renders the tree). The language is deliberately tiny and never executes anything:
 * - `{{ticket.number}}` is replaced by a value from the context (whitespace inside the braces is allowed);
 * - `{{#if agent.name}}…{{/if}}` keeps its content only when the value is not empty (may be nested; a tag alone on
 *   its line takes the whole line with it, so optional lines leave no gaps).
 * Values are inserted once and never parsed again, so a customer who writes `{{site.name}}` in a subject gets
 * those characters back, not a substitution.
 */
import { PLACEHOLDERS, type Placeholder } from '../../../contracts/templates';

export type TemplateNode =
  | { kind: 'text'; text: string }
  | { kind: 'value'; name: string }
  | { kind: 'if'; name: string; children: TemplateNode[] };

export interface ParsedTemplateText {
  nodes: TemplateNode[];
  problems: string[];
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*$/;
const IF_OPEN = /^#if\s+(\S+)$/;
const IF_CLOSE = /^\/\s*if$/;
const KNOWN: ReadonlySet<string> = new Set(PLACEHOLDERS);

/** Reads one template text (a subject or a body); never throws: what it cannot read stays text and is a problem. */
export function parseTemplateText(source: string): ParsedTemplateText {
  const src = source.replace(/\r\n?/g, '\n');
  const root: TemplateNode[] = [];
  const open: Extract<TemplateNode, { kind: 'if' }>[] = [];
  const problems: string[] = [];
  const current = (): TemplateNode[] => (open.length > 0 ? open[open.length - 1].children : root);
  const pushText = (text: string) => {
    if (text !== '') current().push({ kind: 'text', text });
  };

  let i = 0;
  while (i < src.length) {
    const start = src.indexOf('{{', i);
    if (start === -1) {
      pushText(src.slice(i));
      break;
    }
    const end = src.indexOf('}}', start + 2);
    if (end === -1 || src.slice(start + 2, end).includes('{{')) {
      // A stray "{{": keep it as text (validation reports it) and look for tags after it.
      problems.push(`"{{" is not closed by "}}" near "${src.slice(start, start + 30).split('\n')[0]}"`);
      pushText(src.slice(i, start + 2));
      i = start + 2;
      continue;
    }

    const raw = src.slice(start, end + 2);
    const tag = src.slice(start + 2, end).trim();
    const ifOpen = IF_OPEN.exec(tag);
    const isSection = ifOpen !== null || IF_CLOSE.test(tag);

    let before = src.slice(i, start);
    let next = end + 2;
    if (isSection) {
      // A section tag alone on its line removes the whole line, so an optional line leaves no blank line behind.
      const lineStart = src.lastIndexOf('\n', start - 1) + 1;
      const newline = src.indexOf('\n', end + 2);
      const lineEnd = newline === -1 ? src.length : newline;
      if (
        lineStart >= i &&
        /^[ \t]*$/.test(src.slice(lineStart, start)) &&
        /^[ \t]*$/.test(src.slice(end + 2, lineEnd))
      ) {
        before = src.slice(i, lineStart);
        next = newline === -1 ? src.length : newline + 1;
      }
    }
    pushText(before);
    i = next;

    if (ifOpen) {
      const name = ifOpen[1];
      if (!KNOWN.has(name)) problems.push(unknownPlaceholder(name, raw));
      const node: Extract<TemplateNode, { kind: 'if' }> = { kind: 'if', name, children: [] };
      current().push(node);
      open.push(node);
    } else if (isSection) {
      if (open.length === 0) problems.push(`${raw} has no matching {{#if …}}`);
      else open.pop();
    } else if (NAME.test(tag)) {
      if (!KNOWN.has(tag)) problems.push(unknownPlaceholder(tag, raw));
      current().push({ kind: 'value', name: tag });
    } else {
      problems.push(
        `unsupported tag ${raw} (only {{placeholder}} and {{#if placeholder}}…{{/if}} are allowed)`
      );
    }
  }
  for (const node of open) problems.push(`{{#if ${node.name}}} is not closed by {{/if}}`);
  return { nodes: root, problems };
}

function unknownPlaceholder(name: string, raw: string): string {
  const suggestion = closestPlaceholder(name);
  return `unknown placeholder {{${name}}}${raw.includes('#if') ? ` in ${raw}` : ''}${
    suggestion ? ` (did you mean {{${suggestion}}}?)` : ''
  }`;
}

function closestPlaceholder(name: string): Placeholder | null {
  let best: Placeholder | null = null;
  let bestDistance = 3;
  for (const candidate of PLACEHOLDERS) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = row;
  }
  return previous[b.length];
}

/** Every placeholder a tree names, in values and in sections. */
export function usedPlaceholders(nodes: TemplateNode[], into = new Set<string>()): Set<string> {
  for (const node of nodes) {
    if (node.kind === 'value') into.add(node.name);
    if (node.kind === 'if') {
      into.add(node.name);
      usedPlaceholders(node.children, into);
    }
  }
  return into;
}
