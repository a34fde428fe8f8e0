import { dateParts, MONTHS } from "./dates.ts";
import { hasContextBefore, isRealDate } from "./validators.ts";

const ORDINAL = "(?:st|nd|rd|th)";

/**
 * Dates as clinical notes write them: full numeric dates (one separator kind;
 * two-digit years only with `/` or `-`, so `2.8.85` is a version), month and
 * year (`06/2019`), month names with or without a year, and a bare month/day
 * (`seen 4/12`), which counts only after a date word or before a time, since
 * `pain 6/10`, `strength 5/5` and `murmur 2/6` are scores.
 */
const DATE = new RegExp(
  `\\b(?:\\d{4}([-/.])\\d{1,2}\\1\\d{1,2}|\\d{1,2}([-/])\\d{1,2}\\2(?:\\d{4}|\\d{2})|\\d{1,2}\\.\\d{1,2}\\.\\d{4}|\\d{1,2}\\/\\d{4}|\\d{1,2}${ORDINAL}?(?:\\s{1,3}|-)(?:of\\s{1,3})?(?:${MONTHS})\\.?(?:,?(?:\\s{1,3}|-)\\d{4})?|(?:${MONTHS})\\.?,?\\s{1,3}\\d{4}|(?:${MONTHS})\\.?\\s{1,3}\\d{1,2}${ORDINAL}?(?:,?\\s{1,3}\\d{4})?|\\d{1,2}\\/\\d{1,2}(?![/\\d]|\\.\\d))\\b`,
  "gi",
);
const DATE_WORD =
  /\b(?:on|dated?|admit(?:ted)?|discharged?|seen|collected|drawn|filed|visit|note|triage|since|from|until|till|by|service|appointment|appt|f\/u|follow[- ]?up|dos|started|stopped|began|last|next|due|scheduled|performed|received|sent|called|returned|through|thru|effective|as of|surgery|procedure|(?:mon|tues|wednes|thurs|fri|satur|sun)day|mon|tue|wed|thu|fri|sat|sun)\b(?:\s{1,3}[a-z]{1,12}){0,2}[\s:,.]{0,4}$/i;
const NOT_A_DATE_CONTEXT =
  /\b(?:version|v|ratio|scores?|bp|blood pressure|page|pages|room|grade|strength|power|pain|acuity|apgar|murmur|gcs|dose|doses)\s*$/i;

function validate(match: string, text: string, index: number): boolean {
  if (hasContextBefore(text, index, NOT_A_DATE_CONTEXT, 16)) return false;
  const partial = /^(\d{1,2})\/(\d{1,2})$/.exec(match);
  if (partial) {
    const [month, day] = [Number(partial[1]), Number(partial[2])];
    const timed = /^\s{1,3}(?:at|@)\s{0,2}\d/.test(
      text.slice(index + match.length, index + match.length + 8),
    );
    return (
      month >= 1 &&
      month <= 12 &&
      day >= 1 &&
      day <= 31 &&
      (timed || hasContextBefore(text, index, DATE_WORD, 24))
    );
  }
  const monthYear = /^(\d{1,2})\/(\d{4})$/.exec(match);
  if (monthYear) return Number(monthYear[1]) >= 1 && Number(monthYear[1]) <= 12;
  if (/^\d/.test(match) && !/[a-z]/i.test(match)) {
    const parts = dateParts(match);
    return parts !== undefined && isRealDate(...parts);
  }
  // A month name without a year must be capitalised: "may 2 tabs" is not a date.
  return (
    /\d{4}$/.test(match) ||
    /[A-Z]/.test(match.replace(/^\d{1,2}\w{0,2}[\s-]{1,3}(?:of\s{1,3})?/, "")[0] ?? "")
  );
}

/** The PHI date detector's pattern and validator. */
export const clinicalDate = { pattern: DATE, validate };

/** An age over 89 with its unit (`92-year-old`, `95 y/o`), or the number after `age`/`aged`. */
export const oldAge =
  /\b(?:9\d|1[0-4]\d)(?:[- ]years?[- ]old|[- ]?y\/o\b|[- ]?yo\b|[- ]y\.o\.)|\b(?:9\d|1[0-4]\d)\b(?<=\b(?:aged?|age:?)\s{0,2}\d{2,3})/gi;
