import { hasContextBefore } from "./validators.ts";

const TYPES =
  "Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|Terrace|Ter|Parkway|Pkwy|Circle|Cir|Highway|Hwy|Square|Sq|Loop|Trail|Trl|Crescent|Cres|Close|Grove|Row|Plaza|Walk|Mews|Alley|Pike";
const DIRECTION = "(?:N|S|E|W|NE|NW|SE|SW|N\\.|S\\.|E\\.|W\\.|North|South|East|West)";
const NAME_WORD = "(?:[A-Z][a-z'’]{1,20}|\\d{1,3}(?:st|nd|rd|th)|[A-Z][a-z]{0,2}\\.)";
const UNIT =
  "(?:,? (?:Apt|Apartment|Suite|Unit|Ste|Fl|Floor|Rm|Room|Flat)\\.? ?[A-Za-z0-9-]{1,6}|,? #\\d{1,6}[A-Za-z]?)";

/** US/UK street line: number, optional direction, one to four name words, street type, optional unit. */
const ENGLISH = `\\b\\d{1,5}[A-Z]?(?:-\\d{1,5})? (?:${DIRECTION} )?${NAME_WORD}(?: ${NAME_WORD}){0,3} (?:${TYPES})\\b\\.?${UNIT}?`;
/** German street names end in -straße, -weg, -allee … and put the number after. */
const GERMAN =
  "\\b[A-ZÄÖÜ][a-zäöüß]{2,30}(?:straße|strasse|str\\.|weg|allee|platz|gasse|ring|damm|ufer) \\d{1,4}[a-z]?\\b";
/** French: number, then rue/avenue/boulevard … and the name. */
const FRENCH =
  "\\b\\d{1,4},? (?:[Rr]ue|[Aa]venue|[Bb]oulevard|[Bb]d|[Pp]lace|[Ii]mpasse|[Cc]hemin|[Aa]llée|[Qq]uai)(?: (?:de la|de l'|des|du|de|d'|la|le))? ?[A-ZÉ][\\wÀ-ÿ'’-]{1,25}(?: [A-ZÉ][\\wÀ-ÿ'’-]{1,25}){0,3}";
/** Spanish, Italian, Portuguese: the street type first, the number after the name. */
const ROMANCE =
  "\\b(?:Calle|Avenida|Av\\.|Plaza|Paseo|Via|Viale|Piazza|Corso|Rua|Travessa)(?: (?:de la|del|de|di|della|do|da))? [A-Z][\\wÀ-ÿ'’-]{1,25}(?: [A-Z][\\wÀ-ÿ'’-]{1,25}){0,2},? \\d{1,4}\\b";
const PO_BOX = "\\bP\\.? ?O\\.? ?Box \\d{1,6}\\b";

/** Numbers that count things, not houses: `Step 3 Click Place Order`, `Season 2 The Long Way`. */
const COUNTING_CONTEXT =
  /\b(?:step|season|chapter|part|page|episode|level|phase|day|week|grade|section|figure|table|top|book|volume|act|scene|round|lesson|unit|exit|route|windows|office)\s*$/i;
const NOT_A_NAME = /^\S+ (?:The|A|An|Click|Press|Select|Tap|My|Our|Your|This|That|Of)\b/;

/** The street-address detector's pattern and validator. */
export const STREET_ADDRESS = {
  pattern: new RegExp(`${ENGLISH}|${GERMAN}|${FRENCH}|${ROMANCE}|${PO_BOX}`, "g"),
  validate: (match: string, text: string, index: number): boolean =>
    !NOT_A_NAME.test(match) && !hasContextBefore(text, index, COUNTING_CONTEXT, 12),
};
