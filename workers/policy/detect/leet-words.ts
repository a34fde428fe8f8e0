/**
 * Leetspeak inside words (`1gn0re` → `ignore`), found faster than a plain
 * global regex finds it. A word is a run of letters, digits, `@` and `$` with
 * a letter and a leetspeak character among its first 64: the global pattern
 * asks that with two lookaheads at every word boundary of the text, which is
 * most of the cost of folding a prompt. Here the same pattern only runs where a
 * leetspeak character is within reach, with the same result.
 */

/** The leetspeak characters the fold reads as letters. */
export const LEET: Readonly<Record<string, string>> = {
  "0": "o",
  "1": "i",
  "3": "e",
  "4": "a",
  "5": "s",
  "7": "t",
  "@": "a",
  $: "s",
};

/** Per ASCII code unit, the letter a leetspeak character stands for (as a code), else 0. */
const LEET_CODE = Uint8Array.from({ length: 128 }, (_, code) =>
  (LEET[String.fromCharCode(code)] ?? "\0").charCodeAt(0),
);

/** The pattern a global replace would use; kept as the definition of a leetspeak word. */
const SOURCE = String.raw`\b(?=[a-z0-9@$]{0,63}[a-z])(?=[a-z0-9@$]{0,63}[013457@$])[a-z0-9@$]{2,64}\b`;
/** The same pattern, tried at one position at a time. */
const WORD_AT = new RegExp(SOURCE, "iy");
/** How far before a leetspeak character a word holding it can start. */
const REACH = 63;

const isWordCode = (code: number) =>
  (code >= 48 && code <= 57) ||
  (code >= 65 && code <= 90) ||
  (code >= 97 && code <= 122) ||
  code === 95;
const wordAt = (text: string, index: number) =>
  index >= 0 && index < text.length && isWordCode(text.charCodeAt(index));
/** A character a leetspeak word is made of: a letter, a digit, `@` or `$`. */
const inWord = (code: number) =>
  (code >= 48 && code <= 57) ||
  ((code | 0x20) >= 97 && (code | 0x20) <= 122) ||
  code === 64 ||
  code === 36;
/** A leetspeak character: `0 1 3 4 5 7 @ $`. */
const isLeet = (code: number) =>
  code === 48 ||
  code === 49 ||
  code === 51 ||
  code === 52 ||
  code === 53 ||
  code === 55 ||
  code === 64 ||
  code === 36;

/**
 * A digit, `@` or `$` next to a letter: every run of word characters that
 * holds both a letter and a leetspeak character has one, and runs of digits
 * (`2024`, `555-0132`) or of letters have none, so only the runs found by it
 * are read. The class comes first so that the engine looks for it alone.
 */
const MIXED = /[0-9@$](?:(?<=[A-Za-z].)|(?=[A-Za-z]))/g;

/**
 * `text` with the leetspeak characters of each leetspeak word replaced by the
 * letters they stand for: exactly `text.replace(new RegExp(SOURCE, "gi"), …)`.
 * A match is a stretch of one run of word characters and holds a leetspeak
 * character within its first 64, so only runs with a letter next to a digit,
 * `@` or `$` are read, and in them only the positions up to 63 before each
 * leetspeak character are tried, each once, and only at a word boundary.
 * With `changes`, the start and end of each word replaced are pushed to it.
 */
export function replaceLeetWords(text: string, changes?: number[]): string {
  let folded = "";
  let copied = 0;
  let cursor = 0;
  let tried = 0;
  MIXED.lastIndex = 0;
  // `test`, not `exec`: the position is `lastIndex - 1`, and no match object is made.
  while (MIXED.test(text)) {
    let runStart = MIXED.lastIndex - 1;
    while (runStart > cursor && inWord(text.charCodeAt(runStart - 1))) runStart -= 1;
    let runEnd = MIXED.lastIndex;
    while (runEnd < text.length && inWord(text.charCodeAt(runEnd))) runEnd += 1;
    MIXED.lastIndex = runEnd;
    for (let at = runStart; at < runEnd; at += 1) {
      if (!isLeet(text.charCodeAt(at))) continue;
      for (let start = Math.max(cursor, tried, runStart, at - REACH); start <= at; start += 1) {
        tried = start + 1;
        if (wordAt(text, start - 1) === wordAt(text, start)) continue;
        WORD_AT.lastIndex = start;
        // Sticky: a match starts at `start` and ends at `lastIndex`.
        if (!WORD_AT.test(text)) continue;
        const end = WORD_AT.lastIndex;
        const word: number[] = [];
        for (let index = start; index < end; index += 1) {
          const code = text.charCodeAt(index);
          word.push(LEET_CODE[code] || code);
        }
        folded += text.slice(copied, start) + String.fromCharCode(...word);
        changes?.push(start, end);
        copied = cursor = tried = end;
        // The next leetspeak character tried is the first after the word.
        at = end - 1;
        break;
      }
    }
  }
  return copied === 0 ? text : folded + text.slice(copied);
}
