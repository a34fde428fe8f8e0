/**
 * Undoes the obfuscations attackers use to slip instructions past pattern
 * matching. Each function is linear in the text length.
 */
import { replaceLeetWords } from "./leet-words.ts";
import { isAscii, TextUnits } from "./text-units.ts";

// Combining joiners and variation selectors sit alone in this class on purpose: each is removed.
const INVISIBLE =
  // eslint-disable-next-line no-misleading-character-class
  /[\u00AD\u034F\u061C\u115F\u1160\u17B4\u17B5\u180B-\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u206F\uFE00-\uFE0F\uFEFF]/g;

/** NFKC (fullwidth and styled letters become plain) and removal of zero-width and bidi controls. */
export function normalizeUnicode(text: string): string {
  return text.normalize("NFKC").replace(INVISIBLE, "");
}

const LOOKALIKES: Readonly<Record<string, string>> = {
  // Cyrillic
  а: "a",
  в: "b",
  е: "e",
  ё: "e",
  к: "k",
  м: "m",
  н: "h",
  о: "o",
  р: "p",
  с: "c",
  т: "t",
  у: "y",
  х: "x",
  і: "i",
  ї: "i",
  ј: "j",
  ѕ: "s",
  ԁ: "d",
  ԛ: "q",
  ԝ: "w",
  ӏ: "l",
  ɡ: "g",
  А: "A",
  В: "B",
  Е: "E",
  К: "K",
  М: "M",
  Н: "H",
  О: "O",
  Р: "P",
  С: "C",
  Т: "T",
  Х: "X",
  І: "I",
  Ј: "J",
  Ѕ: "S",
  // Greek
  α: "a",
  β: "b",
  ε: "e",
  η: "n",
  ι: "i",
  κ: "k",
  ν: "v",
  ο: "o",
  ρ: "p",
  τ: "t",
  υ: "u",
  χ: "x",
  γ: "y",
  Α: "A",
  Β: "B",
  Ε: "E",
  Ζ: "Z",
  Η: "H",
  Ι: "I",
  Κ: "K",
  Μ: "M",
  Ν: "N",
  Ο: "O",
  Ρ: "P",
  Τ: "T",
  Υ: "Y",
  Χ: "X",
};
const LOOKALIKE_PATTERN = new RegExp(`[${Object.keys(LOOKALIKES).join("")}]`, "g");
// A joiner between two letters: the class first, so that the engine looks for it before anything else.
const JOINER = /[._*~+|/-](?<=[A-Za-z].)(?=[A-Za-z])/g;
const DECORATION = /[\p{Extended_Pictographic}\p{So}*_`~\u2190-\u21FF]+/gu;
/** `DECORATION` on ASCII text: no ASCII character is a pictograph, an other symbol or an arrow. */
const ASCII_DECORATION = /[*_`~]+/g;
const ASCII_DECORATION_MARKS = ["*", "_", "`", "~"];
const SPACE_RUN = /[ \t]{2,64}/g;
const SPACED_LETTERS = /\b(?:[A-Za-z] ){3,64}[A-Za-z]\b/g;

/** Words an attack is spelled with, to re-split `i g n o r e a l l` into `ignore all`. */
const ATTACK_WORDS = new Set(
  (
    "a above act admin all an and answer are as assistant before bypass content context dan " +
    "developer disable disregard do dump enable every everything filter filters first for " +
    "forget full give guidelines hidden i ignore in initial instructions is jailbreak me " +
    "message mode new no now of on only or output override please policy previous print " +
    "prior prompt prompts repeat restrictions reveal rules safety say secret show system " +
    "tell that the this to unfiltered unrestricted you your switch enter activate pretend " +
    "roleplay translate write what were told given god sudo root debug maintenance"
  ).split(" "),
);

/** Splits a run of letters into attack words, or returns it whole when it does not split. */
function segment(run: string): string {
  const lower = run.toLowerCase();
  const best: Array<number[] | undefined> = [[]];
  for (let end = 1; end <= lower.length; end += 1) {
    for (let start = Math.max(0, end - 12); start < end; start += 1) {
      const before = best[start];
      if (!before || !ATTACK_WORDS.has(lower.slice(start, end))) continue;
      const current = best[end];
      if (!current || current.length > before.length + 1) best[end] = [...before, start];
    }
  }
  const cuts = best[lower.length];
  if (!cuts) return run;
  return cuts.map((start, index) => run.slice(start, cuts[index + 1] ?? run.length)).join(" ");
}

