/**
 * One pass over the words of a text that finds the attack keywords hidden by
 * word-level tricks: misspelt (`ignroe`, `instrucitons`), enciphered by a
 * letter shift such as rot13 (`vtaber`) or by atbash, or written backwards
 * (`erongi`, or common words such as `eht`). The letters are counted on the
 * way, so a shift with no keyword in sight is still read from their
 * frequencies. Each letter costs a multiplication and an increment, each word
 * a few one-bit table look-ups, so the pass is linear and cheap enough to run
 * on every request; the decoding only happens when it finds something.
 */
import {
  atbashWord,
  CIPHER_KEYWORDS,
  deleteAt,
  HASH_BASE,
  hashWord,
  HashTable,
  mayHold,
  REAL_NEIGHBOURS,
  shiftWord,
  TYPO_KEYWORDS,
} from "./attack-keywords.ts";
import { guessCipher } from "./letter-frequency.ts";
import { TextUnits } from "./text-units.ts";
import type { TokenMarker } from "./word-gate.ts";
import { KEY_BITS, TOKEN_VALUE } from "./word-tokens.ts";

/** A word one edit away from a keyword: where it is and which keyword it stands for. */
export interface Misspelling {
  start: number;
  end: number;
  keyword: string;
}

/** What the pass found. */
export interface KeywordScan {
  misspellings: Misspelling[];
  /** The letter shift (1–25) under which words are keywords or letters fit English, or 0. */
  shift: number;
  /** Words are keywords, or letters fit English, under atbash (a↔z, b↔y…). */
  atbash: boolean;
  /** Words are keywords or common words written backwards. */
  reversed: boolean;
  /**
   * Four one-letter words in a row, spaces or tabs (only) after each but the
   * last: what letters spelt out one by one look like, once runs of blanks
   * are one space (`joinSpacedLetters` changes no text without them).
   */
  spacedLetters: boolean;
  /** Two spaces or tabs in a row somewhere (`collapseBlankRuns` changes no text without them). */
  blankRuns: boolean;
}

/** Evidence that makes a cipher or reversal worth decoding: two keywords, or one long one. */
const CIPHER_EVIDENCE = 2;
/** Keywords this long are not a shift, atbash or reversal of an English word by chance. */
const LONG_KEYWORD = 8;
const MIN_WORD = 5;
const MAX_WORD = Math.max(...CIPHER_KEYWORDS.map((keyword) => keyword.length)) + 1;

/** How a word stands for a keyword: as it is, shifted by 1–25 letters, under atbash, backwards. */
const AS_IS = 0;
const ATBASH = 26;
const BACKWARDS = 27;
/** The commonest English words, shorter than keywords: written backwards they are evidence too. */
const FUNCTION_WORDS =
  "the you your this that with from what all can for have were will into about".split(" ");
const SHORTEST = Math.min(...FUNCTION_WORDS.map((word) => word.length));

/** A form and its weight as evidence, in one number. */
const sighting = (form: number, word: string) => form * 4 + (word.length >= LONG_KEYWORD ? 2 : 1);

/**
 * Every form of every keyword by hash: itself, its 25 letter shifts, its atbash
 * and its reversal, so one hash per word finds them all; and common short words
 * backwards (`eht`, `ruoy`).
 */
const FORMS = new HashTable<number>();
for (const keyword of CIPHER_KEYWORDS) {
  FORMS.add(hashWord(keyword), sighting(AS_IS, keyword));
  for (let shift = 1; shift < 26; shift += 1)
    FORMS.add(hashWord(shiftWord(keyword, shift)), sighting(shift, keyword));
  FORMS.add(hashWord(atbashWord(keyword)), sighting(ATBASH, keyword));
  FORMS.add(hashWord([...keyword].reverse().join("")), sighting(BACKWARDS, keyword));
}
for (const word of FUNCTION_WORDS)
  FORMS.add(hashWord([...word].reverse().join("")), sighting(BACKWARDS, word));
const FORM_BITS = FORMS.bits;

/** Every keyword and every keyword less one letter, by hash: the deletion neighbourhood. */
const NEAR = new HashTable<string>();
for (const keyword of TYPO_KEYWORDS) {
  NEAR.add(hashWord(keyword), keyword);
  for (let index = 0; index < keyword.length; index += 1)
    NEAR.add(hashWord(deleteAt(keyword, index)), keyword);
}
const NEAR_BITS = NEAR.bits;

/**
 * What one edit leaves of a keyword of six letters or more: an edit at its
 * fourth letter or later keeps the first three; one before keeps the last
 * three, except a swap of the third and fourth letters of a six-letter
 * keyword, which keeps the first two and the last two. Per first three, last
 * three, first two and last two letters (as numbers 1–26), the lengths of
 * the typo keywords they begin or end, one bit each from six letters
 * (`SHORTEST_TYPO`); a word can only be a misspelling of a keyword one letter
 * longer or shorter than it, or as long.
 */
