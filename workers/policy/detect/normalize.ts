/**
 * Undoes the obfuscations attackers use to slip instructions past pattern
 * matching. Each function is linear in the text length.
 */
import { replaceLeetWords } from "./leet-words.ts";

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
// The letter before the joiner is captured and put back, not looked behind for: a fifth of the cost.
const JOINER = /([A-Za-z])[._*~+|/-](?=[A-Za-z])/g;
const DECORATION = /[\p{Extended_Pictographic}\p{So}*_`~\u2190-\u21FF]+/gu;
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

/**
 * Folds Cyrillic and Greek look-alikes to Latin, leetspeak inside words
 * (`1gn0re` → `ignore`), words joined by punctuation (`ignore.all-previous`),
 * emoji and markdown decoration between words, and letter-by-letter spacing
 * (`i g n o r e a l l` → `ignore all`).
 */
export function foldHomoglyphs(text: string): string {
  return replaceLeetWords(
    text.replace(LOOKALIKE_PATTERN, (character) => LOOKALIKES[character] ?? character),
  )
    .replace(JOINER, "$1 ")
    .replace(DECORATION, " ")
    .replace(SPACE_RUN, " ")
    .replace(SPACED_LETTERS, (run) => segment(run.replace(/ /g, "")));
}

const BASE64_RUN = /(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{16,4096}={0,2}(?![A-Za-z0-9+/=])/g;

function decodeHex(run: string): string {
  let plain = "";
  for (let index = 0; index + 1 < run.length; index += 2)
    plain += String.fromCharCode(Number.parseInt(run.slice(index, index + 2), 16));
  return plain;
}

/**
 * Decodes base64 runs (and runs of hex digits, which look like base64 too) that
 * hide readable text; returns only the readable decodings.
 */
export function decodeBase64Runs(text: string): string[] {
  const decoded: string[] = [];
  for (const match of text.matchAll(BASE64_RUN)) {
    const run = match[0];
    let plain: string;
    if (/^[0-9a-f]+$/i.test(run) && run.length % 2 === 0) {
      plain = decodeHex(run);
    } else {
      if (run.length % 4 === 1) continue;
      try {
        plain = atob(run.padEnd(Math.ceil(run.length / 4) * 4, "="));
      } catch {
        continue;
      }
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
