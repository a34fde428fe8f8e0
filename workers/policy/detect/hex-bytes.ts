/**
 * Text written as hex bytes with separators or escapes, as an attacker pastes
 * it (`69 67 6e 6f 72 65`, `\x69\x67`, `0x69,0x67`): contiguous hex digits
 * are decoded with the base64 runs (`decodeBase64Runs`). Linear: one scan.
 */

/** Six or more bytes: two hex digits each, joined by a separator or a `\x` / `0x` prefix. */
const HEX_BYTES =
  /(?<![0-9a-z])(?:\\x|0x)?[0-9a-f]{2}(?:(?:[ \t,:;]{1,2}(?:\\x|0x)?|\\x)[0-9a-f]{2}){5,}(?![0-9a-z])/gi;
/** A space (`20`) between two hex bytes, separators around it. */
const SPACE_BYTE = /(?<![0-9a-z])[0-9a-f]{2}[ \t,:;]{1,2}20[ \t,:;]{1,2}[0-9a-f]{2}(?![0-9a-z])/i;

/**
 * Whether `text` may hold a run worth decoding: readable text has spaces, and a
 * space is the byte `20` (`\x20`, `0x20`, or `20` between hex bytes). One native
 * substring search, so ordinary text costs well under a microsecond.
 */
function mayHoldHexText(text: string): boolean {
  for (let at = text.indexOf("20"); at >= 0; at = text.indexOf("20", at + 2)) {
    if ((text.charCodeAt(at - 1) | 0x20) === 0x78) return true;
    if (SPACE_BYTE.test(text.slice(Math.max(0, at - 5), at + 7))) return true;
  }
  return false;
}

/** The readable decodings of the runs of separated hex bytes in `text`. */
export function decodeHexBytes(text: string): string[] {
  if (!mayHoldHexText(text)) return [];
  const decoded: string[] = [];
  for (const match of text.matchAll(HEX_BYTES)) {
    const digits = match[0].replace(/\\x|0x|[ \t,:;]/gi, "");
    let plain = "";
    let printable = 0;
    for (let index = 0; index + 1 < digits.length; index += 2) {
      const code = Number.parseInt(digits.slice(index, index + 2), 16);
      if ((code >= 32 && code < 127) || code === 10 || code === 13 || code === 9) printable += 1;
      plain += String.fromCharCode(code);
    }
    if (printable / plain.length > 0.9 && /[a-z]{3}/i.test(plain)) decoded.push(plain);
  }
  return decoded;
}
