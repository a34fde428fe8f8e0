import { passesLuhn } from "./luhn.ts";

/** A located match of one detector in a text. */
export interface Span {
  start: number;
  end: number;
  type: string;
}

/**
 * One PII detector: a linear-time regex (bounded repetitions, no nested
 * quantifiers) plus an optional validator so look-alikes are not flagged.
 */
export interface PiiDetector {
  type: string;
  /** Marker text for `marker_format: label`. */
  label: string;
  pattern: RegExp;
  validate?: (match: string) => boolean;
}

const digitsOnly = (value: string): string => value.replace(/\D/g, "");

/** The built-in PII detectors, by the `types` names used in configs. */
export const PII_DETECTORS: Readonly<Record<string, PiiDetector>> = {
  email: {
    type: "email",
    label: "EMAIL",
    pattern: /[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){1,8}/g,
    validate: (match) => /\.[A-Za-z]{2,}$/.test(match),
  },
  phone: {
    type: "phone",
    label: "PHONE",
    // +CC prefix, or separated groups; bare digit runs (order numbers) are not phones.
    pattern:
      /(?<![\w+.])(?:\+\d{1,3}[ .-]?(?:\(\d{1,4}\)|\d{1,4})(?:[ .-]?\d{2,4}){2,4}|(?:\(\d{3}\)|\d{3})[ .-]\d{3}[ .-]\d{4})(?![\w]|\.\d)/g,
    validate: (match) => {
      const length = digitsOnly(match).length;
      return length >= 8 && length <= 15;
    },
  },
  credit_card: {
    type: "credit_card",
    label: "CREDIT_CARD",
    pattern: /(?<![\d-])(?:\d[ -]?){12,18}\d(?![\d-])/g,
    validate: (match) => {
      const digits = digitsOnly(match);
      return digits.length >= 13 && digits.length <= 19 && passesLuhn(digits);
    },
  },
};

/** Names accepted in `pii-detector.types`. */
export const PII_TYPES = Object.keys(PII_DETECTORS) as [string, ...string[]];

/**
 * Finds every validated match of the given detectors, sorted by position, with
 * overlaps resolved in favour of the earlier (then longer) match.
 */
export function findPii(text: string, detectors: readonly PiiDetector[]): Span[] {
  const spans: Span[] = [];
  for (const detector of detectors) {
    detector.pattern.lastIndex = 0;
    for (const match of text.matchAll(detector.pattern)) {
      const value = match[0];
      if (detector.validate && !detector.validate(value)) continue;
      spans.push({ start: match.index, end: match.index + value.length, type: detector.type });
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
