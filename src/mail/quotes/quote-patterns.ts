/**
 * The patterns quote trimming recognises, in the languages we read: attribution lines ("On … wrote:"), Outlook's
 * separators and header blocks, forward markers, mobile signatures. Every line is bounded before a dash-tolerant
 * pattern runs on it.
 */

/**
 * The verb that ends an attribution line. English, French, Spanish, Portuguese, Polish, Italian and Russian put
 * it last ("… wrote:"); German, Dutch and Estonian may put the sender's name after it ("Am … schrieb Max <m@x>:",
 * "Op … schreef Jan het volgende:", "Jaan kirjutas …:"), so for those anything may follow up to the final colon.
 * `\p{L}` look-arounds instead of `\b`, which only knows ASCII letters (napisał, написал).
 */
export const ATTRIBUTION_VERB =
  /(?<!\p{L})(?:wrote|writes|a\s+écrit|escribió|escreveu|pisze|napisał(?:\(a\)|a)?|ha\s+scritto|написал(?:\(а\)|а)?)\s*:$|(?<!\p{L})(?:schrieb|schreef|kirjutas)(?!\p{L}).*:$/u;

/** How attributions open: "On …", "Le …", "Am …", "El …", "Em …", "W dniu …", "Op …", "Il …". Case-sensitive. */
export const ATTRIBUTION_PREFIX = /^(?:On|Le|Am|El|Em|W dniu|Dnia|Op|Il|In data)\s/u;

/** A date, a time or an address: attributions carry one, ordinary sentences ending in "wrote:" rarely do. */
export const ATTRIBUTION_DETAIL = /@|\d{1,4}[:./-]\d{1,2}/;

/** Longest line (or joined wrapped lines) still taken for an attribution; real ones stay well below. */
export const MAX_ATTRIBUTION_LENGTH = 300;

/** Outlook, AOL, Yahoo, Comcast, ProtonMail: "-----Original Message-----", with any number of dashes, localized. */
export const ORIGINAL_MESSAGE =
  /^[-_=*\s]*-{2,}\s*(?:original message|ursprüngliche nachricht|message d['’]origine|mensaje original|mensagem original|oorspronkelijk bericht|messaggio originale|wiadomość oryginalna|originaalsõnum|algne kiri|исходное сообщение)\s*-{2,}[-\s]*$/iu;

/** Gmail, Thunderbird, Apple Mail forward headers (localized). What follows them is content, not a quote. */
export const FORWARD_MARKER =
  /^(?:[-=_*\s]*(?:forwarded message|weitergeleitete nachricht|message transféré|mensaje reenviado|mensagem encaminhada|wiadomość przekazana dalej|doorgestuurd bericht|messaggio inoltrato|edastatud kiri|пересылаемое сообщение)[-=_*\s]*|(?:begin forwarded message|anfang der weitergeleiteten nachricht|début du message réexpédié|inicio del mensaje reenviado|início da mensagem reencaminhada|begin doorgestuurd bericht|inizio messaggio inoltrato|początek przekazanej wiadomości)\s*:)$/iu;

/**
 * Separator and forward lines are short. Longer lines are not even tried: the dash-tolerant patterns above
 * backtrack on a hostile line of thousands of dashes.
 */
export const MAX_MARKER_LINE = 200;

export function isShortMatch(pattern: RegExp, text: string): boolean {
  return text.length <= MAX_MARKER_LINE && pattern.test(text);
}

/** Outlook's plain-text separator (a row of underscores) or a long dashed rule right above a header block. */
export const RULE_LINE = /^(?:_{10,}|-{10,})$/;

export type HeaderLabel = 'from' | 'sent' | 'date' | 'to' | 'cc' | 'subject' | 'reply-to';

/** Header labels of quoted-message blocks; Outlook writes them bold, which plain text shows as `*From:*`. */
export const HEADER_LABELS: ReadonlyArray<[HeaderLabel, RegExp]> = (
  [
    ['from', 'From|De|Von|Od|Van|Da|От|Saatja'],
    [
      'sent',
      'Sent|Envoyé|Gesendet|Wysłano|Enviado(?: el)?|Enviada(?: em)?|Verzonden|Inviato|Saadetud|Отправлено',
    ],
    ['date', 'Date|Datum|Data|Fecha|Kuupäev|Дата'],
    ['to', 'To|À|A|An|Do|Para|Aan|Kellele|Saaja|Кому'],
    ['cc', 'Cc|Kopie|DW|Kopia|Копия'],
    ['subject', 'Subject|Objet|Betreff|Temat|Asunto|Assunto|Onderwerp|Oggetto|Teema|Тема'],
    ['reply-to', 'Reply[- ]To'],
  ] as const
).map(([label, words]) => [label, new RegExp(`^\\*?(?:${words})\\s*:\\*?(?:\\s|$)`, 'iu')]);

/** What a mobile client names in its "sent from" line: a device, an app, or the vendor. */
export const DEVICE =
  '(?:iPhone|iPad|iPod|Android|Samsung|Galaxy|BlackBerry|Huawei|Xiaomi|Pixel|Outlook|Mail|Gmail|Yahoo|AOL|Proton|mobile|phone|smartphone|tablet|telefon\\p{L}*|móvil|celular|telemóvel)';

/**
 * Mobile-client boilerplate, matched against a whole line. Kept narrow on purpose, since it hides a line of
 * the author's text: "Sent from my …" in any of our languages, or a "sent from/with/via …" line naming a
 * device or app ("Sent from Yahoo Mail on Android", "Get Outlook for iOS", "Inviato da iPhone").
 */
export const MOBILE_SIGNATURE = new RegExp(
  '^(?:' +
    '(?:Sent from my|Envoyé de mon|Envoyé depuis mon|Von meinem|Gesendet von meinem|Enviado desde mi|Enviado do meu|' +
    'Enviado de meu|Verzonden (?:vanaf|met) mijn|Verstuurd vanaf mijn|Inviato dal mio|Wysłane z mojego|Saadetud minu|' +
    'Отправлено с моего) .{1,40}' +
    '|(?:Sent (?:from|via|with)|Get|Envoyé (?:de|depuis)|Gesendet (?:von|mit)|Enviado (?:desde|do|de)|' +
    'Verzonden (?:vanaf|met)|Verstuurd (?:vanaf|met)|Inviato da|Wysłane z|Saadetud|Отправлено (?:с|из)) ' +
    `.{0,30}(?<!\\p{L})${DEVICE}(?!\\p{L}).{0,30}` +
    ')$',
  'iu'
);

/** "-- " (RFC 3676 signature separator) or "--" right above a mobile signature goes with it. */
export const SIGNATURE_DELIMITER = /^--\s*$/;
