/**
 * Readings of a text with its word-level disguises undone: misspelt attack
 * keywords spelt right, a letter-shift cipher (rot13, any Caesar shift) or
 * atbash deciphered, backwards writing turned round. A reading is made only
 * when `scanKeywords` found the disguise, so ordinary text costs one pass.
 */
import { scanKeywords, type KeywordScan, type Misspelling } from "./keyword-scan.ts";

/** A reading of the text, and the disguise it undoes. */
export interface Variant {
  text: string;
  encoding: string;
}

/**
 * Chat shorthand and short words typed with a letter missing (too short for the
 * keyword scan's one-edit rule), only worth spelling out where a keyword was
 * misspelt too: whoever writes `ignor` also writes `u`, `ur`, `abt`, `shw`.
 */
const SHORTHAND: Readonly<Record<string, string>> = {
  u: "you",
  ya: "you",
  ur: "your",
  yor: "your",
  yuor: "your",
  yoru: "your",
  "you're": "your",
  "you’re": "your",
  youre: "your",
  r: "are",
  pls: "please",
  plz: "please",
  msg: "message",
  msgs: "messages",
  wat: "what",
  wut: "what",
  wht: "what",
  abt: "about",
  frm: "from",
  shw: "show",
  admn: "admin",
  sys: "system",
  dont: "don't",
  evry: "every",
  rulz: "rules",
  hidn: "hidden",
  instr: "instructions",
  instrs: "instructions",
  n: "and",
  w: "with",
  cud: "could",
};
const SHORT_WORD = new RegExp(
  `(?<![\\w'’])(?:${Object.keys(SHORTHAND).join("|")})(?![\\w'’])`,
  "gi",
);

function spellOut(text: string, misspellings: readonly Misspelling[]): string {
  let fixed = "";
  let cursor = 0;
  for (const { start, end, keyword } of misspellings) {
    fixed += text.slice(cursor, start) + keyword;
    cursor = end;
  }
  return (fixed + text.slice(cursor)).replace(
    SHORT_WORD,
    (word) => SHORTHAND[word.toLowerCase()] ?? word,
  );
}

function mapLetters(text: string, letter: (index: number) => number): string {
  return text.replace(/[a-z]/gi, (character) => {
    const code = character.charCodeAt(0);
    const base = code >= 97 ? 97 : 65;
    return String.fromCharCode(base + letter(code - base));
  });
}

/** Every word written backwards, the words staying in place. */
function reverseWords(text: string): string {
  return text.replace(/[a-z']+/gi, (word) => [...word].reverse().join(""));
}

/** Which disguises to undo. */
export interface KeywordVariantOptions {
  misspellings: boolean;
  ciphers: boolean;
}

/**
 * The readings of `text` that undo the word-level disguises found in it
 * (`scan`: what `scanKeywords` found in it, when already known).
 */
export function keywordVariants(
  text: string,
  options: KeywordVariantOptions,
  scan: KeywordScan = scanKeywords(text),
): Variant[] {
  const variants: Variant[] = [];
  if (options.misspellings && scan.misspellings.length)
    variants.push({ text: spellOut(text, scan.misspellings), encoding: "misspelling" });
  if (!options.ciphers) return variants;
  if (scan.shift) {
    const back = 26 - scan.shift;
    variants.push({
      text: mapLetters(text, (letter) => (letter + back) % 26),
      encoding: scan.shift === 13 ? "rot13" : "caesar",
    });
  }
  if (scan.atbash)
    variants.push({ text: mapLetters(text, (letter) => 25 - letter), encoding: "atbash" });
  if (scan.reversed) {
    variants.push({ text: [...text].reverse().join(""), encoding: "reversed" });
    variants.push({ text: reverseWords(text), encoding: "reversed" });
  }
  return variants;
}
