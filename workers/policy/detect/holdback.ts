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
  // No spaces: emails, API keys, JWTs, IPs, passport and licence numbers.
  /\S{1,128}$/,
  // Digits with separators: phones, cards, SSNs, numeric dates.
  /[+(]?\d[\d ()./-]{0,40}$/,
  // IBANs in groups of four.
  /\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{1,4}){0,8} ?$/,
  // Street addresses: a number then capitalised words, maybe a unit.
  /\b\d{1,5}(?: [A-Z][a-z]{0,20}){0,5}(?: [A-Z][a-z]{0,10}\.?)?(?:,? ?(?:Apt|Suite|Unit|Ste|#)?\.? ?[A-Za-z0-9-]{0,6})? ?$/,
  // Context words whose value may still be on its way.
  /\b(?:dob|d\.o\.b|date of birth|birth ?date|birthday|born|passport|driver'?s?|driving|licen[cs]e|DL|ssn|social security)\b[^\n]{0,40}$/i,
  // Month-name dates.
  /\b(?:\d{1,2} )?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?,?(?: \d{1,2},?)?(?: \d{0,4})? ?$/i,
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

const PHI_CONTEXT_TAIL =
  /\b(?:patient|pt|name|mr|mrs|ms|miss|resident|member|subject|kin|spouse|guardian|mother|father|mrn|medical record|med rec|chart|policy|insurance|beneficiary|subscriber|medicaid|medicare|account|acct|billing|licen[cs]e|certificate|cert|dea|npi|plate|tag|serial|device|udi|imei|fax|fingerprint|retina|iris|voiceprint|biometric|case|encounter|visit|specimen|accession|record|zip|postal|age|aged)\b[^\n]{0,48}$/i;

/** The PII tails plus the clinical context words after which a name or identifier may still come. */
export function phiHoldback(text: string): number {
  const context = PHI_CONTEXT_TAIL.exec(text.slice(-MAX_HOLDBACK))?.[0].length ?? 0;
  return Math.max(piiHoldback(text), context);
}
