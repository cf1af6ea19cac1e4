/**
 * Language tags as mail carries them: their normal form, whether a language is written right to left, and the
 * languages a customer prefers according to their mail's Content-Language and Accept-Language headers.
 *
 * Facts about the email format, so they live with the mail core: language detection (language.ts) and the importer
 * use them, and the notification templates (outbound/templates/) choose and render by them.
 */

/** Lower-cased BCP 47-ish tag: `en`, `pt-br`, `zh-hant-tw`, `sr-latn`. */
export const LANGUAGE_TAG = /^[a-z]{1,8}(?:-[a-z0-9]{1,8})*$/;

export function normalizeLanguage(language: string): string {
  return language.trim().replace(/_/g, '-').toLowerCase();
}

/** Primary languages written right to left when no script subtag says otherwise. */
const RTL_LANGUAGES: ReadonlySet<string> = new Set([
  'ar', // Arabic and its varieties:
  'acm',
  'aeb',
  'ajp',
  'apc',
  'arq',
  'ars',
  'ary',
  'arz',
  'arc', // Aramaic
  'azb', // South Azerbaijani
  'bal', // Balochi
  'bqi', // Bakhtiari
  'ckb', // Central Kurdish (Sorani)
  'dv', // Dhivehi
  'fa', // Persian
  'prs', // Dari
  'glk', // Gilaki
  'he', // Hebrew
  'iw', // Hebrew (old code)
  'yi', // Yiddish
  'ji', // Yiddish (old code)
  'ydd',
  'khw', // Khowar
  'ks', // Kashmiri
  'lrc', // Northern Luri
  'mzn', // Mazanderani
  'nqo', // N'Ko
  'pnb', // Western Punjabi (Shahmukhi)
  'ps', // Pashto
  'pbt',
  'pbu',
  'sd', // Sindhi
  'skr', // Saraiki
  'syr', // Syriac
  'ug', // Uyghur
  'ur', // Urdu
]);

/** Script subtags (ISO 15924, lower-cased) written right to left. */
const RTL_SCRIPTS: ReadonlySet<string> = new Set([
  'adlm',
  'arab',
  'aran',
  'armi',
  'avst',
  'chrs',
  'cprt',
  'elym',
  'hebr',
  'hung',
  'khar',
  'lydi',
  'mand',
  'mani',
  'mend',
  'narb',
  'nbat',
  'nkoo',
  'orkh',
  'ougr',
  'palm',
  'phli',
  'phlp',
  'phnx',
  'prti',
  'rohg',
  'samr',
  'sarb',
  'sogd',
  'sogo',
  'syrc',
  'thaa',
  'yezi',
]);

/**
 * True for languages written right to left: `ar`, `he`, `fa`, `ur`, `yi`, `ps`, … with any region (`ar-EG`), and
 * for any language written in a right-to-left script (`pa-Arab`); false when a script subtag says otherwise
 * (`sd-Deva`).
 */
export function isRightToLeft(language: string): boolean {
  if (typeof language !== 'string') return false;
  const [primary, ...subtags] = normalizeLanguage(language).split('-');
  for (const subtag of subtags) {
    if (subtag.length === 1) break; // extensions and private use: no script after this
    if (/^[a-z]{4}$/.test(subtag)) return RTL_SCRIPTS.has(subtag);
  }
  return RTL_LANGUAGES.has(primary);
}

/**
 * The languages a customer is likely to read, best first, lower-cased and without duplicates: the
 * Content-Language of their mail (what they wrote in), then Accept-Language by descending q-value (ties keep
 * header order). `*`, `q=0` and malformed entries are dropped.
 */
export function parseLanguagePreferences(headers: {
  'content-language'?: string | string[];
  'accept-language'?: string | string[];
}): string[] {
  const found: string[] = [];
  const add = (tag: string) => {
    const normalized = normalizeLanguage(tag);
    if (LANGUAGE_TAG.test(normalized) && !found.includes(normalized)) found.push(normalized);
  };

  for (const item of headerItems(headers['content-language'])) add(item.split(';')[0]);

  const weighted: { tag: string; q: number; order: number }[] = [];
  for (const item of headerItems(headers['accept-language'])) {
    const [tag, ...params] = item.split(';');
    let q = 1;
    for (const param of params) {
      const match = /^\s*q\s*=\s*(.*?)\s*$/i.exec(param);
      if (match) q = /^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/.test(match[1]) ? Number(match[1]) : Number.NaN;
    }
    if (q > 0) weighted.push({ tag, q, order: weighted.length });
  }
  weighted.sort((a, b) => b.q - a.q || a.order - b.order);
  for (const { tag } of weighted) add(tag);
  return found;
}

function headerItems(value: string | string[] | undefined): string[] {
  const joined = Array.isArray(value) ? value.join(',') : typeof value === 'string' ? value : '';
  return joined
    .replace(/\([^)]*\)/g, '') // RFC 5322 comments
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}
