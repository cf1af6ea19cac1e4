/**
 * The notification templates shipped with the plugin: every event in every language of SHIPPED_LANGUAGES, one
 * data file per language in defaults/. A site owner replaces any of them per event and language (choose.ts merges
 * their own over these).
 */
import {
  SHIPPED_LANGUAGES,
  type NotificationEvent,
  type ShippedLanguage,
  type Template,
} from '../../../contracts/templates';
import { AR_TEXTS } from './defaults/ar';
import { EN_TEXTS } from './defaults/en';
import { ET_TEXTS } from './defaults/et';
import { FR_TEXTS } from './defaults/fr';
import { PL_TEXTS } from './defaults/pl';
import { PT_TEXTS } from './defaults/pt';
import type { TemplateTexts } from './defaults/texts';

/** Typed by the shipped languages: a language added to the contract without its texts fails the type check. */
const TEXTS: Record<ShippedLanguage, TemplateTexts> = {
  en: EN_TEXTS,
  fr: FR_TEXTS,
  pt: PT_TEXTS,
  pl: PL_TEXTS,
  et: ET_TEXTS,
  ar: AR_TEXTS,
};

/** Every event × every shipped language, frozen: copy one (`{ ...template }`) to change it. */
export const DEFAULT_TEMPLATES: Template[] = Object.freeze(
  SHIPPED_LANGUAGES.flatMap((language) =>
    (Object.keys(TEXTS[language]) as NotificationEvent[]).map((event) =>
      Object.freeze({ event, language, ...TEXTS[language][event] })
    )
  )
) as Template[];