const SHORTEST_TYPO = 6;
const HEAD3 = new Uint16Array(27 * 27 * 27);
const TAIL3 = new Uint16Array(27 * 27 * 27);
const HEAD2 = new Uint16Array(27 * 27);
const TAIL2 = new Uint16Array(27 * 27);
for (const keyword of TYPO_KEYWORDS) {
  // Shorter keywords are never folded to (see `keywordFor`); longer ones need wider tables.
  if (keyword.length < SHORTEST_TYPO) continue;
  if (keyword.length >= SHORTEST_TYPO + 16) throw new Error(`typo keyword too long: ${keyword}`);
  const at = (index: number) => keyword.charCodeAt(index) - 96;
  const last = keyword.length - 1;
  const bit = 1 << (keyword.length - SHORTEST_TYPO);
  HEAD3[(at(0) * 27 + at(1)) * 27 + at(2)]! |= bit;
  TAIL3[(at(last - 2) * 27 + at(last - 1)) * 27 + at(last)]! |= bit;
  HEAD2[at(0) * 27 + at(1)]! |= bit;
  TAIL2[at(last - 1) * 27 + at(last)]! |= bit;
}

/** Whether the word of `units` from `start` to `end` keeps what one edit leaves of some typo keyword. */
function endsLikeKeyword(units: Uint16Array, start: number, end: number): boolean {
  const letter = (at: number) => (units[at]! | 0x20) - 96;
  // Keywords a letter shorter than the word, as long, or a letter longer.
  const lengths = (7 << (end - start - 1)) >> SHORTEST_TYPO;
  const head = letter(start) * 27 + letter(start + 1);
  const tail = letter(end - 2) * 27 + letter(end - 1);
  return (
    (HEAD3[head * 27 + letter(start + 2)]! & lengths) !== 0 ||
    (TAIL3[letter(end - 3) * 729 + tail]! & lengths) !== 0 ||
    ((HEAD2[head]! & lengths) !== 0 && (TAIL2[tail]! & lengths) !== 0)
  );
}

const POWERS = new Int32Array(MAX_WORD + 1);
POWERS[0] = 1;
for (let index = 1; index <= MAX_WORD; index += 1)
  POWERS[index] = Math.imul(POWERS[index - 1] ?? 0, HASH_BASE);

/** True when `a` becomes `b` by one insertion, deletion, substitution or swap of neighbours. */
function oneEditApart(a: string, b: string): boolean {
  if (a === b || Math.abs(a.length - b.length) > 1) return false;
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head += 1;
  if (a.length === b.length) {
    if (a.slice(head + 1) === b.slice(head + 1)) return true;
    return (
      a[head] === b[head + 1] && a[head + 1] === b[head] && a.slice(head + 2) === b.slice(head + 2)
    );
  }
  return a.length > b.length
    ? a.slice(head + 1) === b.slice(head)
    : a.slice(head) === b.slice(head + 1);
}

/** The keyword a word is a misspelling of, or undefined. */
function keywordFor(
  text: string,
  units: Uint16Array,
  start: number,
  length: number,
  hash: number,
): string | undefined {
  const bits = NEAR_BITS;
  const powers = POWERS;
  const values = UNIT_VALUE;
  let candidates: string[] | undefined;
  if (mayHold(bits, hash)) candidates = [...(NEAR.get(hash) ?? [])];
  // The hash of the word's first `index` letters, from which each deletion's hash follows.
  let prefix = 0;
  for (let index = 0; index < length; index += 1) {
    const longer = (Math.imul(prefix, HASH_BASE) + values[units[start + index]!]!) | 0;
    // Dropping letter `index` shortens the prefix before it by one power: subtract the difference.
    const shorter = (hash - Math.imul((longer - prefix) | 0, powers[length - 1 - index]!)) | 0;
    prefix = longer;
    // `mayHold`, written out: the call is not inlined across modules.
    const slot = shorter >>> 16;
    if (((bits[slot >>> 5]! >>> (slot & 31)) & 1) === 0) continue;
    const near = NEAR.get(shorter);
    if (near) (candidates ??= []).push(...near);
  }
  if (!candidates) return undefined;
  const word = text.slice(start, start + length).toLowerCase();
  if (REAL_NEIGHBOURS.has(word)) return undefined;
  return candidates.find((keyword) => keyword.length >= 6 && oneEditApart(word, keyword));
}

/** Evidence per form (`AS_IS` … `BACKWARDS`) and letter counts; reused, since a scan never nests. */
const SIGHTINGS = new Int32Array(BACKWARDS + 1);
const LETTERS = new Int32Array(27);
const UNITS = new TextUnits();
let KEYS = new Int32Array(1024);
/** Per code unit: its `TOKEN_VALUE` (letters 1–26), 0 outside ASCII. */
const UNIT_VALUE = new Uint8Array(65536);
UNIT_VALUE.set(TOKEN_VALUE);

/** The hash key of the token of `units` from `start` to `end`, as the word gate hashes it. */
function tokenKey(units: Uint16Array, start: number, end: number): number {
  let hash = 0;
  for (let index = start; index < end; index += 1)
    hash = (Math.imul(hash, HASH_BASE) + (UNIT_VALUE[units[index]!] ?? 0)) | 0;
  return hash & KEY_BITS;
}

