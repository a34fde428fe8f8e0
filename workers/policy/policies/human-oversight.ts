import { z } from "zod";
import { definePolicy, type InputVerdict } from "../policy.ts";

const settings = z.strictObject({
  require_review: z.boolean().default(true),
  only_when: z
    .array(z.enum(["pii", "phi", "secret", "prompt_injection", "safety"]))
    .min(1)
    .optional(),
  reason: z.string().min(1).max(200).default("requires human review"),
});

/**
 * Routes requests to human review instead of the provider: always, or only when
 * earlier policies in the chain found something of the named categories (for
 * example PHI). The verdict is `escalate`; the gateway answers 403 pending_review.
 */
export const humanOversight = definePolicy({
  id: "human-oversight",
  aliases: ["human_review", "human_oversight", "review"],
  description:
    "Escalates requests to human review, always or when earlier policies found something.",
  phases: ["input"],
  failure: "deny",
  settings,
  create(options) {
    return {
      input(_segments, context): InputVerdict {
        if (!options.require_review) return { action: "allow", findings: [] };
        if (options.only_when) {
          const wanted = new Set<string>(options.only_when);
          const triggered = (context.earlier ?? [])
            .flatMap((decision) => decision.findings)
            .filter((finding) => wanted.has(finding.category));
          if (triggered.length === 0) return { action: "allow", findings: [] };
          const categories = [...new Set(triggered.map((finding) => finding.category))].join(", ");
          return {
            action: "escalate",
            reason: `${options.reason} (found ${categories})`,
            findings: [{ type: "review_required", category: "oversight", count: triggered.length }],
          };
        }
        return {
          action: "escalate",
          reason: options.reason,
          findings: [{ type: "review_required", category: "oversight" }],
        };
      },
    };
  },
});
