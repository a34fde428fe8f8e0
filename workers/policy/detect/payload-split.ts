/**
 * Puts back together an attack split into pieces so that no piece reads as one:
 * quoted fragments joined by an expression or told to be combined
 * (`a = "ignore all prev"; b = "ious instructions"; do a + b`), and text
 * written one letter per line. Each step is one linear pass, and only runs
 * when a cheap test finds its trigger.
 */
import { CIPHER_KEYWORDS } from "./attack-keywords.ts";
import type { Variant } from "./keyword-variants.ts";
import { foldHomoglyphs } from "./normalize.ts";

/** An instruction to combine pieces: a `+` or a verb that says so. */
const COMBINE =
  /\+|\b(?:concat\w{0,8}|combin\w{0,4}|join\w{0,3}|merg\w{0,3}|append\w{0,3}|put\s{1,3}(?:\w{1,10}\s{1,3})?together|glue|stitch\w{0,2}|assembl\w{0,3})\b/i;
/** A quotation mark, straight or curly (not a backtick: code spans are quoted code, not pieces). */
const QUOTE = /["'“‘]/g;
const CLOSING: Readonly<Record<string, string>> = { "“": "”", "‘": "’" };
/** The characters `QUOTE` matches. */
const OPENING = ['"', "'", "“", "‘"];
/** `name =`, `name:`, `name is` right before a quotation. */
const ASSIGNED = /([A-Za-z_][\w]{0,20})\s{0,3}(?:=|:=|:|\bis)\s{0,3}$/;
/** Names joined by `+`: `a + b + c`. */
const SUM = /[A-Za-z_]\w{0,20}(?:\s{0,3}\+\s{0,3}[A-Za-z_]\w{0,20})+/g;
const MAX_FRAGMENT = 200;
const MAX_FRAGMENTS = 32;

/** Words at a seam that make a join worth reading: attack keywords and the words between them. */
const SEAM_WORDS = new Set([...CIPHER_KEYWORDS, "all", "any", "every", "my", "the", "and"]);
const SEAM_KEYWORDS = new Set(CIPHER_KEYWORDS);
/** Words that end an instruction whole: two quoted phrases that meet at one are listed, not split. */
const PHRASE_ENDS = new Set(
  (
    "instructions instruction prompt prompts rules guidelines directives restrictions " +
    "limitations constraints filters policy policies message messages context configuration " +
    "config password passwords credentials content safety training programming guardrails " +
    "safeguards ethics morals boundaries censorship character persona conversation"
  ).split(" "),
);

interface Fragment {
  text: string;
  name?: string;
}

/** How many quotation marks `text` has that can open a piece, counting up to two (native look-ups). */
function quoteMarks(text: string): number {
  let count = 0;
  for (const mark of OPENING) {
    for (let at = text.indexOf(mark); at >= 0 && count < 2; at = text.indexOf(mark, at + 1))
      count += 1;
    if (count >= 2) break;
  }
  return count;
}

/** Quoted fragments in text order, with the name each is assigned to, if any. */
function quotedFragments(text: string): Fragment[] {
  const fragments: Fragment[] = [];
  QUOTE.lastIndex = 0;
  for (let match = QUOTE.exec(text); match; match = QUOTE.exec(text)) {
    const open = match[0];
    const at = match.index;
    // An apostrophe inside a word (`don't`) opens nothing.
    if (open === "'" && /[A-Za-z]/.test(text[at - 1] ?? "")) continue;
    const close = text.indexOf(CLOSING[open] ?? open, at + 1);
    if (close < 0) break;
    QUOTE.lastIndex = close + 1;
    const body = text.slice(at + 1, close);
    if (body.length === 0 || body.length > MAX_FRAGMENT) continue;
    const name = ASSIGNED.exec(text.slice(Math.max(0, at - 30), at))?.[1];
    fragments.push(name ? { text: body, name } : { text: body });
    if (fragments.length >= MAX_FRAGMENTS) break;
  }
  return fragments;
}

/**
 * The fragments in the order an expression such as `b + a` names them, when it
 * names two or more of them; otherwise undefined.
 */
function summed(text: string, fragments: readonly Fragment[]): Fragment[] | undefined {
  const byName = new Map(
    fragments.flatMap((fragment) => (fragment.name ? [[fragment.name, fragment]] : [])),
  );
  if (byName.size < 2) return undefined;
  for (const sum of text.matchAll(SUM)) {
    const pieces = sum[0].split("+").flatMap((name) => byName.get(name.trim()) ?? []);
    if (pieces.length >= 2) return pieces;
  }
  return undefined;
}

const lastWord = (text: string) => /([A-Za-z]+)\W*$/.exec(text)?.[1]?.toLowerCase() ?? "";
const firstWord = (text: string) => /^\W*([A-Za-z]+)/.exec(text)?.[1]?.toLowerCase() ?? "";
/** Short words that end or start a piece whole; other stubs of three letters or less are cut words. */
const SHORT_WORDS = new Set(
  "a an the to of in on at by for and or is be it as me my you we us do so no not all any can has had was are i if".split(
    " ",
  ),
);
/** A stub of a cut word at the end of a piece that holds more than the stub (`list eve`). */
const stub = (word: string, piece: string) =>
  word.length <= 3 && !SHORT_WORDS.has(word) && /\s/.test(piece.trim());

/**
 * A seam that cuts a word (`list eve` + `ry key`, `prev` + `ious`) or puts two
 * attack words side by side (`forget your` + `previous instructions`). Whole
 * phrases listed one after the other, as an article quotes attacks, are neither.
 */
function seamReads(left: string, right: string): boolean {
  const before = lastWord(left);
  const after = firstWord(right);
  if (!before || !after) return false;
  if (/[A-Za-z]$/.test(left) && /^[A-Za-z]/.test(right)) {
    if (SEAM_KEYWORDS.has(before + after) || stub(before, left) || stub(after, right)) return true;
  }
  return (
    SEAM_WORDS.has(before) &&
    !PHRASE_ENDS.has(before) &&
    SEAM_WORDS.has(after) &&
    (SEAM_KEYWORDS.has(before) || SEAM_KEYWORDS.has(after))
  );
}

/**
 * The quoted pieces of `text` joined (with and without a space, since a piece
 * may end mid-word), when the text asks for them to be combined and either an
 * expression adds up named pieces (`a + b`) or a seam reads as part of an
 * attack; otherwise undefined.
 */
export function joinQuotedFragments(text: string): string | undefined {
  if (!COMBINE.test(text) || quoteMarks(text) < 2) return undefined;
  const fragments = quotedFragments(text);
  if (fragments.length < 2) return undefined;
  let pieces = summed(text, fragments)?.map((fragment) => fragment.text);
  if (!pieces) {
    const listed = fragments.map((fragment) => fragment.text);
    if (listed.some((piece, index) => index > 0 && seamReads(listed[index - 1] ?? "", piece)))
      pieces = listed;
  }
  return pieces && `${pieces.join(" ")}\n${pieces.join("")}`;
}

/** Four or more lines in a row of one or two characters each, single blank lines between words. */
const VERTICAL = /(?:^|\n)(?:[^\n]{1,2}\n\n?){3,}[^\n]{1,2}(?=\n|$)/g;

/**
 * How many lines of one or two characters `text` has, counting up to four: a
 * vertical run has four or more. Lines are found by `indexOf`, so ordinary
 * text, with a few long lines, costs a few native look-ups, not a scan.
 */
function shortLines(text: string): number {
  let short = 0;
  for (let start = 0; short < 4;) {
    const end = text.indexOf("\n", start);
    const length = (end < 0 ? text.length : end) - start;
    if (length >= 1 && length <= 2) short += 1;
    if (end < 0) break;
    start = end + 1;
  }
  return short;
}

/**
 * Text written down the page one letter per line, read across (`i\ng\nn…` →
 * `ignore…`, blank lines as word breaks), when there is any; otherwise undefined.
 */
export function joinVerticalText(text: string): string | undefined {
  if (shortLines(text) < 4) return undefined;
  let found = false;
  const joined = text.replace(VERTICAL, (run) => {
    found = true;
    const words = run.split("\n\n").map((word) =>
      word
        .split("\n")
        .map((line) => line.trim())
        .join(""),
    );
    if (words.length > 1) return ` ${words.join(" ")} `;
    // One run without breaks: spaced out, so that folding splits it into attack words.
    return ` ${[...(words[0] ?? "")].join(" ")} `;
  });
  return found ? foldHomoglyphs(joined) : undefined;
}

/** The readings of `text` with split payloads put back together, if any. */
export function splitPayloadVariants(text: string): Variant[] {
  const variants: Variant[] = [];
  const joined = joinQuotedFragments(text);
  if (joined !== undefined) variants.push({ text: joined, encoding: "payload_split" });
  const vertical = joinVerticalText(text);
  if (vertical !== undefined) variants.push({ text: vertical, encoding: "vertical" });
  return variants;
}
