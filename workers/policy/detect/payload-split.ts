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
/** A quotation mark, straight or curly. */
const QUOTE = /["'`“‘]/g;
const CLOSING: Readonly<Record<string, string>> = { "“": "”", "‘": "’" };
/** `name =`, `name:`, `name is` right before a quotation. */
const ASSIGNED = /([A-Za-z_][\w]{0,20})\s{0,3}(?:=|:=|:|\bis)\s{0,3}$/;
/** Names joined by `+`: `a + b + c`. */
const SUM = /[A-Za-z_]\w{0,20}(?:\s{0,3}\+\s{0,3}[A-Za-z_]\w{0,20})+/g;
const MAX_FRAGMENT = 200;
const MAX_FRAGMENTS = 32;

/** Words at a seam that make a join worth reading: attack keywords and the words between them. */
const SEAM_WORDS = new Set([...CIPHER_KEYWORDS, "all", "any", "every", "my", "the", "and"]);
const SEAM_KEYWORDS = new Set(CIPHER_KEYWORDS);

interface Fragment {
  text: string;
  name?: string;
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
    if (body.length === 0 || body.length > MAX_FRAGMENT || body.includes("\n")) continue;
    const name = ASSIGNED.exec(text.slice(Math.max(0, at - 30), at))?.[1];
    fragments.push(name ? { text: body, name } : { text: body });
    if (fragments.length >= MAX_FRAGMENTS) break;
  }
  return fragments;
}

/** The fragments in the order an expression such as `b + a` names them, when it names them all. */
function ordered(text: string, fragments: readonly Fragment[]): Fragment[] {
  const byName = new Map(
    fragments.flatMap((fragment) => (fragment.name ? [[fragment.name, fragment]] : [])),
  );
  if (byName.size < 2) return [...fragments];
  for (const sum of text.matchAll(SUM)) {
    const names = sum[0].split("+").map((name) => name.trim());
    const pieces = names.map((name) => byName.get(name));
    if (pieces.every((piece) => piece !== undefined)) return pieces as Fragment[];
  }
  return [...fragments];
}

const lastWord = (text: string) => /([A-Za-z]+)\W*$/.exec(text)?.[1]?.toLowerCase() ?? "";
const firstWord = (text: string) => /^\W*([A-Za-z]+)/.exec(text)?.[1]?.toLowerCase() ?? "";

/** A seam where joining makes an attack word (`prev`+`ious`) or puts two side by side (`all` `previous`). */
function readsAcross(left: string, right: string): boolean {
  const before = lastWord(left);
  const after = firstWord(right);
  if (!before || !after) return false;
  if (SEAM_KEYWORDS.has(before + after)) return true;
  return (
    SEAM_WORDS.has(before) &&
    SEAM_WORDS.has(after) &&
    (SEAM_KEYWORDS.has(before) || SEAM_KEYWORDS.has(after))
  );
}

/**
 * The quoted pieces of `text` joined in the order given (with and without a
 * space, since a piece may end mid-word), when the text asks for them to be
 * combined and a seam reads as part of an attack; otherwise undefined.
 */
export function joinQuotedFragments(text: string): string | undefined {
  if (!COMBINE.test(text)) return undefined;
  const fragments = quotedFragments(text);
  if (fragments.length < 2) return undefined;
  const pieces = ordered(text, fragments).map((fragment) => fragment.text);
  if (!pieces.some((piece, index) => index > 0 && readsAcross(pieces[index - 1] ?? "", piece)))
    return undefined;
  return `${pieces.join(" ")}\n${pieces.join("")}`;
}

/** Four or more lines in a row of one or two characters each, single blank lines between words. */
const VERTICAL = /(?:^|\n)(?:[^\n]{1,2}\n\n?){3,}[^\n]{1,2}(?=\n|$)/g;

/**
 * Text written down the page one letter per line, read across (`i\ng\nn…` →
 * `ignore…`, blank lines as word breaks), when there is any; otherwise undefined.
 */
export function joinVerticalText(text: string): string | undefined {
  if (!text.includes("\n")) return undefined;
  let found = false;
  const joined = text.replace(VERTICAL, (run) => {
    found = true;
    const letters = run.split("\n").map((line) => (line.trim() ? line.trim() : "  "));
    return ` ${letters.join(" ")}`;
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