/** A folded text, and where it differs from the text it was folded from. */
export interface Folded {
  text: string;
  /**
   * The windows of `text-windows.ts`, when every change replaced characters
   * one for one (look-alikes, leetspeak, joiners: in order, overlapping at
   * most); undefined when a change moved the rest (decoration).
   */
  windows: number[] | undefined;
}

/**
 * Folds Cyrillic and Greek look-alikes to Latin, leetspeak inside words
 * (`1gn0re` → `ignore`), words joined by punctuation (`ignore.all-previous`),
 * emoji and markdown decoration between words, and letter-by-letter spacing
 * (`i g n o r e a l l` → `ignore all`).
 */
export function foldHomoglyphs(text: string): string {
  return joinSpacedLetters(collapseBlankRuns(foldUntilSpacing(text).text).text);
}

/**
 * `foldHomoglyphs` but its last two steps (`collapseBlankRuns`,
 * `joinSpacedLetters`), telling where the folded text differs from `text`
 * when it can. Those steps change a text only where two blanks or four
 * one-letter words stand in a row, which the caller's own pass over the
 * words can see (`KeywordScan.blankRuns`, `KeywordScan.spacedLetters`).
 */
export function foldUntilSpacing(text: string): Folded {
  const lookalikes: number[] = [];
  const leet: number[] = [];
  const joiners: number[] = [];
  // Look-alikes and decoration other than `*_\`~` are outside ASCII.
  const ascii = isAscii(text);
  const latin = ascii
    ? text
    : text.replace(LOOKALIKE_PATTERN, (character: string, offset: number) => {
        lookalikes.push(offset, offset + 1);
        return LOOKALIKES[character] ?? character;
      });
  const kept = replaceLeetWords(latin, leet).replace(JOINER, (_joiner: string, offset: number) => {
    joiners.push(offset, offset + 1);
    return " ";
  });
  let folded = kept;
  // Native look-ups first: most texts have no decoration.
  if (!ascii || ASCII_DECORATION_MARKS.some((mark) => kept.includes(mark)))
    folded = folded.replace(ascii ? ASCII_DECORATION : DECORATION, " ");
  // Changes everywhere are better found by comparing the texts than by sorting them.
  const changed = lookalikes.length + leet.length + joiners.length;
  if (folded !== kept || changed > text.length / 4) return { text: folded, windows: undefined };
  return { text: folded, windows: mergeWindows(lookalikes, leet, joiners) };
}

/** A text with its runs of blanks made one space, and where each position of the text went. */
export interface Collapsed {
  text: string;
  /** The position in `text` of a position of the text before, outside a run of blanks. */
  moved(position: number): number;
}

/**
 * The fold's step after decoration: runs of spaces and tabs (two to 64) made
 * one space. It only moves characters: the words and tokens stay as they are.
 */
export function collapseBlankRuns(text: string): Collapsed {
  // Where each run ended, and how many characters were left out up to there.
  const ends: number[] = [];
  const removed: number[] = [];
  let total = 0;
  const collapsed = text.replace(SPACE_RUN, (run: string, offset: number) => {
    total += run.length - 1;
    ends.push(offset + run.length);
    removed.push(total);
    return " ";
  });
  let at = 0;
  return {
    text: collapsed,
    // Positions are asked in order (misspellings), so the runs are walked once.
    moved(position) {
      if (at > 0 && position < ends[at - 1]!) at = 0;
      while (at < ends.length && ends[at]! <= position) at += 1;
      return position - (at > 0 ? removed[at - 1]! : 0);
    },
  };
}

/** The last step of `foldHomoglyphs`: letters spelt out one by one (`i g n o r e`) joined into words. */
export function joinSpacedLetters(text: string): string {
  return text.replace(SPACED_LETTERS, (run) => segment(run.replace(/ /g, "")));
}

