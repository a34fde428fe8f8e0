import { z } from "zod";
import { marker, type MarkerFormat } from "../detect/markers.ts";
import { findPii, type PiiDetector, type Span } from "../detect/pii-patterns.ts";
import type { InputVerdict, OutputVerdict, PolicyRuntime } from "../policy.ts";
import type { Finding } from "../types.ts";

/** The settings every detector policy shares: what to do, in which phases, with which markers. */
export const detectorSettings = {
  action: z.enum(["redact", "block", "log", "tokenize"]).default("redact"),
  apply_to: z
    .array(z.enum(["input", "output"]))
    .min(1)
    .default(["input", "output"]),
  redaction: z
    .strictObject({
      marker_format: z.enum(["label", "mask", "hash", "redacted"]).default("label"),
      /** Tell the caller what was redacted (types and counts, never values) in `x-keeptrusts-redactions`. */
      include_metadata: z.boolean().default(false),
    })
    .default({ marker_format: "label", include_metadata: false }),
};

/** What a detector policy does with what it finds. */
export interface DetectorOptions {
  action: "redact" | "block" | "log" | "tokenize";
  apply_to: readonly ("input" | "output")[];
  format: MarkerFormat;
  holdback: (text: string) => number;
  /** Disclose the counts of what was found to the caller. */
  disclose: boolean;
}

/**
 * Sent text a stream keeps before what it holds: the longest label
 * (`LABEL_REACH`) and the look-behinds of validators (40 characters) before it.
 */
const STREAM_CONTEXT = 128;

function reasonOf(spans: readonly { type: string }[]): string {
  return `found ${[...new Set(spans.map((span) => span.type))].join(", ")}`;
}

/**
 * The runtime shared by the detector policies (`pii-detector`,
 * `hipaa-phi-detector`): find spans, then redact, tokenize, block or log, on
 * input and on output. Findings carry type, category and place, never the value.
 */
export function detectorRuntime(
  detectors: readonly PiiDetector[],
  options: DetectorOptions,
): PolicyRuntime {
  const byType = new Map(detectors.map((detector) => [detector.type, detector]));
  const labelOf = (type: string) => byType.get(type)?.label ?? "PII";
  const toFinding = (span: Span, messageIndex: number, field: string): Finding => ({
    type: span.type,
    category: byType.get(span.type)?.category ?? "pii",
    messageIndex,
    field,
    start: span.start,
    end: span.end,
  });
  const rewrite = <Place extends { start: number; end: number }>(
    text: string,
    spans: readonly Place[],
    replace: (span: Place, value: string) => string,
  ) => {
    let out = "";
    let position = 0;
    for (const span of spans) {
      out += text.slice(position, span.start) + replace(span, text.slice(span.start, span.end));
      position = span.end;
    }
    return out + text.slice(position);
  };

  return {
    input: options.apply_to.includes("input")
      ? (segments): InputVerdict => {
          const findings: Finding[] = [];
          const rewrites = new Map<number, string>();
          const tokens = new Map<string, string>();
          const placeholders = new Map<string, string>();
          const counters = new Map<string, number>();
          const tokenFor = (span: Span, value: string) => {
            const key = `${span.type}\u0000${value}`;
            let placeholder = placeholders.get(key);
            if (!placeholder) {
              const count = (counters.get(span.type) ?? 0) + 1;
              counters.set(span.type, count);
              placeholder = `[${labelOf(span.type)}_${count}]`;
              placeholders.set(key, placeholder);
              tokens.set(placeholder, value);
            }
            return placeholder;
          };
          segments.forEach((segment, index) => {
            const spans = findPii(segment.text, detectors);
            if (spans.length === 0) return;
            for (const span of spans)
              findings.push(toFinding(span, segment.messageIndex, segment.field));
            if (options.action === "redact") {
              rewrites.set(
                index,
                rewrite(segment.text, spans, (span, value) =>
                  marker(options.format, labelOf(span.type), value),
                ),
              );
            } else if (options.action === "tokenize") {
              rewrites.set(index, rewrite(segment.text, spans, tokenFor));
            }
          });
          if (findings.length === 0) return { action: "allow", findings };
          const action = options.action === "tokenize" ? "redact" : options.action;
          return {
            action,
            reason: reasonOf(findings),
            findings,
            rewrites,
            ...(tokens.size ? { tokens } : {}),
            ...(options.disclose ? { disclose: true } : {}),
          };
        }
      : undefined,
    output: options.apply_to.includes("output")
      ? {
          scan(text, choiceIndex, from = 0): OutputVerdict {
            const found = findPii(text, detectors, from);
            // What lies wholly in the context before `from` was judged when it was sent.
            const spans = from > 0 ? found.filter((span) => span.end > from) : found;
            const findings = spans.map((span) => toFinding(span, choiceIndex, "content"));
            if (spans.length === 0) return { action: "allow", text, findings };
            const action = options.action === "tokenize" ? "redact" : options.action;
            if (action !== "redact") return { action, reason: reasonOf(spans), text, findings };
            const edits = spans.map((span) => ({
              start: span.start,
              end: span.end,
              text: marker(options.format, labelOf(span.type), text.slice(span.start, span.end)),
            }));
            const rewritten = rewrite(text, edits, (edit) => edit.text);
            return { action, reason: reasonOf(spans), text: rewritten, findings, edits };
          },
          holdback: options.holdback,
          context: STREAM_CONTEXT,
        }
      : undefined,
  };
}
