import { z } from "zod";
import { phiHoldback } from "../detect/holdback.ts";
import { PHI_DETECTORS, PHI_TYPES } from "../detect/phi-patterns.ts";
import { definePolicy } from "../policy.ts";
import { detectorRuntime, detectorSettings } from "./detector-runtime.ts";

const settings = z.strictObject({
  ...detectorSettings,
  mode: z.enum(["hipaa_18"]).default("hipaa_18"),
  identifiers: z.array(z.enum(PHI_TYPES)).min(1).optional(),
});

/**
 * De-identifies protected health information by HIPAA Safe Harbor: the 18
 * identifier types (`mode: hipaa_18`), or a subset named in `identifiers`.
 */
export const hipaaPhiDetector = definePolicy({
  id: "hipaa-phi-detector",
  aliases: ["phi", "hipaa", "phi_detector", "hipaa_phi"],
  description:
    "Detects the 18 HIPAA Safe Harbor identifiers; redacts, tokenizes, blocks or logs them.",
  phases: ["input", "output"],
  failure: "deny",
  settings,
  create(options) {
    const types = options.identifiers ?? PHI_TYPES;
    return detectorRuntime(
      types.flatMap((type) => PHI_DETECTORS[type] ?? []),
      {
        action: options.action,
        apply_to: options.apply_to,
        format: options.redaction.marker_format,
        disclose: options.redaction.include_metadata,
        holdback: phiHoldback,
      },
    );
  },
});
