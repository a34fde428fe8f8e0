import { z } from "zod";
import { piiHoldback } from "../detect/holdback.ts";
import { marker } from "../detect/markers.ts";
import {
  detectorsFor,
  findPii,
  PII_DETECTORS,
  PII_TYPES,
  type Span,
} from "../detect/pii-patterns.ts";
import { definePolicy, type InputVerdict, type OutputVerdict } from "../policy.ts";
import type { Finding } from "../types.ts";

const settings = z.strictObject({
  action: z.enum(["redact", "block", "log"]).default("redact"),
  types: z
    .array(z.enum(PII_TYPES))
    .min(1)
    .default(PII_TYPES.filter((type) => type !== "secrets")),
  apply_to: z
    .array(z.enum(["input", "output"]))
    .min(1)
    .default(["input", "output"]),
  redaction: z
    .strictObject({
      marker_format: z.enum(["label", "mask", "hash", "redacted"]).default("label"),
    })
    .default({ marker_format: "label" }),
});

function rewrite(text: string, spans: readonly Span[], format: Parameters<typeof marker>[0]) {
  let out = "";
  let position = 0;
  for (const span of spans) {
    const detector = PII_DETECTORS[span.type];
    out += text.slice(position, span.start);
    out += marker(format, detector?.label ?? "PII", text.slice(span.start, span.end));
    position = span.end;
  }
  return out + text.slice(position);
}

/** Finds personal data (email, phone, payment cards with Luhn) and redacts, blocks or logs it. */
export const piiDetector = definePolicy({
  id: "pii-detector",
  aliases: ["pii", "pii_detector", "pii_detection"],
  description: "Detects personal data and redacts, blocks or logs it, on input and output.",
  phases: ["input", "output"],
  failure: "deny",
  settings,
  create(options) {
    const detectors = detectorsFor(options.types);
    const format = options.redaction.marker_format;
    const reason = (spans: readonly { type: string }[]) =>
      `found ${[...new Set(spans.map((span) => span.type))].join(", ")}`;
    const toFinding = (span: Span, messageIndex: number, field: string): Finding => ({
      type: span.type,
      category: PII_DETECTORS[span.type]?.category ?? "pii",
      messageIndex,
      field,
      start: span.start,
      end: span.end,
    });

    return {
      input: options.apply_to.includes("input")
        ? (segments): InputVerdict => {
            const findings: Finding[] = [];
            const rewrites = new Map<number, string>();
            segments.forEach((segment, index) => {
              const spans = findPii(segment.text, detectors);
              if (spans.length === 0) return;
              for (const span of spans)
                findings.push(toFinding(span, segment.messageIndex, segment.field));
              if (options.action === "redact")
                rewrites.set(index, rewrite(segment.text, spans, format));
            });
            if (findings.length === 0) return { action: "allow", findings };
            return { action: options.action, reason: reason(findings), findings, rewrites };
          }
        : undefined,
      output: options.apply_to.includes("output")
        ? {
            scan(text, choiceIndex): OutputVerdict {
              const spans = findPii(text, detectors);
              const findings = spans.map((span) => toFinding(span, choiceIndex, "content"));
              if (spans.length === 0) return { action: "allow", text, findings };
              const rewritten = options.action === "redact" ? rewrite(text, spans, format) : text;
              return { action: options.action, reason: reason(spans), text: rewritten, findings };
            },
            holdback: piiHoldback,
          }
        : undefined,
    };
  },
});
