/**
 * The tokens the word gate (`word-gate.ts`) looks up, and the case folding it
 * compares them with. Two kinds of token, each matching what a regular
 * expression without the `u` flag can prove about a match:
 *
 * - ASCII tokens: maximal runs of `[A-Za-z0-9_]`, the characters `\b` knows
 *   as word characters. A literal word that a pattern bounds by `\b`,
 *   whitespace or punctuation on both sides is always one whole ASCII token.
 * - Unicode tokens: maximal runs of `[\p{L}\p{M}\p{N}_]` holding at least one
 *   non-ASCII character. A non-ASCII literal matched by a pattern lies inside
 *   one of them; it is the whole token when whitespace or punctuation bound it.
 */

const UNICODE_TOKEN = /[\p{L}\p{M}\p{N}_]+/gu;
const TOKEN_CHARACTER = /^[\p{L}\p{M}\p{N}_]$/u;
// eslint-disable-next-line no-control-regex -- the test is for anything outside ASCII
const NON_ASCII = /[^\u0000-\u007f]/;

/** Whether a UTF-16 code unit is one of `\w`'s ASCII characters. */
export function isAsciiWordUnit(code: number): boolean {
  return (
    (code >= 97 && code <= 122) ||
    (code >= 65 && code <= 90) ||
    (code >= 48 && code <= 57) ||
    code === 95
  );
}

/** Whether a UTF-16 code unit belongs in a Unicode token (surrogates never do: the token would be unprovable). */
export function isTokenUnit(code: number): boolean {
  if (code >= 0xd800 && code <= 0xdfff) return false;
  return TOKEN_CHARACTER.test(String.fromCharCode(code));
}

/**
 * One code unit folded the way a case-insensitive regular expression without
 * the `u` flag compares characters (ECMAScript's Canonicalize: upper case,
 * unless that takes more than one unit or turns a non-ASCII character into an
 * ASCII one), except that ASCII letters fold to lower case. Two units match
 * each other under the `i` flag exactly when their folds are equal.
 */
export function foldUnit(code: number): number {
  if (code < 128) return code >= 65 && code <= 90 ? code + 32 : code;
  const upper = String.fromCharCode(code).toUpperCase();
  if (upper.length !== 1) return code;
  const folded = upper.charCodeAt(0);
  return folded < 128 ? code : folded;
}

/** A string folded unit by unit with `foldUnit`: the key words, fragments and tokens are compared by. */
export function foldText(text: string): string {
  let folded = "";
  for (let index = 0; index < text.length; index += 1)
    folded += String.fromCharCode(foldUnit(text.charCodeAt(index)));
  return folded;
}

/** Whether a string has a character outside ASCII. */
export function hasNonAscii(text: string): boolean {
  return NON_ASCII.test(text);
}

/**
 * Per ASCII code unit, what the token hash takes of it: 1–26 for a letter of
 * either case (the numbers the keyword scanner hashes letters by, so that a
 * token of letters has the same hash in both), 27–36 for a digit, 37 for `_`,
 * and 0 for any other character, which ends a token.
 */
export const TOKEN_VALUE: Uint8Array = Uint8Array.from({ length: 128 }, (_, code) => {
  if (!isAsciiWordUnit(code)) return 0;
  if (code >= 48 && code <= 57) return 27 + code - 48;
  return code === 95 ? 37 : (code | 0x20) - 96;
});

/** The multiplier of the token hash, a polynomial in `TOKEN_VALUE`s (FNV's prime). */
export const HASH_PRIME = 0x01000193;

/** The bits of a token hash kept in its key: small enough to stay a small integer. */
export const KEY_BITS = 0x3fffffff;

/** The final form of a token hash (`hash & KEY_BITS`, written out where it runs per token). */
export function hashKey(hash: number): number {
  return hash & KEY_BITS;
}

/** The hash key of an ASCII word, as `word-gate.ts` computes it for a text's tokens. */
export function wordKey(word: string): number {
  let hash = 0;
  for (let index = 0; index < word.length; index += 1)
    hash = (Math.imul(hash, HASH_PRIME) + (TOKEN_VALUE[word.charCodeAt(index)] ?? 0)) | 0;
  return hashKey(hash);
}

/** The Unicode tokens of `text` that hold a non-ASCII character, folded with `foldText`. */
export function unicodeTokens(text: string): string[] {
  const tokens: string[] = [];
  for (const [token] of text.matchAll(UNICODE_TOKEN))
    if (hasNonAscii(token)) tokens.push(foldText(token));
  return tokens;
}
