import { z } from "zod";
import { piiHoldback } from "../detect/holdback.ts";
import { detectorsFor, PII_TYPES, type PiiDetector } from "../detect/pii-patterns.ts";
import { userPattern } from "../detect/user-pattern.ts";
import { definePolicy } from "../policy.ts";
import { detectorRuntime, detectorSettings } from "./detector-runtime.ts";

const settings = z.strictObject({
  ...detectorSettings,
  types: z
    .array(z.enum(PII_TYPES))
    .min(1)
    .default(PII_TYPES.filter((type) => type !== "secrets")),
  patterns: z
    .array(
      z.strictObject({
        name: z.string().regex(/^[a-z][a-z0-9_]{0,40}$/, "use lower_snake_case, like employee_id"),
        pattern: userPattern,
        label: z
          .string()
          .regex(/^[A-Z][A-Z0-9_]{0,40}$/, "use UPPER_SNAKE_CASE, like EMPLOYEE_ID")
          .optional(),
      }),
    )
    .default([]),
});

/**
 * Finds personal data and secrets (email, phone, cards with Luhn, SSN, IBAN with
 * mod-97, IPs, dates of birth, addresses, passport and licence numbers, API keys,
 * private keys, JWTs, plus custom patterns) and redacts, tokenizes, blocks or logs
 * it. `tokenize` swaps values for stable placeholders the answer gets back.
 */
export const piiDetector = definePolicy({
  id: "pii-detector",
  aliases: ["pii", "pii_detector", "pii_detection", "pii_filter"],
  description:
    "Detects personal data and secrets; redacts, tokenizes, blocks or logs them, on input and output.",
  phases: ["input", "output"],
  failure: "deny",
  settings,
  create(options) {
    const custom: PiiDetector[] = options.patterns.map((entry) => ({
      type: entry.name,
      category: "pii",
      label: entry.label ?? entry.name.toUpperCase(),
      pattern: new RegExp(entry.pattern.source, `${entry.pattern.flags}g`),
    }));
    return detectorRuntime([...detectorsFor(options.types), ...custom], {
      action: options.action,
      apply_to: options.apply_to,
      format: options.redaction.marker_format,
      disclose: options.redaction.include_metadata,
      holdback: piiHoldback,
    });
  },
});
