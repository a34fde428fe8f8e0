import { PII_DETECTORS, type PiiDetector } from "./pii-patterns.ts";
import { hasContextBefore } from "./validators.ts";

const MONTHS =
  "jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?";
const NAME = "[A-Z][a-z'’-]{1,20}(?: [A-Z]\\.)?(?: [A-Z][a-z'’-]{1,20}){0,2}";

function pii(type: string, overrides: Partial<PiiDetector> = {}): PiiDetector {
  const detector = PII_DETECTORS[type];
  if (!detector) throw new Error(`no PII detector ${type}`);
  return { ...detector, category: "phi", ...overrides };
}

/** An identifier that follows a context phrase, such as `MRN: 00123456`. */
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
    pattern: new RegExp(
      `\\b(?:${context})(?:\\s{0,3}(?:no\\.?|number|num|#|id))?\\s{0,3}[:#=]?\\s{0,3}(${id})\\b`,
      "gid",
    ),
    group: 1,
    validate: (value) => /\d/.test(value),
  };
}

/**
 * The 18 HIPAA Safe Harbor identifiers (45 CFR 164.514(b)(2)), as detectors.
 * Names, record numbers and other free-form identifiers are recognised by the
 * clinical context that introduces them; dates other than a bare year are PHI
 * whenever they appear, as are ages over 89. Full-face photographs are not text
 * and are out of scope of a text scanner.
 */
export const PHI_DETECTORS: Readonly<Record<string, PiiDetector>> = {
  name: {
    type: "name",
    category: "phi",
    label: "NAME",
    pattern: new RegExp(
      `\\b(?:[Pp]atient(?:'s)?(?: [Nn]ame)?|[Pp]t\\.?|[Nn]ame|Mr\\.?|Mrs\\.?|Ms\\.?|Miss|[Rr]esident|[Mm]ember|[Ss]ubject|[Nn]ext of kin|[Ss]pouse|[Gg]uardian|[Mm]other|[Ff]ather)\\s{0,3}[:,-]?\\s{1,3}(${NAME})`,
      "gd",
    ),
    group: 1,
    validate: (value) =>
      !/^(?:The|This|That|Is|Was|Has|Had|No|Not|None|Unknown|Reports?|States?|Denies|Presents?)\b/.test(
        value,
      ),
  },
  geography: {
    type: "geography",
    category: "phi",
    label: "LOCATION",
    pattern:
      /\b(?:\d{1,5}(?: [A-Z][a-z]{1,20}){1,4} (?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|Terrace)\b\.?|[A-Z]{2} \d{5}(?:-\d{4})?\b|(?:zip(?: ?code)?|postal code)\s{0,3}:?\s{0,3}\d{5}(?:-\d{4})?\b)/gi,
    validate: (value) => !/^[a-z]{2} \d{5}$/.test(value),
  },
  date: {
    type: "date",
    category: "phi",
    label: "DATE",
    pattern: new RegExp(
      `\\b(?:\\d{4}-\\d{1,2}-\\d{1,2}|\\d{1,2}[/.-]\\d{1,2}[/.-](?:\\d{4}|\\d{2})|\\d{1,2}[/-]\\d{1,2}(?![/\\d.-])|\\d{1,2}(?:st|nd|rd|th)? (?:of )?(?:${MONTHS})\\.?(?:,? \\d{4})?|(?:${MONTHS})\\.? \\d{1,2}(?:st|nd|rd|th)?(?:,? \\d{4})?)\\b`,
      "gi",
    ),
    validate: (value, text, index) =>
      !hasContextBefore(
        text,
        index,
        /\b(?:version|v|ratio|score|bp|blood pressure|page|pages|room)\s*$/i,
        16,
      ),
  },
  age_over_89: {
    type: "age_over_89",
    category: "phi",
    label: "AGE",
    pattern:
      /\b(?:9\d|1[0-4]\d)(?:[- ]years?[- ]old|[- ]y\/?o\b|[- ]yo\b)|\b(?:aged?|age:)\s{0,2}(?:9\d|1[0-4]\d)\b/gi,
  },
  // Before phone: a fax number is reported as a fax.
  fax: afterContext("fax", "FAX", "fax", "\\+?[\\d(][\\d ().-]{6,18}\\d"),
  phone: pii("phone"),
  email: pii("email"),
  ssn: pii("ssn"),
  medical_record_number: afterContext(
    "medical_record_number",
    "MRN",
    "mrn|medical record|med rec|chart|patient id|hospital number",
  ),
  health_plan_number: afterContext(
    "health_plan_number",
    "HEALTH_PLAN_ID",
    "member id|member number|policy|health plan|insurance id|insurance|beneficiary|subscriber id|medicaid|medicare",
  ),
  account_number: afterContext("account_number", "ACCOUNT", "account|acct|billing"),
  license_number: afterContext("license_number", "LICENSE", "licen[cs]e|certificate|cert|dea|npi"),
  vehicle_identifier: {
    type: "vehicle_identifier",
    category: "phi",
    label: "VEHICLE_ID",
    pattern:
      /\b(?:[A-HJ-NPR-Z0-9]{17}\b|(?<=\b(?:plate|license plate|tag)\s{0,3}(?:no\.?|number|#)?\s{0,3}:?\s{0,3})[A-Z0-9][A-Z0-9 -]{1,8}[A-Z0-9])/g,
    validate: (value) => /\d/.test(value) && (value.length !== 17 || /[A-Z]/.test(value)),
  },
  device_identifier: afterContext(
    "device_identifier",
    "DEVICE_ID",
    "serial|device id|device|udi|imei|pacemaker|implant",
  ),
  url: {
    type: "url",
    category: "phi",
    label: "URL",
    pattern: /\b(?:https?:\/\/|www\.)[^\s<>"'()]{2,2048}/gi,
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
    "case|encounter|visit|specimen|accession|lab id|study id|record",
  ),
};

/** Names accepted in `hipaa-phi-detector.identifiers`. */
export const PHI_TYPES = Object.keys(PHI_DETECTORS) as [string, ...string[]];
