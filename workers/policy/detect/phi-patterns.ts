import { clinicalDate, oldAge } from "./clinical-dates.ts";
import { dateParts } from "./dates.ts";
import { GEOGRAPHY } from "./geography.ts";
import { GIVEN_NAMES } from "./given-names.ts";
import { PII_DETECTORS, type PiiDetector } from "./pii-patterns.ts";
import { isRealDate } from "./validators.ts";

const PART = "(?:Mc|Mac|O['’]|D['’])?[A-Z][a-z]{1,20}(?:-[A-Z][a-z]{1,20})?";
const NAME = `${PART}(?: [A-Z]\\.)?(?: ${PART}){0,2}`;
const UPPER = "(?:MC|MAC|O['’])?[A-Z]{2,20}(?:-[A-Z]{2,20})?";
/** `OKAFOR, CHIDI` or `Lindqvist, Margaret A.`, as record headers write names. */
const INVERTED = `${UPPER}, ${UPPER}(?: [A-Z]\\.?)?\\b|${PART}, ${PART}(?: [A-Z]\\.)?`;
const INTRODUCERS =
  "[Pp]atient(?:'s)?(?: [Nn]ame)?|[Pp]t\\.?|[Nn]ame|Mr\\.?|Mrs\\.?|Ms\\.?|Miss|[Rr]esident|[Mm]ember|[Nn]ext of kin|[Ss]pouse|[Gg]uardian|[Mm]other|[Ff]ather|[Dd]aughter|[Ss]on|[Ww]ife|[Hh]usband|[Ss]ister|[Bb]rother|[Gg]rand(?:son|daughter|mother|father)|[Nn]iece|[Nn]ephew|[Pp]artner|[Cc]aregiver|[Ee]mergency contact|[Ss]ubscriber|[Pp]roxy|[Cc]lient|this is|my name is|Re:|RE:";
const INSTITUTION =
  "Hospital|Clinic|Center|Centre|Medical|Health|Healthcare|University|County|Foundation|Institute|Pharmacy|Lab|Labs|Group|Associates|Memorial|Care|House|Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|Terrace|Parkway|Pkwy|Circle|Highway|Square|Loop|Trail";
const NOT_NAMES =
  /^(?:The|This|That|Is|Was|Has|Had|No|Not|None|Unknown|Reports?|States?|Denies|Presents?|Education|Instructions?|Information|Active|Care|Portal|Services?|Physician|Follow|Summary|History|Consent|Safety|Plan|Status|Experience|Satisfaction|Advocate|Identification|Demographics|Goals|Registration|Access|Records?|Problem|List|Rights|Responsibilities|Name|Account|Preferences|Assessment|Encounter|Portal|Notes?|Medications?|Allergies|Discharge|Admission|Visit|Call|Please|Thank|Thanks|Dear|Hello|Hi)\b/;

function pii(type: string, overrides: Partial<PiiDetector> = {}): PiiDetector {
  const detector = PII_DETECTORS[type];
  if (!detector) throw new Error(`no PII detector ${type}`);
  return { ...detector, category: "phi", ...overrides };
}

/** An identifier that follows a context phrase, such as `MRN: 00123456` or `insurance card (ID W123…)`. */
function afterContext(
  type: string,
  label: string,
  context: string,
  id = "(?=[A-Z0-9-]{0,19}\\d)[A-Z0-9][A-Z0-9-]{3,19}",
): PiiDetector {
  return {
    type,
    category: "phi",
    label,
    priority: 2,
    pattern: new RegExp(
      `\\b(?:${context})(?:\\s{0,3}(?:card|no\\.?|number|num|#|id|mbi|code)\\b){0,2}[\\s:#=(]{0,4}(?:(?:no\\.?|number|#|id)[\\s:#=.]{0,3})?(${id})\\b(?![/.-]\\d)`,
      "gi",
    ),
    group: 1,
    // A date after `visit` is a date, not a visit number.
    validate: (value) => {
      const date = dateParts(value);
      return /\d/.test(value) && !(date && isRealDate(...date));
    },
  };
}

/**
 * The 18 HIPAA Safe Harbor identifiers (45 CFR 164.514(b)(2)), as detectors.
 * Names are recognised by the word that introduces them (`Patient:`, `Mrs.`,
 * `daughter`), by a common given name followed by a family name, or by the
 * `… is a 67-year-old` opening of a note; provider names (`Dr. …`) are not the
 * patient's. Record numbers and other identifiers are recognised by their
 * context; dates other than a bare year are PHI whenever they appear (a bare
 * month/day only after a date word, so `pain 6/10` is not a date), as are ages
 * over 89. Full-face photographs are not text and are out of scope.
 */
