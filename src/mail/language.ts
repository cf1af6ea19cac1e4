/**
 * The language a mail is written in, when no header says it: the text goes to tinyld (a maintained n-gram
 * detector, pure JS, ~60 languages including Arabic, Hebrew, Persian and Urdu). Texts too short for it to decide
 * fall back to the script they are written in: Arabic letters mean Arabic (or Persian / Urdu when letters only those
 * use appear), Hebrew letters mean Hebrew; Latin or other scripts say too little and give no answer.
 *
 * tinyld's tables weigh ~600 KB and take a few hundred milliseconds to load, so the module is imported on the first
 * mail that needs it, not at boot. Only a bounded slice of the text is read, and text (almost) in plain ASCII is not
 * given to the detector at all (see {@link MIN_NON_ASCII_SHARE}).
 */
import { isRightToLeft, parseLanguagePreferences } from './language-tags';
import type { ParsedMail } from './types';

export interface DetectedLanguage {
  /** ISO 639-1 code, e.g. `ar`, `he`, `fa`, `ur`, `en`. */
  language: string;
  direction: 'ltr' | 'rtl';
  /** `detector`: tinyld decided; `script`: the text was too short or unclear and its script decided. */
  source: 'detector' | 'script';
}

/** At most this much of the text is read: the opening of a mail says what language it is in. */
export const MAX_DETECTION_CHARS = 500;
/** The detector's share of it; its cost grows with the length (about a millisecond for this much). */
export const DETECTOR_SAMPLE_CHARS = 300;
/** Below this many letters the detector guesses too wildly; the script decides instead. */
export const MIN_DETECTOR_LETTERS = 12;
/**
 * Text with fewer letters outside ASCII than this share is English, or a language written without its accents,
 * or English with a name like "José" in it: the English default answers it, and the detector is not asked.
 */
export const MIN_NON_ASCII_SHARE = 0.01;

type Detector = (text: string) => string;
let detector: Promise<Detector> | null = null;

function loadDetector(): Promise<Detector> {
  detector ??= import('tinyld').then((module) => {
    // CommonJS: the functions may sit on the namespace or on its default export, depending on the loader.
    const api = (module as { detect?: Detector; default?: { detect?: Detector } }).detect
      ? (module as { detect: Detector })
      : (module as { default: { detect: Detector } }).default;
    return (text: string) => api.detect(text);
  });
  return detector;
}

const LETTER = /\p{L}/gu;
const NON_ASCII_LETTER = /[^\P{L}a-zA-Z]/gu;
const ARABIC_LETTER = /\p{Script=Arabic}/gu;
const HEBREW_LETTER = /\p{Script=Hebrew}/gu;
/** Letters of the Arabic script that Arabic itself does not use. */
const URDU_ONLY = /[ٹڈڑںےۓہھ]/u;
const PERSIAN_ONLY = /[پچژگکی]/u;

function count(text: string, pattern: RegExp): number {
  let n = 0;
  pattern.lastIndex = 0;
  while (pattern.exec(text) !== null) n++;
  return n;
}

/** The language a text's script names, when the script is right-to-left and most of its letters use it. */
function languageOfScript(text: string, letters: number): string | null {
  if (letters === 0) return null;
  if (count(text, ARABIC_LETTER) * 2 > letters) {
    if (URDU_ONLY.test(text)) return 'ur';
    if (PERSIAN_ONLY.test(text)) return 'fa';
    return 'ar';
  }
  if (count(text, HEBREW_LETTER) * 2 > letters) return 'he';
  return null;
}

function result(language: string, source: DetectedLanguage['source']): DetectedLanguage {
  return { language, direction: isRightToLeft(language) ? 'rtl' : 'ltr', source };
}

/** The language of `text`, or null when neither the detector nor the script can tell. */
export async function detectLanguage(text: string): Promise<DetectedLanguage | null> {
  const sample = text.slice(0, MAX_DETECTION_CHARS);
  const letters = count(sample, LETTER);
  const byScript = languageOfScript(sample, letters);
  if (letters >= MIN_DETECTOR_LETTERS && count(sample, NON_ASCII_LETTER) >= letters * MIN_NON_ASCII_SHARE) {
    const detected = (await loadDetector())(sample.slice(0, DETECTOR_SAMPLE_CHARS));
    // The script is the firmer evidence of direction: a detector that reads Arabic letters as a left-to-right
    // language is wrong about the one thing that matters here.
    if (detected && (byScript === null || isRightToLeft(detected))) return result(detected, 'detector');
  }
  return byScript === null ? null : result(byScript, 'script');
}

/**
 * The languages to answer a mail in: those its headers name (see `parseLanguagePreferences`), else the one its
 * text is written in, else none (the caller's fallback, English).
 */
export async function languagesOfMail(fromHeaders: string[], text: string): Promise<string[]> {
  if (fromHeaders.length > 0) return fromHeaders;
  const detected = await detectLanguage(text);
  return detected ? [detected.language] : [];
}

/**
 * The languages a mail asks to be answered in: its headers first, else the language its text is written in. Worked
 * out in the parse worker ({@link ParsedMail.languages}); computed here for a mail prepared without it.
 */
export async function mailLanguages(mail: ParsedMail): Promise<string[]> {
  return mail.languages ?? languagesOfMail(parseLanguagePreferences(mail.headers), mail.text || mail.subject);
}
