import { DATE_OF_BIRTH, dateParts } from "./dates.ts";
import { passesLuhn } from "./luhn.ts";
import { SECRET_DETECTORS } from "./secret-patterns.ts";
import { STREET_ADDRESS } from "./street-address.ts";
import {
  caseless as cl,
  digitsOf,
  hasContextBefore,
  ipv4Octets,
  isIpv6,
  isPlausibleSsn,
  isRealDate,
  passesIbanChecksum,
} from "./validators.ts";

/** A located match of one detector in a text. */
export interface Span {
  start: number;
  end: number;
  type: string;
}

/**
 * One PII detector: a linear-time regex (bounded repetitions, no nested
 * quantifiers) plus an optional validator, which sees the text around the match,
 * so look-alikes and values without the right context are not flagged.
 */
export interface PiiDetector {
  type: string;
  category: "pii" | "secret" | "phi";
  /** Marker text for `marker_format: label`. */
  label: string;
  pattern: RegExp;
  /**
   * Redact only this capture group, e.g. the name after "Patient:". The group ends
   * where the match ends (or the pattern has the `d` flag, which costs time).
   */
  group?: number;
  /**
   * A capture group inside a lookbehind that ends where the match starts; the span
   * includes it. So a pattern can begin at a rare character (`@`, `:`) and be fast,
   * yet report the whole value.
   */
  prefixGroup?: number;
  /**
   * For a detector with a `group`: how many characters before its value a match
   * may begin (the longest label it reads). Default {@link LABEL_REACH}.
   */
  reach?: number;
  validate?: (match: string, text: string, index: number) => boolean;
  /**
   * Which of two overlapping matches wins (default 1): secrets (3) over values
   * confirmed by their context (2) over shapes alone (1), so a licence number is
   * not reported as a phone and a token in a URL is not reported as an email.
   */
  priority?: number;
}

const VERSION_CONTEXT =
  /(?:\bv|\bversion|\bver\.?|\brelease|\bbuild|\bfirmware|\bkernel|\brev|\bpatch|\bupgraded?(?:\s+(?:from|to))?|\bupdated?\s+to)\s*$/i;
const VERSION_NEARBY =
  /\b(?:v\d|version|release|build|firmware|kernel|upgraded?|updated?|downgraded?|reproduces?|installed|patch(?:ed)?)\b[^\n]{0,40}$/i;
const IP_CONTEXT =
  /\b(?:ips?|ipv4|address(?:es)?|addr|host|server|dns|resolver|ping|gateway|client|peer|proxy|egress|ingress|origin|nameservers?|connect(?:ed|ion)?|from|route|forwarded|remote)\b[^\n]{0,30}$/i;
