/**
 * Leetspeak inside words (`1gn0re` → `ignore`), found faster than a plain
 * global regex finds it. A word is a run of letters, digits, `@` and `$` with
 * a letter and a leetspeak character among its first 64: the global pattern
 * asks that with two lookaheads at every word boundary of the text, which is
 * most of the cost of folding a prompt. Here the same pattern only runs where a
 * leetspeak character is within reach, with the same result.
 */

const LEET: Readonly<Record<string, string>> = {
  "0": "o",
  "1": "i",
  "3": "e",
  "4": "a",
  "5": "s",
  "7": "t",
  "@": "a",
  $: "s",
};

/** The pattern a global replace would use; kept as the definition of a leetspeak word. */
const SOURCE = String.raw`\b(?=[a-z0-9@$]{0,63}[a-z])(?=[a-z0-9@$]{0,63}[013457@$])[a-z0-9@$]{2,64}\b`;
/** The same pattern, tried at one position at a time. */
const WORD_AT = new RegExp(SOURCE, "iy");
const LEET_CHARACTER = /[013457@$]/g;
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
const isLetter = (code: number) => (code | 0x20) >= 97 && (code | 0x20) <= 122;

/**
 * `text` with the leetspeak characters of each leetspeak word replaced by the
 * letters they stand for: exactly `text.replace(new RegExp(SOURCE, "gi"), …)`.
 * A match is a stretch of one run of word characters and holds a leetspeak
 * character within its first 64, so runs without a letter (`2024`) are passed
 * over whole, and in the others only the positions up to 63 before each
 * leetspeak character are tried, each once, and only at a word boundary.
 */
export function replaceLeetWords(text: string): string {
  let folded = "";
  let copied = 0;
  let cursor = 0;
  let tried = 0;
  let runStart = 0;
  let runEnd = 0;
  LEET_CHARACTER.lastIndex = 0;
  for (let leet = LEET_CHARACTER.exec(text); leet; leet = LEET_CHARACTER.exec(text)) {
    const at = leet.index;
    if (at >= runEnd) {
      runStart = at;
      while (runStart > cursor && inWord(text.charCodeAt(runStart - 1))) runStart -= 1;
      let letter = false;
      for (runEnd = runStart; runEnd < text.length; runEnd += 1) {
        const code = text.charCodeAt(runEnd);
        if (!inWord(code)) break;
        letter ||= isLetter(code);
      }
      if (!letter) {
        LEET_CHARACTER.lastIndex = runEnd;
        continue;
      }
    }
    let matched = false;
    for (let start = Math.max(cursor, tried, runStart, at - REACH); start <= at; start += 1) {
      tried = start + 1;
      if (wordAt(text, start - 1) === wordAt(text, start)) continue;
      WORD_AT.lastIndex = start;
      const match = WORD_AT.exec(text);
      if (!match) continue;
      const end = start + match[0].length;
      folded +=
        text.slice(copied, start) +
        match[0].replace(/[013457@$]/g, (character) => LEET[character] ?? character);
      copied = cursor = tried = end;
      LEET_CHARACTER.lastIndex = end;
      matched = true;
      break;
    }
    if (!matched) LEET_CHARACTER.lastIndex = at + 1;
  }
  return copied === 0 ? text : folded + text.slice(copied);
}
