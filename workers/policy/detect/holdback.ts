/**
 * How much of a stream's tail could still grow into a PII match. Each pattern
 * describes a prefix of some detector's match that is still incomplete at the end
 * of the buffer; the longest one is held back. Ordinary prose ends with a word and
 * a space, so at most one word waits.
 */
const MAX_HOLDBACK = 256;
const PRIVATE_KEY_LIMIT = 10_000;
const KEY_END = /-----END [A-Z ]{0,20}PRIVATE KEY(?: BLOCK)?-----/;

const TAILS: readonly RegExp[] = [
  // No spaces: emails, API keys, JWTs, IPs, passport and licence numbers, `14-Mar-`.
  /\S{1,128}$/,
  // Digits with separators: phones, cards, SSNs, numeric dates.
  /[+(]?\d[\d ()./-]{0,40}$/,
  // IBANs in groups of four.
  /\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{1,4}){0,8} ?$/,
  // Street addresses: a number then capitalised or ordinal words, maybe a unit.
  /\b\d{1,5}[A-Z]?(?:-\d{1,5})?(?: (?:[A-Z][a-z'’]{0,20}\.?|\d{1,3}(?:st|nd|rd|th)?)){0,5}(?:,? ?(?:Apt|Apartment|Suite|Unit|Ste|Fl|Floor|Rm|Room|Flat|#)?\.? ?[A-Za-z0-9-]{0,6})? ?$/,
  // Streets whose number comes last (Hauptstraße 12, Calle Mayor 5) or whose type comes first (12 rue de …).
  /(?:\b[A-ZÄÖÜ][a-zäöüß]{2,30}(?:straße|strasse|str\.|weg|allee|platz|gasse|ring|damm|ufer)|\b(?:Calle|Avenida|Av\.|Plaza|Paseo|Via|Viale|Piazza|Corso|Rua|Travessa)(?: [\wÀ-ÿ'’-]{1,25}){0,4},?|\b\d{1,4},? (?:rue|avenue|boulevard|bd|place|impasse|chemin|allée|quai)(?: [\wÀ-ÿ'’-]{1,25}){0,4}) ?\d{0,4}$/i,
  // Context words whose value may still be on its way.
  /\b(?:dob|d\.o\.b|date[ _]of[ _]birth|birth[ _]?date|birthday|born|passport|driver'?s?|driving|licen[cs]e|DL|ssn|social[ _]security|api[_-]?key|apikey|secret|token|access[_-]?key|auth)\w{0,12}\b[^\n]{0,40}$/i,
  // Month-name dates, with ordinals.
  /\b(?:\d{1,2}(?:st|nd|rd|th)?[ -](?:of )?)?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?,?(?:[ -]\d{1,2}(?:st|nd|rd|th)?,?)?(?:[ -]\d{0,4})? ?$/i,
];

/** Characters at the end of `text` that must not be released yet. */
export function piiHoldback(text: string): number {
  const begin = text.lastIndexOf("-----BEGIN");
  if (
    begin !== -1 &&
    !KEY_END.test(text.slice(begin)) &&
    text.length - begin <= PRIVATE_KEY_LIMIT
  ) {
    return text.length - begin;
  }
  const tail = text.slice(-MAX_HOLDBACK);
  let longest = 0;
  for (const pattern of TAILS) {
    const match = pattern.exec(tail);
    if (match && match[0].length > longest) longest = match[0].length;
  }
  return longest;
}

const PHI_TAILS: readonly RegExp[] = [
  // Context words after which a name or identifier may still come.
  /\b(?:patient|pt|name|mr|mrs|ms|miss|resident|member|kin|spouse|guardian|mother|father|daughter|son|wife|husband|sister|brother|grand\w{0,8}|niece|nephew|partner|caregiver|contact|proxy|client|mrn|mr#|medical record|med rec|chart|policy|insurance|beneficiary|subscriber|medicaid|medicare|mbi|account|acct|billing|licen[cs]e|certificate|cert|dea|npi|plate|tag|serial|device|udi|imei|transmitter|pump|fax|faxed|fingerprint|retina|iris|voiceprint|biometric|case|encounter|visit|specimen|accession|study|record|zip|postal|age|aged)\b[^\n]{0,48}$/i,
  // Capitalised words that may be a name, a city before its state, or a county; `… is a 67-year-old`.
  /\b(?:Mc|Mac|O['’])?[A-Z][A-Za-z'’-]{0,20}(?:,? (?:[A-Z][A-Za-z'’.-]{0,20}|[A-Z]\.)){0,3},?(?: (?:is|was)(?: an?)?)?(?: \d{1,3}(?:[- ]?y\w{0,4})?)?(?: \d{0,5}(?:-\d{0,4})?)? ?$/,
];

/** The PII tails plus the clinical words and capitalised names that a PHI match may still grow from. */
export function phiHoldback(text: string): number {
  const tail = text.slice(-MAX_HOLDBACK);
  let longest = piiHoldback(text);
  for (const pattern of PHI_TAILS) {
    const match = pattern.exec(tail);
    if (match && match[0].length > longest) longest = match[0].length;
  }
  return longest;
}
