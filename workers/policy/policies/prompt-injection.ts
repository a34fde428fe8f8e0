import { z } from "zod";
import { definePolicy, type InputVerdict } from "../policy.ts";
import type { Finding } from "../types.ts";

interface AttackPattern {
  id: string;
  pattern: RegExp;
  weight: number;
}

/** A small built-in attack library; the full one (encodings, homoglyphs) grows in its own module. */
const BUILTIN: readonly AttackPattern[] = [
  {
    id: "builtin.instruction_override",
    weight: 0.9,
    pattern:
      /\b(?:ignore|disregard|forget|override)\s+(?:all\s+|any\s+|the\s+|your\s+)?(?:previous|prior|above|earlier|preceding)\s+(?:instructions|prompts?|rules|directions|messages)/i,
  },
  {
    id: "builtin.system_prompt_extraction",
    weight: 0.8,
    pattern:
      /\b(?:reveal|show|print|repeat|output|tell me)\s+(?:me\s+)?(?:your|the)\s+(?:system\s+prompt|initial\s+instructions|hidden\s+instructions)/i,
  },
  {
    id: "builtin.role_play_jailbreak",
    weight: 0.8,
    pattern:
      /\b(?:you are now|act as|pretend to be)\s+(?:DAN\b|an?\s+(?:unrestricted|unfiltered|jailbroken)\b)|\bdo anything now\b/i,
  },
  {
    id: "builtin.fake_boundary",
    weight: 0.9,
    pattern: /<\|im_start\|>\s*system|<\|im_end\|>|^#{2,}\s*system\s*:|<\/?system>/im,
  },
];

function compileUserPattern(source: string, context: z.RefinementCtx): RegExp | undefined {
  try {
    return new RegExp(source, "i");
  } catch (error) {
    context.addIssue({
      code: "custom",
      message: `invalid regular expression: ${(error as Error).message}`,
    });
    return undefined;
  }
}

const settings = z.strictObject({
  action: z.enum(["block", "log"]).default("block"),
  threshold: z.number().min(0).max(1).default(0.5),
  roles: z.array(z.string().min(1)).min(1).default(["user", "tool", "function"]),
  detection: z
    .strictObject({
      builtin_patterns: z.boolean().default(true),
      attack_patterns: z
        .array(
          z
            .string()
            .min(1)
            .transform((source, context) => compileUserPattern(source, context)),
        )
        .default([]),
    })
    .default({ builtin_patterns: true, attack_patterns: [] }),
});

/** Detects attempts to override instructions, extract the system prompt or forge role boundaries. */
export const promptInjection = definePolicy({
  id: "prompt-injection",
  aliases: ["prompt_injection", "injection"],
  description:
    "Blocks prompt injection: instruction overrides, prompt extraction, fake boundaries.",
  phases: ["input"],
  failure: "deny",
  settings,
  create(options) {
    const patterns: AttackPattern[] = [
      ...(options.detection.builtin_patterns ? BUILTIN : []),
      ...options.detection.attack_patterns.flatMap((pattern, index) =>
        pattern ? [{ id: `custom.${index}`, pattern, weight: 1 }] : [],
      ),
    ];
    const roles = new Set(options.roles);
    return {
      input(segments): InputVerdict {
        const findings: Finding[] = [];
        let score = 0;
        for (const segment of segments) {
          if (!roles.has(segment.role)) continue;
          for (const attack of patterns) {
            const match = attack.pattern.exec(segment.text);
            if (!match) continue;
            score = Math.max(score, attack.weight);
            findings.push({
              type: attack.id,
              category: "prompt_injection",
              messageIndex: segment.messageIndex,
              field: segment.field,
              start: match.index,
              end: match.index + match[0].length,
              score: attack.weight,
            });
          }
        }
        if (score < options.threshold) return { action: "allow", findings: [] };
        const types = [...new Set(findings.map((finding) => finding.type))].join(", ");
        return {
          action: options.action,
          reason: `prompt injection (score ${score.toFixed(2)}): ${types}`,
          findings,
        };
      },
    };
  },
});
