/**
 * Mutations of real mail for the fuzz runs (tests/unit/fuzz.test.ts without a database, tests/integration/
 * fuzz-import.test.ts through the real importer): seeded, so a failing message can be made again from its number.
 */
/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Rng = () => number;
export const int = (rng: Rng, max: number) => Math.floor(rng() * max);
export const pick = <T>(rng: Rng, list: readonly T[]): T => list[int(rng, list.length)];

function splitHead(raw: Buffer): { head: string; body: Buffer } {
  const text = raw.toString('latin1');
  const match = /\r?\n\r?\n/.exec(text);
  if (!match) return { head: text, body: Buffer.alloc(0) };
  return { head: text.slice(0, match.index), body: raw.subarray(match.index + match[0].length) };
}

function withHeaders(raw: Buffer, extra: string, replaceContentType?: string): Buffer {
  const { head, body } = splitHead(raw);
  let headers = head;
  if (replaceContentType !== undefined)
    headers = headers
      .replace(/^content-type:.*(?:\r?\n[ \t].*)*/gim, '')
      .replace(/^content-transfer-encoding:.*$/gim, '');
  return Buffer.concat([
    Buffer.from(`${extra}${headers}\r\n`, 'latin1'),
    Buffer.from(replaceContentType ?? '', 'latin1'),
    Buffer.from('\r\n', 'latin1'),
    body,
  ]);
}

function htmlBody(raw: Buffer, html: string): Buffer {
  return withHeaders(raw, '', 'Content-Type: text/html; charset=utf-8\r\n\r\n' + html);
}

export const MUTATIONS: Record<string, (raw: Buffer, rng: Rng) => Buffer> = {
  truncated: (raw, rng) => raw.subarray(0, int(rng, raw.length)),
  'bytes flipped': (raw, rng) => {
    const copy = Buffer.from(raw);
    for (let i = 0, n = 1 + int(rng, 50); i < n && copy.length > 0; i++)
      copy[int(rng, copy.length)] = int(rng, 256);
    return copy;
  },
  'boundaries broken': (raw, rng) => {
    const text = raw.toString('latin1');
    const broken =
      rng() < 0.5
        ? text.replace(/boundary="?([^";\r\n]+)"?/gi, 'boundary="nope-$1"')
        : text.replace(/^--[^\r\n]+$/gm, (line) => (rng() < 0.5 ? '' : line + 'x'));
    return Buffer.from(broken, 'latin1');
  },
  'headers duplicated': (raw, rng) => {
    const { head } = splitHead(raw);
    const lines = head.split(/\r?\n/).filter((line) => /^[A-Za-z-]+:/.test(line));
    const line = lines.length > 0 ? pick(rng, lines) : 'X-Dup: 1';
    return withHeaders(raw, `${line}\r\n`.repeat(200 + int(rng, 5000)));
  },
  'huge forwarding header': (raw, rng) => {
    const name = pick(rng, ['Delivered-To', 'X-Original-To', 'X-Forwarded-To', 'Resent-To']);
    return withHeaders(
      raw,
      `${name}: ${pick(rng, ['a', 'x.', 'a b', '<'])}${'a'.repeat(100_000 + int(rng, 500_000))}\r\n`
    );
  },
  'huge subject': (raw, rng) =>
    withHeaders(raw, `Subject: Re: [#1] ${'word '.repeat(20_000 + int(rng, 40_000))}\r\n`),
  'huge references': (raw, rng) =>
    withHeaders(
      raw,
      `References: ${Array.from({ length: 5_000 + int(rng, 20_000) }, (_, i) => `<id${i}@x.test>`).join(' ')}\r\n`
    ),
  'address flood': (raw, rng) => {
    const name = pick(rng, ['To', 'Cc', 'Delivered-To', 'Reply-To']);
    const count = 20_000 + int(rng, 130_000);
    return withHeaders(
      raw,
      `${name}: ${Array.from({ length: count }, (_, i) => `u${i}@flood.test`).join(', ')}\r\n`
    );
  },
  'deep html': (raw, rng) => {
    const depth = 1_000 + int(rng, 100_000);
    return htmlBody(
      raw,
      `${pick(rng, ['<div>', '<blockquote type="cite">', '<span>', '<table><tr><td>'])}`.repeat(depth) +
        'deep' +
        '</div>'.repeat(int(rng, depth))
    );
  },
  'wide html': (raw, rng) =>
    htmlBody(
      raw,
      `<div>${pick(rng, ['<b>x</b>', '<p>', '<br>', '<span></span>'])}`.repeat(50_000 + int(rng, 200_000)) +
        '</div>'
    ),
  'huge single line': (raw, rng) => {
    const { head } = splitHead(raw);
    const line = pick(rng, ['a', '>', '-', '=', ' ']).repeat(500_000 + int(rng, 2_000_000));
    return Buffer.from(`${head}\r\n\r\nHello\r\n${line}\r\n`, 'latin1');
  },
  'wrong charset': (raw, rng) => {
    const charset = pick(rng, ['utf-7', 'iso-2022-jp', 'x-unknown', 'utf-16', 'big5', 'koi8-r', 'utf-32']);
    return Buffer.from(
      raw.toString('latin1').replace(/charset="?[^";\r\n]+"?/gi, `charset="${charset}"`),
      'latin1'
    );
  },
};

/**
 * The worst cases the fuzz run found, each once: HTML nested 100,000 deep, a 20 MB HTML-only mail, a 580 KB
 * Delivered-To without `@`, 150,000 addresses in Cc. All with the subject "worst". The fuzz import test and the
 * benchmark's admin-latency phase import them.
 */
export function worstCaseMails(): Buffer[] {
  const head = (extra: string, type = 'text/plain') =>
    `From: Ann <ann@example.test>\r\nTo: support@example.test\r\nSubject: worst\r\n${extra}Content-Type: ${type}; charset=utf-8\r\n\r\n`;
  const paragraph = '<p>Lorem ipsum dolor sit amet, <b>consectetur</b> adipiscing elit.</p>\n';
  return [
    Buffer.from(head('', 'text/html') + '<div>'.repeat(100_000) + 'deep' + '</div>'.repeat(100_000)),
    Buffer.from(head('', 'text/html') + paragraph.repeat(Math.ceil((20 * 1024 * 1024) / paragraph.length))),
    Buffer.from(head(`Delivered-To: ${'a'.repeat(580_000)}\r\n`) + 'hello\r\n'),
    Buffer.from(
      head(`Cc: ${Array.from({ length: 150_000 }, (_, i) => `u${i}@flood.test`).join(', ')}\r\n`) +
        'hello\r\n'
    ),
  ];
}