/** The windows of lists each in order, in order of their starts. */
function mergeWindows(...lists: number[][]): number[] {
  const filled = lists.filter((list) => list.length > 0);
  if (filled.length <= 1) return filled[0] ?? [];
  const merged: number[] = [];
  const next = filled.map(() => 0);
  for (;;) {
    // The list whose next window starts first.
    let first = -1;
    filled.forEach((list, index) => {
      const at = next[index]!;
      if (at < list.length && (first < 0 || list[at]! < filled[first]![next[first]!]!))
        first = index;
    });
    if (first < 0) return merged;
    const at = next[first]!;
    merged.push(filled[first]![at]!, filled[first]![at + 1]!);
    next[first] = at + 2;
  }
}

/** Per ASCII code unit: 1 for base64's alphabet `[A-Za-z0-9+/]`, 0 for any other. */
const BASE64_UNIT = Uint8Array.from({ length: 128 }, (_, code) =>
  /[A-Za-z0-9+/]/.test(String.fromCharCode(code)) ? 1 : 0,
);
const MIN_RUN = 16;
const MAX_RUN = 4096;

function decodeHex(run: string): string {
  let plain = "";
  for (let index = 0; index + 1 < run.length; index += 2)
    plain += String.fromCharCode(Number.parseInt(run.slice(index, index + 2), 16));
  return plain;
}

/** The readable text a base64 (or hex) run decodes to, or undefined. */
function readable(run: string): string | undefined {
  let plain: string;
  if (/^[0-9a-f]+$/i.test(run) && run.length % 2 === 0) {
    plain = decodeHex(run);
  } else {
    if (run.length % 4 === 1) return undefined;
    try {
      plain = atob(run.padEnd(Math.ceil(run.length / 4) * 4, "="));
    } catch {
      return undefined;
    }
  }
  let printable = 0;
  for (let index = 0; index < plain.length; index += 1) {
    const code = plain.charCodeAt(index);
    if ((code >= 32 && code < 127) || code === 10 || code === 13 || code === 9) printable += 1;
  }
  return plain.length > 0 && printable / plain.length > 0.9 && /[a-z]{3}/i.test(plain)
    ? plain
    : undefined;
}

/** Per code unit: 1 in base64's alphabet, else 0 (a table over all units: no ASCII test). */
const IN_ALPHABET = new Uint8Array(65536);
IN_ALPHABET.set(BASE64_UNIT);
const UNITS = new TextUnits();

/**
 * Decodes base64 runs (and runs of hex digits, which look like base64 too) that
 * hide readable text; returns only the readable decodings. A run is a maximal
 * stretch of `[A-Za-z0-9+/]`, 16 to 4096 long, with up to two `=` after it and
 * then neither: what `/(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{16,4096}={0,2}(?![A-Za-z0-9+/=])/g`
 * matches. A run of 16 or more holds every 16th position after the end of the
 * run before it, so only those positions are probed, and the text around a
 * probe only read when it is in the alphabet: a fraction of the code units of
 * ordinary text, whose runs are words.
 */
export function decodeBase64Runs(text: string): string[] {
  const decoded: string[] = [];
  const length = text.length;
  const units = UNITS.read(text);
  const alphabet = IN_ALPHABET;
  // `barrier` is a position known to be outside the alphabet (or -1): runs start after it.
  let barrier = -1;
  for (let probe = MIN_RUN - 1; probe < length; probe = barrier + MIN_RUN) {
    if (alphabet[units[probe]!] === 0) {
      barrier = probe;
      continue;
    }
    let start = probe;
    while (start > barrier + 1 && alphabet[units[start - 1]!] === 1) start -= 1;
    // The unit after the text is 0 (`TextUnits`), outside the alphabet.
    let end = probe + 1;
    while (alphabet[units[end]!] === 1) end += 1;
    barrier = end;
    if (end - start < MIN_RUN || end - start > MAX_RUN) continue;
    let padding = end;
    while (padding < length && padding - end < 3 && units[padding] === 61) padding += 1;
    if (padding - end === 3) continue;
    if (alphabet[units[padding]!] === 1) continue;
    const plain = readable(text.slice(start, padding));
    if (plain !== undefined) decoded.push(plain);
  }
  return decoded;
}
