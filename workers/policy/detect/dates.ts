/**
 * Calendar dates as people and systems write them, and their parsing, shared by
 * the date-of-birth detector (PII) and the date detector (PHI).
 */

/** Month names and their abbreviations, as one regex alternation. */
export const MONTHS =
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
const ORDINAL = "(?:st|nd|rd|th)";

/**
 * A full date: ISO and slashed/dotted numbers (four- or two-digit years), and
 * month names with or without ordinals (`14 March 1985`, `16th March 1951`,
 * `14-Mar-1985`, `March 14th, 1985`).
 */
export const DATE_OF_BIRTH = new RegExp(
  `\\b(?:\\d{4}[-/.]\\d{1,2}[-/.]\\d{1,2}|\\d{1,2}[-/.]\\d{1,2}[-/.](?:\\d{4}|\\d{2})|\\d{1,2}${ORDINAL}?(?:\\s{1,3}|-)(?:of\\s{1,3})?(?:${MONTHS})\\.?,?(?:\\s{1,3}|-)\\d{4}|(?:${MONTHS})\\.?\\s{1,3}\\d{1,2}${ORDINAL}?,?\\s{1,3}\\d{4})\\b`,
  "gi",
);

/** A two-digit year as a birth year: `58` is 1958, `05` is 2005. */
function fullYear(year: string): number {
  const value = Number(year);
  if (year.length === 4) return value;
  return value > 30 ? 1900 + value : 2000 + value;
}

/**
 * A date match as [year, month, day]; numeric day/month order is read as
 * month/day when that is a real date, else day/month.
 */
export function dateParts(match: string): [number, number, number] | undefined {
  const iso = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$/.exec(match);
  if (iso) return [Number(iso[1]), Number(iso[2]), Number(iso[3])];
  const numeric = /^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4}|\d{2})$/.exec(match);
  if (numeric) {
    const first = Number(numeric[1]);
    const second = Number(numeric[2]);
    const year = fullYear(numeric[3] ?? "");
    return first <= 12 ? [year, first, second] : [year, second, first];
  }
  const words = new RegExp(
    `^(?:(\\d{1,2})${ORDINAL}?[\\s-]{1,3}(?:of\\s{1,3})?([a-z]+)\\.?,?[\\s-]{1,3}(\\d{4})|([a-z]+)\\.?\\s{1,3}(\\d{1,2})${ORDINAL}?,?\\s{1,3}(\\d{4}))$`,
    "i",
  ).exec(match);
  if (!words) return undefined;
  const monthName = (words[2] ?? words[4] ?? "").slice(0, 3).toLowerCase();
  const day = Number(words[1] ?? words[5]);
  return [Number(words[3] ?? words[6]), MONTH_INDEX.indexOf(monthName) + 1, day];
}