/** Adds the sightings of a word by its hash; false when it is a keyword as it is. */
function sight(hash: number): boolean {
  // `mayHold`, written out.
  const slot = hash >>> 16;
  if (((FORM_BITS[slot >>> 5]! >>> (slot & 31)) & 1) === 0) return true;
  const forms = FORMS.get(hash);
  if (!forms) return true;
  for (const form of forms) if (form >> 2 === AS_IS) return false;
  for (const form of forms) SIGHTINGS[form >> 2] = (SIGHTINGS[form >> 2] ?? 0) + (form & 3);
  return true;
}

/** What a word of three letters or more tells: sightings, and a misspelling. */
function scanWord(
  text: string,
  units: Uint16Array,
  start: number,
  length: number,
  hash: number,
  misspellings: Misspelling[],
) {
  if (length > MAX_WORD || !sight(hash) || length < MIN_WORD) return;
  if (!endsLikeKeyword(units, start, start + length)) return;
  const keyword = keywordFor(text, units, start, length, hash);
  if (keyword) misspellings.push({ start, end: start + length, keyword });
}

/**
 * Scans the ASCII words of `text` (look-alike letters are folded before) for
 * hidden keywords. With `tokens`, the same pass gives the word gate every
 * ASCII token of the text (a token of letters is a word here, so its hash is
 * the word's), and says whether the text has any character outside ASCII.
 */
export function scanKeywords(text: string, tokens?: TokenMarker): KeywordScan {
  const misspellings: Misspelling[] = [];
  SIGHTINGS.fill(0);
  LETTERS.fill(0);
  const units = UNITS.read(text);
  // Locals, not module bindings, in the per-letter loop: the engine checks those on every read.
  const letters = LETTERS;
  const values = UNIT_VALUE;
  const base = HASH_BASE;
  const length = text.length;
  // The word (letters) runs from `start`, `hash` is its hash; the token (letters, digits
  // and `_`) runs from `tokenStart`, and is `mixed` when it holds a digit or `_`.
  let start = 0;
  let tokenStart = 0;
  let hash = 0;
  let mixed = false;
  let high = 0;
  // One-letter words in a row, and where the separator after the last one is; where the
  // current run of spaces and tabs starts, and its last one.
  let singles = 0;
  let afterSingle = -2;
  let blankRun = -4;
  let lastBlank = -4;
  let spacedLetters = false;
  let blankRuns = false;
  // Every token's key, handed to the gate at the end in one call.
  if (KEYS.length <= length) KEYS = new Int32Array(length + 1);
  const keys = KEYS;
  let count = 0;
  for (let index = 0; index <= length; index += 1) {
    // The unit after the text is 0 (`TextUnits`): the last word ends there.
    const code = units[index]!;
    // A letter (1–26), in one unsigned comparison (`| 0x20` puts upper case on lower case).
    const letter = (code | 0x20) - 96;
    if ((letter - 1) >>> 0 < 26) {
      letters[letter]! += 1;
      hash = (Math.imul(hash, base) + letter) | 0;
      continue;
    }
    const value = values[code]!;
    const size = index - start;
    if (size >= SHORTEST) scanWord(text, units, start, size, hash, misspellings);
    else if (size === 1) {
      // A one-letter word right after blanks, and nothing else, after another extends the run.
      singles = blankRun === afterSingle && lastBlank === index - 2 ? singles + 1 : 1;
      if (singles >= 4) spacedLetters = true;
      afterSingle = index;
    }
    start = index + 1;
    if (value !== 0) {
      // A digit or `_`: the word ends, the token goes on.
      mixed = true;
      hash = 0;
      continue;
    }
    if (code === 32 || code === 9) {
      if (lastBlank === index - 1) blankRuns = true;
      else blankRun = index;
      lastBlank = index;
    }
    high |= code;
    if (index > tokenStart)
      keys[count++] = mixed ? tokenKey(units, tokenStart, index) : hash & KEY_BITS;
    tokenStart = index + 1;
    hash = 0;
    mixed = false;
  }
  if (tokens) tokens.tokens(keys, count, high >= 128);
  let shift = 0;
  for (let candidate = 1; candidate < ATBASH; candidate += 1) {
    const sightings = SIGHTINGS[candidate] ?? 0;
    if (sightings >= CIPHER_EVIDENCE && sightings > (SIGHTINGS[shift] ?? 0)) shift = candidate;
  }
  let atbash = (SIGHTINGS[ATBASH] ?? 0) >= CIPHER_EVIDENCE;
  if (shift === 0 && !atbash) ({ shift, atbash } = guessCipher(letters.subarray(1)));
  return {
    misspellings,
    shift,
    atbash,
    reversed: (SIGHTINGS[BACKWARDS] ?? 0) >= CIPHER_EVIDENCE,
    spacedLetters,
    blankRuns,
  };
}
