/**
 * Checks that turn regex candidates into findings: numbers that fail their check
 * digits, impossible addresses and reserved ranges are not flagged.
 */

/** IBAN mod-97 (ISO 13616) over the compact form; no allocation per character, it runs on every candidate. */
export function passesIbanChecksum(value: string): boolean {
  const compact = value.replace(/[\s-]/g, "").toUpperCase();
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{10,30}$/.test(compact)) return false;
  const expected = IBAN_LENGTHS[compact.slice(0, 2)];
  if (expected !== undefined && compact.length !== expected) return false;
  let remainder = 0;
  for (let step = 0; step < compact.length; step += 1) {
    const code = compact.charCodeAt((step + 4) % compact.length);
    remainder =
      code >= 65 ? (remainder * 100 + (code - 55)) % 97 : (remainder * 10 + (code - 48)) % 97;
  }
  return remainder === 1;
}

/** The octets of a dotted quad of 0–255 without leading zeros, or undefined. */
export function ipv4Octets(value: string): number[] | undefined {
  const octets: number[] = [];
  let current = -1;
  let digits = 0;
  for (let index = 0; index <= value.length; index += 1) {
    const code = index < value.length ? value.charCodeAt(index) : 46;
    if (code === 46) {
      if (digits === 0 || current > 255) return undefined;
      octets.push(current);
      current = -1;
      digits = 0;
    } else if (code >= 48 && code <= 57) {
      if (digits > 0 && current === 0) return undefined;
      current = (current < 0 ? 0 : current) * 10 + (code - 48);
      digits += 1;
    } else {
      return undefined;
    }
  }
  return octets.length === 4 ? octets : undefined;
}

/** The digits of a value, without separators. */
export function digitsOf(value: string): string {
  let digits = "";
  for (let index = 0; index < value.length; index += 1) {
    const code = value.charCodeAt(index);
    if (code >= 48 && code <= 57) digits += value[index];
  }
  return digits;
}

/** Lengths of IBANs per country, for the most common registries. */
const IBAN_LENGTHS: Readonly<Record<string, number>> = {
  AD: 24,
  AE: 23,
  AT: 20,
  BE: 16,
  BG: 22,
  BH: 22,
  BR: 29,
  CH: 21,
  CY: 28,
  CZ: 24,
  DE: 22,
  DK: 18,
  EE: 20,
  ES: 24,
  FI: 18,
  FR: 27,
  GB: 22,
  GI: 23,
  GR: 27,
  HR: 21,
  HU: 28,
  IE: 22,
  IL: 23,
  IS: 26,
  IT: 27,
  KW: 30,
  KZ: 20,
  LI: 21,
  LT: 20,
  LU: 20,
  LV: 21,
  MC: 27,
  MT: 31,
  NL: 18,
  NO: 15,
  PL: 28,
  PT: 25,
  QA: 29,
  RO: 24,
  SA: 24,
  SE: 24,
  SI: 19,
  SK: 24,
  SM: 27,
  TR: 26,
  UA: 29,
};

/** US SSN rules: no 000, 666 or 9xx area, no 00 group, no 0000 serial. */
export function isPlausibleSsn(value: string): boolean {
  const digits = value.replace(/\D/g, "");
  if (digits.length !== 9) return false;
  const area = digits.slice(0, 3);
  if (area === "000" || area === "666" || area.startsWith("9")) return false;
  return digits.slice(3, 5) !== "00" && digits.slice(5) !== "0000";
}

/** A dotted quad of octets 0–255, without leading zeros. */
export function isIpv4(value: string): boolean {
  return ipv4Octets(value) !== undefined;
}

/** A full or `::`-compressed IPv6 address (optionally ending in an IPv4 quad). */
export function isIpv6(value: string): boolean {
  if (value.length < 3 || value.length > 45) return false;
  let text = value;
  const lastColon = text.lastIndexOf(":");
  const tailPart = text.slice(lastColon + 1);
  if (tailPart.includes(".")) {
    if (!isIpv4(tailPart)) return false;
    text = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const halves = text.split("::");
  if (halves.length > 2) return false;
  const groups = (half: string) => (half === "" ? [] : half.split(":"));
  const all = [...groups(halves[0] ?? ""), ...(halves.length === 2 ? groups(halves[1] ?? "") : [])];
  if (!all.every((group) => /^[0-9A-Fa-f]{1,4}$/.test(group))) return false;
  return halves.length === 2 ? all.length <= 7 : all.length === 8;
}

/** A calendar date that exists, in year-month-day order. */
export function isRealDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1 || year < 1900 || year > 2100) return false;
  const days = [
    31,
    year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28,
    31,
    30,
    31,
    30,
    31,
    31,
    30,
    31,
    30,
    31,
  ];
  return day <= (days[month - 1] ?? 0);
}

/** Whether one of the context words occurs in the `window` characters before `index`. */
export function hasContextBefore(
  text: string,
  index: number,
  context: RegExp,
  window = 40,
): boolean {
  return context.test(text.slice(Math.max(0, index - window), index));
}

/** `word` matched in any letter case, for patterns that must stay case-sensitive elsewhere. */
export function caseless(word: string): string {
  return word.replace(/[a-z]/gi, (letter) => `[${letter.toUpperCase()}${letter.toLowerCase()}]`);
}
