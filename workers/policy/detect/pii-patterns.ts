import { passesLuhn } from "./luhn.ts";
import {
  hasContextBefore,
  isIpv4,
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
  /** Redact only this capture group (the pattern needs the `d` flag), e.g. the name after "Patient:". */
  group?: number;
  validate?: (match: string, text: string, index: number) => boolean;
}

const digitsOnly = (value: string): string => value.replace(/\D/g, "");
const MONTHS =
  "jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?";
const MONTH_INDEX = [
  "jan",
  "feb",
  "mar",
  "apr",
  "may",
  "jun",
  "jul",
  "aug",
  "sep",
  "oct",
  "nov",
  "dec",
];
const VERSION_CONTEXT = /(?:\bv|\bversion|\bver\.?|\brelease|\bbuild)\s*$/i;
const DOB_CONTEXT =
  /\b(?:dob|d\.o\.b\.?|date of birth|birth ?date|birthday|born(?: on)?)\b[\s:,-]*$/i;
const SSN_CONTEXT = /\b(?:ssn|social security(?: number| no\.?)?)\b[\s:#-]*$/i;
const PASSPORT_CONTEXT = /\bpassport(?:\s+(?:no\.?|number|#))?[\s:#.-]*$/i;
const LICENCE_CONTEXT =
  /(?:\bdriver'?s?\s+licen[cs]e|\bdriving\s+licen[cs]e|\bDL)(?:\s+(?:no\.?|number|#))?[\s:#.-]*$/i;

function dateParts(match: string): [number, number, number] | undefined {
  const iso = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$/.exec(match);
  if (iso) return [Number(iso[1]), Number(iso[2]), Number(iso[3])];
  const numeric = /^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$/.exec(match);
  if (numeric) {
    const [first, second, year] = [Number(numeric[1]), Number(numeric[2]), Number(numeric[3])];
    // Month/day or day/month: accept when either reading is a real date.
    return isRealDate(year, first, second) ? [year, first, second] : [year, second, first];
  }
  const words =
    /^(?:(\d{1,2})\s+([a-z]+)\.?,?\s+(\d{4})|([a-z]+)\.?\s+(\d{1,2}),?\s+(\d{4}))$/i.exec(match);
  if (!words) return undefined;
  const monthName = (words[2] ?? words[4] ?? "").slice(0, 3).toLowerCase();
  const day = Number(words[1] ?? words[5]);
  return [Number(words[3] ?? words[6]), MONTH_INDEX.indexOf(monthName) + 1, day];
}

/** The built-in detectors, by the `types` names used in configs. */
export const PII_DETECTORS: Readonly<Record<string, PiiDetector>> = {
  email: {
    type: "email",
    category: "pii",
    label: "EMAIL",
    pattern: /[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){1,8}/g,
    validate: (match) => /\.[A-Za-z]{2,}$/.test(match),
  },
  phone: {
    type: "phone",
    category: "pii",
    label: "PHONE",
    // +CC prefix, separated national groups, or a trunk-0 national number; bare digit runs are not phones.
    pattern:
      /(?<![\w+.])(?:\+\d{1,3}[ .-]?(?:\(\d{1,4}\)|\d{1,4})(?:[ .-]?\d{2,4}){2,4}|(?:\(\d{3}\)\s?|\d{3}[ .-])\d{3}[ .-]\d{4}|0\d{1,4}[ -][1-9]\d{2,3}[ -]\d{3,4})(?![\w]|\.\d)/g,
    validate: (match) => {
      const length = digitsOnly(match).length;
      return length >= 9 && length <= 15;
    },
  },
  credit_card: {
    type: "credit_card",
    category: "pii",
    label: "CREDIT_CARD",
    pattern: /(?<![\d-])(?:\d[ -]?){12,18}\d(?![\d-])/g,
    validate: (match) => {
      const digits = digitsOnly(match);
      return digits.length >= 13 && digits.length <= 19 && passesLuhn(digits);
    },
  },
  ssn: {
    type: "ssn",
    category: "pii",
    label: "SSN",
    pattern: /(?<![\d-])(?:\d{3}-\d{2}-\d{4}|\d{3} \d{2} \d{4}|\d{9})(?![\d-])/g,
    validate: (match, text, index) =>
      isPlausibleSsn(match) &&
      (/[- ]/.test(match) ? true : hasContextBefore(text, index, SSN_CONTEXT)),
  },
  iban: {
    type: "iban",
    category: "pii",
    label: "IBAN",
    pattern: /\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b/g,
    validate: (match) => passesIbanChecksum(match),
  },
  ip_address: {
    type: "ip_address",
    category: "pii",
    label: "IP_ADDRESS",
    pattern:
      /(?<![\w.:])(?:\d{1,3}\.){3}\d{1,3}(?![\w]|\.\d)|(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:[0-9A-Fa-f]{1,4}|\d{1,3}(?:\.\d{1,3}){3})?(?![\w:])/g,
    validate: (match, text, index) =>
      match.includes(":")
        ? isIpv6(match)
        : isIpv4(match) && !hasContextBefore(text, index, VERSION_CONTEXT, 12),
  },
  date_of_birth: {
    type: "date_of_birth",
    category: "pii",
    label: "DATE_OF_BIRTH",
    pattern: new RegExp(
      `\\b(?:\\d{4}[-/.]\\d{1,2}[-/.]\\d{1,2}|\\d{1,2}[-/.]\\d{1,2}[-/.]\\d{4}|\\d{1,2}\\s+(?:${MONTHS})\\.?,?\\s+\\d{4}|(?:${MONTHS})\\.?\\s+\\d{1,2},?\\s+\\d{4})\\b`,
      "gi",
    ),
    validate: (match, text, index) => {
      const parts = dateParts(match);
      return (
        parts !== undefined &&
        isRealDate(...parts) &&
        hasContextBefore(text, index, DOB_CONTEXT, 30)
      );
    },
  },
  street_address: {
    type: "street_address",
    category: "pii",
    label: "ADDRESS",
    pattern:
      /\b\d{1,5}(?: [A-Z][a-z]{1,20}){1,4} (?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|Terrace|Parkway|Pkwy|Circle|Cir|Highway|Hwy|Square|Sq)\b\.?(?:,? (?:Apt|Suite|Unit|Ste|#)\.? ?[A-Za-z0-9-]{1,6})?/g,
  },
  passport: {
    type: "passport",
    category: "pii",
    label: "PASSPORT",
    pattern: /\b[A-Z0-9]{6,9}\b/g,
    validate: (match, text, index) =>
      /\d/.test(match) && hasContextBefore(text, index, PASSPORT_CONTEXT, 30),
  },
  drivers_license: {
    type: "drivers_license",
    category: "pii",
    label: "DRIVERS_LICENSE",
    pattern: /\b[A-Z0-9][A-Z0-9-]{4,14}\b/g,
    validate: (match, text, index) =>
      /\d/.test(match) && hasContextBefore(text, index, LICENCE_CONTEXT, 30),
  },
  aws_access_key: {
    type: "aws_access_key",
    category: "secret",
    label: "AWS_ACCESS_KEY",
    pattern: /\b(?:AKIA|ASIA|AGPA|AIDA|AROA)[0-9A-Z]{16}\b/g,
  },
  api_key: {
    type: "api_key",
    category: "secret",
    label: "API_KEY",
    // GitHub, Slack, Stripe, OpenAI, Anthropic and Google key formats.
    pattern:
      /\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255}|xox[abprs]-[A-Za-z0-9-]{10,72}|(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{16,99}|sk-(?:proj-|ant-(?:api\d{2}-)?)?[A-Za-z0-9_-]{20,200}|AIza[0-9A-Za-z_-]{35})(?![A-Za-z0-9_-])/g,
  },
  private_key: {
    type: "private_key",
    category: "secret",
    label: "PRIVATE_KEY",
    pattern:
      /-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?-----[A-Za-z0-9+/=\s:,-]{0,8192}?-----END (?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?-----/g,
  },
  jwt: {
    type: "jwt",
    category: "secret",
    label: "JWT",
    pattern: /\beyJ[A-Za-z0-9_-]{8,2048}\.eyJ[A-Za-z0-9_-]{8,8192}\.[A-Za-z0-9_-]{8,1024}/g,
  },
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

/**
 * Finds every validated match of the given detectors, sorted by position, with
 * overlaps resolved in favour of the earlier (then longer) match.
 */
export function findPii(text: string, detectors: readonly PiiDetector[]): Span[] {
  const spans: Span[] = [];
  for (const detector of detectors) {
    detector.pattern.lastIndex = 0;
    for (const match of text.matchAll(detector.pattern)) {
      const range = detector.group === undefined ? undefined : match.indices?.[detector.group];
      const start = range ? range[0] : match.index;
      const value = range ? text.slice(range[0], range[1]) : match[0];
      if (detector.validate && !detector.validate(value, text, start)) continue;
      spans.push({ start, end: start + value.length, type: detector.type });
    }
  }
  spans.sort((a, b) => a.start - b.start || b.end - a.end);
  const kept: Span[] = [];
  for (const span of spans) {
    const last = kept[kept.length - 1];
    if (last && span.start < last.end) continue;
    kept.push(span);
  }
  return kept;
}