const SSN_CONTEXT = /\b(?:ssn|social[\s_]security(?:[\s_](?:number|no\.?|#))?)["'\s:#=.-]{0,6}$/i;
const NUMBER_WORD = `(?:${cl("number")}|${cl("num")}|${cl("no")}|#|${cl("id")})`;
/** `passport`, its number word, and the punctuation before the value: `Passport No.: `, `"passport_number": "`. */
const PASSPORT_PREFIX = `\\b${cl("passport")}(?:[\\s_]?${NUMBER_WORD})?\\.?\\)?(?:\\s{1,3}(?:${cl("number")}|${cl("no")}\\.?))?(?:\\s{1,3}(?:is|was))?["'\\s:#=.(-]{0,8}(?:${cl("no")}\\.?\\s{0,2})?`;
const LICENCE_PREFIX = `(?:\\b${cl("driver")}'?[sS]?[\\s_]?${cl("licen")}[cCsS][eE]|\\b${cl("driving")}[\\s_]${cl("licen")}[cCsS][eE]|\\b${cl("dl")})(?:[\\s_]?${NUMBER_WORD})?\\.?(?:\\s{1,3}(?:${cl("number")}|${cl("no")}\\.?|${cl("id")}))?(?:\\s{1,3}(?:is|was))?["'\\s:#=.-]{0,6}`;
/** The words that make a date a birth date, and the punctuation before the date: `DOB: `, `"birthDate": "`. */
const DOB_PREFIX = String.raw`\b(?:dob|d\.o\.b|date[\s_]?of[\s_]?birth|birth[\s_]?date|birthday|born(?:\s{1,3}on)?|geburtsdatum)\.?(?:\s{0,2}\([^)\n]{0,14}\))?(?:\s{1,3}(?:is|was))?["'\s:=.,-]{0,10}`;

/** How many different digits a digit string has (placeholders like 0000… have one). */
function distinctDigits(digits: string): number {
  let seen = 0;
  for (let index = 0; index < digits.length; index += 1)
    seen |= 1 << (digits.charCodeAt(index) - 48);
  let count = 0;
  for (; seen; seen &= seen - 1) count += 1;
  return count;
}

/** Card numbers are compact or grouped as their brand prints them: 4-4-4-4(-3), Amex 4-6-5, Diners 4-6-4. */
function isCardLayout(match: string): boolean {
  const groups: number[] = [];
  let size = 0;
  let separator = "";
  for (const character of match) {
    if (character === " " || character === "-") {
      if (separator && separator !== character) return false;
      separator = character;
      groups.push(size);
      size = 0;
    } else {
      size += 1;
    }
  }
  if (groups.length === 0) return true;
  const layout = [...groups, size].join("-");
  return groups.every((group) => group === 4)
    ? size <= 4
    : layout === "4-6-5" || layout === "4-6-4";
}

/** Addresses that identify nobody: unspecified, loopback, broadcast, netmasks, network addresses, multicast. */
function isHostIpv4(octets: readonly number[]): boolean {
  const [a = 0, , , d = 0] = octets;
  return a !== 0 && a !== 127 && a < 224 && d !== 0 && d !== 255;
}

function isHostIpv6(match: string): boolean {
  const groups = match.split(":").filter((group) => group !== "" && !group.includes("."));
  const mapped = match.includes(".");
  const octets = mapped ? ipv4Octets(match.slice(match.lastIndexOf(":") + 1)) : undefined;
  return mapped ? octets !== undefined && isHostIpv4(octets) : groups.length >= 2;
}

const PII_ONLY: Readonly<Record<string, PiiDetector>> = {
  email: {
    type: "email",
    category: "pii",
    label: "EMAIL",
    // Starts at the '@' (rare, so the scan is fast); the local part is captured behind it.
    pattern:
      /@(?<=(?<![\w.%+-])([A-Za-z0-9][A-Za-z0-9._%+-]{0,63})@)[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){1,8}/g,
    prefixGroup: 1,
    // An SSH remote (`git@github.com:org/repo`) is not a mailbox.
    validate: (match, text, index) =>
      /\.[A-Za-z]{2,}$/.test(match) &&
      !(text[index + match.length] === ":" && /[\w~/]/.test(text[index + match.length + 1] ?? "")),
  },
  phone: {
    type: "phone",
    category: "pii",
    label: "PHONE",
    // +CC international, NANP, and trunk-0 national layouts (UK, FR, DE, AU, JP);
    // never a slice of a longer run of digit groups, and bare digit runs are not phones.
    pattern:
      /(?=[+(\d])(?<![\w+.])(?<!\d[ .-])(?:\+\d{1,3}[ .-]?(?:\(\d{1,4}\)[ .-]?)?\d{1,4}(?:[ .-]?\d{1,4}){1,5}|(?:1[ .-])?(?:\(\d{3}\)\s?|\d{3}[ .-])\d{3}[ .-]\d{4}|\(0\d{1,4}\) ?\d{3,4}[ .-]?\d{3,4}|0\d{1,4}[ -]\d{2,4}[ -]\d{3,4}|0\d{4} \d{6}|0[1-9]([ .-])\d{2}\1\d{2}\1\d{2}\1\d{2}|0\d{2,4}[ /]\d{6,8})(?![\w]|[ .-]?\d|\.\d)/g,
    validate: (match) => {
      const digits = digitsOf(match);
      return digits.length >= 9 && digits.length <= 15 && distinctDigits(digits) >= 3;
    },
  },
  credit_card: {
    type: "credit_card",
    category: "pii",
    label: "CREDIT_CARD",
    pattern: /\d(?<![\d-]\d)(?:[ -]?\d){12,18}(?![\d-])/g,
    validate: (match) => {
      const digits = digitsOf(match);
      const first = digits.charCodeAt(0) - 48;
      return (
        digits.length >= 13 &&
        digits.length <= 19 &&
        first >= 2 &&
        first <= 6 &&
        distinctDigits(digits) > 1 &&
        passesLuhn(digits) &&
        isCardLayout(match)
      );
    },
  },
  ssn: {
    type: "ssn",
    category: "pii",
    label: "SSN",
    priority: 2,
    pattern: /\d(?<![\d-]\d)(?:\d{2}-\d{2}-\d{4}|\d{2} \d{2} \d{4}|\d{8})(?![\d-])/g,
    validate: (match, text, index) =>
      isPlausibleSsn(match) &&
      (/[- ]/.test(match) ? true : hasContextBefore(text, index, SSN_CONTEXT, 32)),
  },
  iban: {
    type: "iban",
    category: "pii",
    label: "IBAN",
    priority: 2,
    pattern: /\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b/g,
    validate: (match) => passesIbanChecksum(match),
  },
  ip_address: {
    type: "ip_address",
    category: "pii",
    label: "IP_ADDRESS",
    // IPv4 from its first digit; IPv6 from its first colon, the group before it captured behind.
    pattern:
      /\d(?<![\w.:]\d)\d{0,2}\.(?:\d{1,3}\.){2}\d{1,3}(?![\w]|\.\d)|:(?<=(?<![\w:.])([0-9A-Fa-f]{0,4}):)(?:[0-9A-Fa-f]{0,4}:){1,6}(?:[0-9A-Fa-f]{1,4}|\d{1,3}(?:\.\d{1,3}){3})?(?![\w:])/g,
    prefixGroup: 1,
    validate: (match, text, index) => {
      if (match.includes(":")) return isIpv6(match) && isHostIpv6(match);
      const octets = ipv4Octets(match);
      if (!octets || !isHostIpv4(octets)) return false;
      if (hasContextBefore(text, index, VERSION_CONTEXT, 24)) return false;
      // 1.2.3.4-shaped quads are usually versions; they are addresses when the text says so.
      const [a = 0, b = 0, c = 0] = octets;
      if (a >= 10 || b >= 10 || c >= 10) return true;
      return (
        hasContextBefore(text, index, IP_CONTEXT, 40) &&
        !hasContextBefore(text, index, VERSION_NEARBY, 40)
      );
    },
  },
  date_of_birth: {
    type: "date_of_birth",
    category: "pii",
    label: "DATE_OF_BIRTH",
    priority: 2,
    // The context is consumed (the scan starts at the rare birth words); group 1 is the date.
    pattern: new RegExp(`${DOB_PREFIX}(${DATE_OF_BIRTH.source})`, "gi"),
    group: 1,
    validate: (match) => {
      const parts = dateParts(match);
      return parts !== undefined && isRealDate(...parts);
    },
  },
  street_address: {
    type: "street_address",
    category: "pii",
    label: "ADDRESS",
    pattern: STREET_ADDRESS.pattern,
    validate: STREET_ADDRESS.validate,
  },
  passport: {
    type: "passport",
    category: "pii",
    label: "PASSPORT",
    priority: 2,
    // The context is consumed (so the scan starts at the rare word "passport"); group 1 is the number.
    pattern: new RegExp(`${PASSPORT_PREFIX}\\b((?=[A-Z]{0,8}\\d)[A-Z0-9]{6,9})\\b`, "g"),
    group: 1,
  },
  drivers_license: {
    type: "drivers_license",
    category: "pii",
    label: "DRIVERS_LICENSE",
    priority: 2,
    pattern: new RegExp(
      `${LICENCE_PREFIX}\\b(\\d{3} \\d{3} \\d{3}|(?=[A-Z-]{0,17}\\d)[A-Z0-9][A-Z0-9-]{4,17})\\b`,
      "g",
    ),
    group: 1,
  },
};

/** The built-in detectors, by the `types` names used in configs. */
export const PII_DETECTORS: Readonly<Record<string, PiiDetector>> = {
  ...PII_ONLY,
  ...SECRET_DETECTORS,
};

/** Names accepted in `pii-detector.types`. `secrets` means every secret detector. */
export const PII_TYPES: [string, ...string[]] = ["secrets", ...Object.keys(PII_DETECTORS)];

/** Expands `secrets` and returns the detectors of the given type names. */
export function detectorsFor(types: readonly string[]): PiiDetector[] {
  const names = new Set<string>();
  for (const type of types) {
    if (type === "secrets") {
      for (const detector of Object.values(PII_DETECTORS))
        if (detector.category === "secret") names.add(detector.type);
    } else {
      names.add(type);
    }
  }
  return [...names].flatMap((name) => PII_DETECTORS[name] ?? []);
}

interface Ranked extends Span {
  priority: number;
}

/**
 * The longest label a detector with a `group` reads before its value, unless it
 * says otherwise (`hospital number card no: `, `date of birth (MM/DD/YYYY) is: `).
 */
export const LABEL_REACH = 48;

/**
 * Finds every validated match of the given detectors, sorted by position. Of two
 * overlapping matches the one of higher priority wins, then the earlier, then
 * the longer. With `from`, the text before it is context already judged: the
 * scan starts there (a label-reading detector its `reach` earlier), and
 * look-behinds and validators still see what comes before.
 */
export function findPii(text: string, detectors: readonly PiiDetector[], from = 0): Span[] {
  const spans: Ranked[] = [];
  for (const detector of detectors) {
    // exec on the detector's own global regex: matchAll would clone it on every call.
    const pattern = detector.pattern.global
      ? detector.pattern
      : new RegExp(detector.pattern.source, `${detector.pattern.flags}g`);
    const reach = detector.group === undefined ? 0 : (detector.reach ?? LABEL_REACH);
    pattern.lastIndex = Math.max(0, from - reach);
    for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
      if (match[0] === "") pattern.lastIndex += 1;
      const end = match.index + match[0].length;
      const grouped = detector.group === undefined ? undefined : match[detector.group];
      const prefix = detector.prefixGroup === undefined ? "" : (match[detector.prefixGroup] ?? "");
      let start = grouped === undefined ? match.index - prefix.length : end - grouped.length;
      const indices = detector.group === undefined ? undefined : match.indices?.[detector.group];
      if (indices) start = indices[0];
      const value = text.slice(start, indices ? indices[1] : end);
      if (detector.validate && !detector.validate(value, text, start)) continue;
      spans.push({
        start,
        end: start + value.length,
        type: detector.type,
        priority: detector.priority ?? 1,
      });
    }
  }
  spans.sort((a, b) => a.start - b.start || b.priority - a.priority || b.end - a.end);
  const kept: Ranked[] = [];
  for (const span of spans) {
    const last = kept[kept.length - 1];
    if (!last || span.start >= last.end) kept.push(span);
    else if (span.priority > last.priority) kept[kept.length - 1] = span;
  }
  return kept.map(({ start, end, type }) => ({ start, end, type }));
}
