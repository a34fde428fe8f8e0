import { STREET_ADDRESS } from "./street-address.ts";

const STATES =
  "AL|AK|AZ|AR|CA|CO|CT|DC|FL|GA|IA|IL|KS|KY|LA|MA|MI|MN|MO|MS|MT|NC|ND|NE|NH|NJ|NM|NV|NY|OH|RI|SC|SD|TN|TX|UT|VA|VT|WA|WI|WV|WY";
/** Abbreviations that are also words or titles (`Cohen, MD`): a state only when a ZIP follows. */
const AMBIGUOUS_STATES = "MD|PA|IN|OR|OK|HI|ME|DE|ID";
const STATE_NAMES =
  "Alabama|Alaska|Arizona|Arkansas|California|Colorado|Connecticut|Delaware|Florida|Georgia|Hawaii|Idaho|Illinois|Indiana|Iowa|Kansas|Kentucky|Louisiana|Maine|Maryland|Massachusetts|Michigan|Minnesota|Mississippi|Missouri|Montana|Nebraska|Nevada|New Hampshire|New Jersey|New Mexico|New York|North Carolina|North Dakota|Ohio|Oklahoma|Oregon|Pennsylvania|Rhode Island|South Carolina|South Dakota|Tennessee|Texas|Utah|Vermont|Virginia|Washington|West Virginia|Wisconsin|Wyoming";
const ZIP = "\\d{5}(?:-\\d{4})?";
const CITY = "[A-Z][a-z]{2,20}(?: [A-Z][a-z]{2,20}){0,2}";

const CITY_STATE = `\\b${CITY},? (?:(?:${STATES})\\b(?: ${ZIP}\\b)?|(?:${AMBIGUOUS_STATES}) ${ZIP}\\b|(?:${STATE_NAMES})\\b)`;
const STATE_ZIP = `\\b(?:${STATES}|${AMBIGUOUS_STATES}) ${ZIP}\\b`;
const COUNTY = `\\b[A-Z][a-z]{2,20}(?: [A-Z][a-z]{2,20})? County\\b`;
const LABELLED_ZIP = `\\d{5}(?:-\\d{4})?\\b(?<=\\b(?:[Zz][Ii][Pp](?: ?[Cc]ode)?|[Pp]ostal [Cc]ode)\\s{0,3}:?\\s{0,3}\\d{5}(?:-\\d{4})?)`;

const STREET_ONLY = new RegExp(`^(?:${STREET_ADDRESS.pattern.source})$`);

/**
 * Geographic subdivisions smaller than a state (Safe Harbor): street lines and PO
 * boxes, `City, ST 12345`, `City, State`, counties, and ZIP codes after their label.
 */
export const GEOGRAPHY = {
  pattern: new RegExp(
    `${STREET_ADDRESS.pattern.source}|${CITY_STATE}|${STATE_ZIP}|${COUNTY}|${LABELLED_ZIP}`,
    "g",
  ),
  validate: (match: string, text: string, index: number): boolean =>
    !STREET_ONLY.test(match) || STREET_ADDRESS.validate(match, text, index),
};