export const PHI_DETECTORS: Readonly<Record<string, PiiDetector>> = {
  name: {
    type: "name",
    category: "phi",
    label: "NAME",
    pattern: new RegExp(
      `(?:\\b(?:${INTRODUCERS})\\s{0,3}[:,-]?\\s{1,3}|\\b(?<!(?:Dr|Doctor|Nurse|Prof|NP|PA|RN|MD)\\.? )(?=(?:${GIVEN_NAMES})(?: [A-Z]\\.)? (?!(?:${INSTITUTION})\\b)${PART}\\b(?! (?:${INSTITUTION})\\b))|\\b(?=${PART}(?: [A-Z]\\.)? ${PART},? (?:is|was) an? \\d{1,3}[- ]?(?:year|yo|y\\/o)))(${INVERTED}|${NAME})`,
      "g",
    ),
    group: 1,
    // `Emergency contact: ` is the longest introducer.
    reach: 24,
    priority: 2,
    validate: (value) => !NOT_NAMES.test(value),
  },
  geography: {
    type: "geography",
    category: "phi",
    label: "LOCATION",
    pattern: GEOGRAPHY.pattern,
    validate: GEOGRAPHY.validate,
  },
  date: {
    type: "date",
    category: "phi",
    label: "DATE",
    pattern: clinicalDate.pattern,
    validate: clinicalDate.validate,
  },
  age_over_89: {
    type: "age_over_89",
    category: "phi",
    label: "AGE",
    pattern: oldAge,
  },
  // Before phone: a fax number is reported as a fax.
  fax: {
    type: "fax",
    category: "phi",
    label: "FAX",
    priority: 2,
    pattern: /\+?[\d(](?<=\b[Ff]ax(?:ed)?\b[^\n\d+(]{0,40}\+?[\d(])[\d ().-]{6,18}\d(?![\d-])/g,
    validate: (value) => value.replace(/\D/g, "").length >= 9,
  },
  phone: pii("phone"),
  email: pii("email"),
  ssn: pii("ssn"),
  medical_record_number: afterContext(
    "medical_record_number",
    "MRN",
    "mrn|mr#|medical record|med rec|chart|patient id|hospital number",
  ),
  health_plan_number: afterContext(
    "health_plan_number",
    "HEALTH_PLAN_ID",
    "member id|member number|policy|health plan|insurance id|insurance|beneficiary|subscriber id|medicaid|medicare|mbi",
  ),
  account_number: afterContext("account_number", "ACCOUNT", "account|acct|billing"),
  license_number: afterContext(
    "license_number",
    "LICENSE",
    "licen[cs]e|certificate|cert|dea|npi",
    "\\d{3} \\d{3} \\d{3}|(?=[A-Z0-9-]{0,19}\\d)[A-Z0-9][A-Z0-9-]{3,19}",
  ),
  vehicle_identifier: {
    type: "vehicle_identifier",
    category: "phi",
    label: "VEHICLE_ID",
    priority: 2,
    pattern:
      /\b(?:[A-HJ-NPR-Z0-9]{17}\b|[A-Z0-9](?<=\b(?:plate|license plate|tag)\s{0,3}(?:no\.?|number|#)?\s{0,3}:?\s{0,3}[A-Z0-9])[A-Z0-9 -]{1,8}[A-Z0-9])/g,
    validate: (value) => /\d/.test(value) && (value.length !== 17 || /[A-Z]/.test(value)),
  },
  device_identifier: afterContext(
    "device_identifier",
    "DEVICE_ID",
    "serial|device id|device|udi|imei|pacemaker|implant|transmitter|pump",
  ),
  url: {
    type: "url",
    category: "phi",
    label: "URL",
    pattern: /\b(?:https?:\/\/|www\.)[^\s<>"'()]{2,2048}(?<![.,;:!?])/gi,
  },
  ip_address: pii("ip_address"),
  biometric_identifier: afterContext(
    "biometric_identifier",
    "BIOMETRIC_ID",
    "fingerprint|retina(?:l)? scan|iris scan|voiceprint|voice print|face id|biometric",
  ),
  unique_identifier: afterContext(
    "unique_identifier",
    "ID",
    "case|encounter|visit|specimen|accession|lab id|study id|study|record",
  ),
};

/** Names accepted in `hipaa-phi-detector.identifiers`. */
export const PHI_TYPES = Object.keys(PHI_DETECTORS) as [string, ...string[]];
