/**
 * How much of a stream's tail could still grow into a PII match. The word being
 * written is always held (it may be the start of an email, a key, a URL); before
 * it, each pattern describes a prefix of some detector's value that is still
 * incomplete, and the longest one is held back too. Labels are not held: the
 * stream keeps the text it sent as context, so `DOB:` sent long ago still makes
 * the date that follows a birth date. Ordinary prose ends with a word and a
 * space, so at most one word waits.
 */
const MAX_HOLDBACK = 256;
/** The longest word held whole: a URL (2048 characters) or a JWT still being written. */
const LONGEST_WORD = 4096;
/** A longer word is released in steps this long, so its held end is not scanned again for every delta. */
const LONG_WORD_STEP = 2048;
const PRIVATE_KEY_LIMIT = 10_000;
const KEY_END = /-----END [A-Z ]{0,20}PRIVATE KEY(?: BLOCK)?-----/;
const SPACE = /\s/;
const LAST_SPACE = /\s\S*$/;
/** Words up to this long are measured character by character. */
const SHORT_WORD = 64;
const DIGIT = /\d/;

/** Patterns of a value's unfinished end; those under `digits` match only where a digit is. */
interface Tails {
  digits: readonly RegExp[];
  words: readonly RegExp[];
}

/** Where a PII value may still be growing: tails that hold a digit, and tails of words. */
const PII_TAILS: Tails = {
  digits: [
    // Digits with separators: phones, cards, SSNs, numeric dates.
    /[+(]?\d[\d ()./-]{0,40}$/,
    // IBANs in groups of four.
    /\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{1,4}){0,8} ?$/,
    // Street addresses: a number, a direction, capitalised or ordinal words, maybe a unit.
    /\b\d{1,5}[A-Z]?(?:-\d{1,5})?(?: (?:[A-Z][A-Za-z'’]{0,20}\.?|\d{1,3}(?:st|nd|rd|th)?)){0,6},?(?: ?(?:Apt|Apartment|Suite|Unit|Ste|Fl|Floor|Rm|Room|Flat|#)\.? ?[A-Za-z0-9-]{0,6})? ?$/,
    // Streets whose type comes after the number: 12 rue de …
    /\b\d{1,4},? (?:rue|avenue|boulevard|bd|place|impasse|chemin|allée|quai)(?: [\wÀ-ÿ'’-]{1,25}){0,4} ?\d{0,4}$/i,
    // Ordinals before a month: `15th `, `3rd of `.
    /\b\d{1,2}(?:st|nd|rd|th)[ -](?:of )?$/i,
  ],
  words: [
    // PO boxes.
    /\bP\.? ?O\.? ?(?:Box ?\d{0,6})? ?$/,
    // Streets whose number comes last: Hauptstraße 12, Calle Mayor 5.
    /(?:\b[A-ZÄÖÜ][a-zäöüß]{2,30}(?:straße|strasse|str\.|weg|allee|platz|gasse|ring|damm|ufer)|\b(?:Calle|Avenida|Av\.|Plaza|Paseo|Via|Viale|Piazza|Corso|Rua|Travessa)(?: [\wÀ-ÿ'’-]{1,25}){0,4},?) ?\d{0,4}$/i,
    // Dates with month names: `2 Sep`, `March 3, 19`.
    /\b(?:\d{1,2}(?:st|nd|rd|th)?[ -](?:of )?)?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?,?(?:[ -]\d{1,2}(?:st|nd|rd|th)?,?)?(?:[ -]\d{0,4})? ?$/i,
  ],
};

/** Where a PHI value may still be growing, besides the PII tails. */
const PHI_TAILS: Tails = {
  digits: [
    ...PII_TAILS.digits,
    // Ages: `101 year `, `95 y`.
    /\b\d{1,3}[- ]?y[a-z./]{0,4}[- ]?$/i,
  ],
  words: [
    ...PII_TAILS.words,
    // Capitalised words that may be a name, a city before its state, or a county; `… is a 67-year-old`.
    /\b(?:Mc|Mac|O['’])?[A-Z][A-Za-z'’-]{0,20}(?:,? (?:[A-Z][A-Za-z'’.-]{0,20}|[A-Z]\.)){0,3},?(?: (?:is|was)(?: an?)?)?(?: \d{1,3}(?:[- ]?y\w{0,4})?)?(?: \d{0,5}(?:-\d{0,4})?)? ?$/,
  ],
};

function isSpace(text: string, index: number): boolean {
  const code = text.charCodeAt(index);
  if (code === 32 || (code >= 9 && code <= 13)) return true;
  return code > 127 && SPACE.test(text[index] ?? "");
}

/** How many characters before `end` are white space (`space`) or not, at most `limit`. */
function runBefore(text: string, end: number, space: boolean, limit: number): number {
  let start = end;
  const stop = Math.max(0, end - limit);
  while (start > stop && isSpace(text, start - 1) === space) start -= 1;
  return end - start;
}

/** How many characters at the end of `text` are not white space, at most one more than {@link LONGEST_WORD}. */
function lastWord(text: string): number {
  const short = runBefore(text, text.length, false, SHORT_WORD);
  if (short < SHORT_WORD || short === text.length) return short;
  // A long word: its start is found by one native scan, not character by character.
  const tail = text.slice(-(LONGEST_WORD + 1));
  const space = tail.search(LAST_SPACE);
  return space === -1 ? tail.length : tail.length - space - 1;
}

/**
 * The last `words` words of `text`, each at most `longest` characters, with one
 * to three white-space characters between two: what a phrase of that many
 * words may still need. It equals the match of
 * `(?:\S{1,longest}\s{1,3}){0,words-1}\S{0,longest}$`, found without trying
 * every start.
 */
export function wordsHoldback(text: string, words: number, longest: number): number {
  let start = text.length - runBefore(text, text.length, false, longest + 1);
  if (text.length - start > longest) return longest;
  for (let word = 1; word < words && start > 0; word += 1) {
    const spaces = runBefore(text, start, true, 4);
    if (spaces > 3 || spaces === start) break;
    const letters = runBefore(text, start - spaces, false, longest + 1);
    if (letters > longest) return text.length - (start - spaces - longest);
    start -= spaces + letters;
  }
  return text.length - start;
}

/** The longest match of any of the tails at the end of `text`. */
function longestTail(text: string, tails: Tails): number {
  const tail = text.length > MAX_HOLDBACK ? text.slice(-MAX_HOLDBACK) : text;
  let longest = 0;
  const lists = DIGIT.test(tail) ? [tails.digits, tails.words] : [tails.words];
  for (const list of lists) {
    for (const pattern of list) {
      const match = pattern.exec(tail);
      if (match && match[0].length > longest) longest = match[0].length;
    }
  }
  return longest;
}

/**
 * The word being written, plus the longest of the tails before it. Every tail is also a tail up to its last space, so the word counts
 * whatever it turns into (`2 Se` may become `2 September 1990`).
 */
function holdback(text: string, tails: Tails): number {
  const begin = text.lastIndexOf("-----BEGIN");
  if (
    begin !== -1 &&
    !KEY_END.test(text.slice(begin)) &&
    text.length - begin <= PRIVATE_KEY_LIMIT
  ) {
    return text.length - begin;
  }
  const word = lastWord(text);
  if (word > LONGEST_WORD) return LONGEST_WORD + ((text.length - LONGEST_WORD) % LONG_WORD_STEP);
  if (word === text.length) return word;
  return word + longestTail(word === 0 ? text : text.slice(0, -word), tails);
}

/** Characters at the end of `text` that must not be released yet. */
export function piiHoldback(text: string): number {
  return holdback(text, PII_TAILS);
}

/** The PII tails plus the capitalised names and places that a PHI match may still grow from. */
export function phiHoldback(text: string): number {
  return holdback(text, PHI_TAILS);
}
