/**
 * Undoes the obfuscations attackers use to slip instructions past pattern
 * matching. Each function is linear in the text length.
 */

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
const LOOKALIKE_PATTERN = new RegExp(`[${Object.keys(LOOKALIKES).join("")}]`, "g");
const LEET_WORD = /\b(?=[a-z0-9@$]*[a-z])(?=[a-z0-9@$]*[013457@$])[a-z0-9@$]{3,}\b/gi;
const SPACED_LETTERS = /\b(?:[A-Za-z][ .\-_]){3,}[A-Za-z]\b/g;

/**
 * Folds Cyrillic and Greek look-alikes to Latin, leetspeak inside words
 * (`1gn0re` → `ignore`) and letter-by-letter spacing (`i g n o r e` → `ignore`).
 */
export function foldHomoglyphs(text: string): string {
  return text
    .replace(LOOKALIKE_PATTERN, (character) => LOOKALIKES[character] ?? character)
    .replace(LEET_WORD, (word) =>
      word.replace(/[013457@$]/g, (character) => LEET[character] ?? character),
    )
    .replace(SPACED_LETTERS, (run) => run.replace(/[ .\-_]/g, ""));
}

const BASE64_RUN = /(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{16,4096}={0,2}(?![A-Za-z0-9+/=])/g;

/** Decodes base64 runs that hide readable text; returns only the readable decodings. */
export function decodeBase64Runs(text: string): string[] {
  const decoded: string[] = [];
  for (const match of text.matchAll(BASE64_RUN)) {
    const run = match[0];
    if (run.length % 4 === 1) continue;
    let plain: string;
    try {
      plain = atob(run.padEnd(Math.ceil(run.length / 4) * 4, "="));
    } catch {
      continue;
    }
    let printable = 0;
    for (let index = 0; index < plain.length; index += 1) {
      const code = plain.charCodeAt(index);
      if ((code >= 32 && code < 127) || code === 10 || code === 13 || code === 9) printable += 1;
    }
    if (plain.length > 0 && printable / plain.length > 0.9 && /[a-z]{3}/i.test(plain))
      decoded.push(plain);
  }
  return decoded;
}
