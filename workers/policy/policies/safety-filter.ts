import { z } from "zod";
import { wordsHoldback } from "../detect/holdback.ts";
import {
  SAFETY_CATEGORIES,
  SAFETY_PATTERNS,
  type SafetyCategory,
} from "../detect/safety-lexicon.ts";
import { definePolicy, type InputVerdict, type OutputVerdict } from "../policy.ts";
import type { Finding } from "../types.ts";

const categoryAction = z.enum(["block", "escalate", "log", "off"]);
const DEFAULT_ACTIONS: Record<SafetyCategory, z.infer<typeof categoryAction>> = {
  violence: "block",
  self_harm: "block",
  sexual_minors: "block",
  weapons: "block",
  hate: "block",
};

const settings = z.strictObject({
  categories: z
    .partialRecord(
      z.enum(SAFETY_CATEGORIES),
      z.union([categoryAction, z.strictObject({ action: categoryAction })]),
    )
    .default({}),
  apply_to: z
    .array(z.enum(["input", "output"]))
    .min(1)
    .default(["input", "output"]),
});

const SEVERITY = { off: 0, log: 1, escalate: 2, block: 3 } as const;
/** Longest phrase the lexicon matches across a stream's chunk boundary: ten words of up to 40 characters. */
const holdback = (text: string) => wordsHoldback(text.slice(-200), 10, 40);

/**
 * Blocks (or escalates, or logs) harmful requests and answers by category:
 * violence, self-harm, sexual content involving minors, weapons of mass harm,
 * hate. Sexual content involving minors is always blocked, whatever the config says.
 */
export const safetyFilter = definePolicy({
  id: "safety-filter",
  aliases: ["content_filter", "safety", "safety_filter", "content-filter"],
  description: "Filters harmful content by category with a per-category action.",
  phases: ["input", "output"],
  failure: "deny",
  settings,
  create(options) {
    const actions = { ...DEFAULT_ACTIONS };
    for (const [category, setting] of Object.entries(options.categories) as [
      SafetyCategory,
      (typeof options.categories)[SafetyCategory],
    ][]) {
      if (setting) actions[category] = typeof setting === "string" ? setting : setting.action;
    }
    actions.sexual_minors = "block";
    const active = SAFETY_CATEGORIES.filter((category) => actions[category] !== "off");

    const judge = (texts: ReadonlyArray<{ text: string; messageIndex: number; field: string }>) => {
      const findings: Finding[] = [];
      let worst: keyof typeof SEVERITY = "off";
      for (const { text, messageIndex, field } of texts) {
        for (const category of active) {
          for (const pattern of SAFETY_PATTERNS[category]) {
            const match = pattern.exec(text);
            if (!match) continue;
            findings.push({
              type: category,
              category: "safety",
              messageIndex,
              field,
              start: match.index,
              end: match.index + match[0].length,
            });
            if (SEVERITY[actions[category]] > SEVERITY[worst]) worst = actions[category];
            break;
          }
        }
      }
      const reason = findings.length
        ? `unsafe content: ${[...new Set(findings.map((finding) => finding.type))].join(", ")}`
        : undefined;
      return { findings, worst, reason };
    };

    return {
      input: options.apply_to.includes("input")
        ? (segments): InputVerdict => {
            const { findings, worst, reason } = judge(
              segments.filter(
                (segment) => segment.role !== "assistant" && segment.role !== "system",
              ),
            );
            if (worst === "off") return { action: "allow", findings: [] };
            return { action: worst, reason, findings };
          }
        : undefined,
      output: options.apply_to.includes("output")
        ? {
            scan(text, choiceIndex): OutputVerdict {
              const { findings, worst, reason } = judge([
                { text, messageIndex: choiceIndex, field: "content" },
              ]);
              if (worst === "off") return { action: "allow", text, findings: [] };
              return { action: worst === "escalate" ? "block" : worst, text, reason, findings };
            },
            holdback,
          }
        : undefined,
    };
  },
});
