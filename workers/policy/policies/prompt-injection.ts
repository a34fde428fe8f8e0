import { z } from "zod";
import { ATTACKS, FAKE_BOUNDARIES, type AttackPattern } from "../detect/attack-library.ts";
import { BoundedCache } from "../detect/bounded-cache.ts";
import { decodeHexBytes } from "../detect/hex-bytes.ts";
import { readFolded } from "../detect/folded-reading.ts";
import { keywordVariants } from "../detect/keyword-variants.ts";
import { segmentRuns } from "../detect/message-runs.ts";
import { decodeBase64Runs, normalizeUnicode } from "../detect/normalize.ts";
import { splitPayloadVariants } from "../detect/payload-split.ts";
import { requirementFor } from "../detect/requirement-table.ts";
import { isAscii } from "../detect/text-units.ts";
import { userPattern } from "../detect/user-pattern.ts";
import { compileWordGate } from "../detect/word-gate.ts";
import { definePolicy, type InputVerdict } from "../policy.ts";
import type { Segment } from "../segments.ts";
import type { Finding } from "../types.ts";

const settings = z.strictObject({
  action: z.enum(["block", "log"]).default("block"),
  threshold: z.number().min(0).max(1).default(0.5),
  roles: z.array(z.string().min(1)).min(1).default(["user", "tool", "function"]),
  use_embedding: z
    .boolean()
    .refine(
      (value) => !value,
      "use_embedding is not available: no embedding classifier is configured; remove it or set it to false",
    )
    .default(false),
  detection: z
    .strictObject({
      builtin_patterns: z.boolean().default(true),
      attack_patterns: z.array(userPattern).default([]),
    })
    .default({ builtin_patterns: true, attack_patterns: [] }),
  encoding: z
    .strictObject({
      decode_base64: z.boolean().default(true),
      normalize_unicode: z.boolean().default(true),
      detect_homoglyphs: z.boolean().default(true),
      fix_misspellings: z.boolean().default(true),
      decode_ciphers: z.boolean().default(true),
      join_split_payloads: z.boolean().default(true),
    })
    .default({
      decode_base64: true,
      normalize_unicode: true,
      detect_homoglyphs: true,
      fix_misspellings: true,
      decode_ciphers: true,
      join_split_payloads: true,
    }),
  boundaries: z
    .strictObject({
      enforce_delimiters: z.boolean().default(false),
      reject_fake_boundaries: z.boolean().default(true),
    })
    .default({ enforce_delimiters: false, reject_fake_boundaries: true }),
});

interface Hit {
  id: string;
  weight: number;
  start: number;
  end: number;
  encoding?: string;
}

const UNTRUSTED_ROLES = new Set(["tool", "function"]);
/** Pieces this short, this many characters in all, are joined when consecutive (see `segmentRuns`). */
const RUN_LIMITS = { piece: 400, total: 1600 };

/**
 * Detects attempts to override instructions, extract the system prompt, jailbreak
 * by role-play or forge role boundaries, also when hidden by Unicode tricks,
 * look-alike letters, leetspeak or base64, and in tool results (indirect
 * injection). Each match scores; the request is refused when the best score
 * reaches the threshold.
 */
export const promptInjection = definePolicy({
  id: "prompt-injection",
  aliases: ["prompt_injection", "injection"],
  description:
    "Blocks prompt injection: instruction overrides, prompt extraction, jailbreaks, fake boundaries.",
  phases: ["input"],
  failure: "deny",
  settings,
  create(options) {
    const patterns: AttackPattern[] = [
      ...(options.detection.builtin_patterns ? ATTACKS : []),
      ...(options.boundaries.reject_fake_boundaries ? FAKE_BOUNDARIES : []),
      ...options.detection.attack_patterns.map((pattern, index) => ({
        id: `custom.${index}`,
        weight: 1,
        pattern,
      })),
    ];
    const roles = new Set(options.roles);
    const { encoding } = options;
    const cache = new BoundedCache<Hit[]>();
    // Which patterns a text's words allow to match: the others are not run on it.
    const gate = compileWordGate(patterns.map((attack) => requirementFor(attack.pattern)));

    const scan = (text: string): Hit[] => {
      const variants: Array<{ text: string; encoding?: string }> = [{ text }];
      let plain = text;
      // NFKC leaves ASCII as it is, and every invisible character is outside ASCII.
      if (encoding.normalize_unicode && !isAscii(text)) {
        plain = normalizeUnicode(plain);
        if (plain !== text) variants.push({ text: plain, encoding: "unicode" });
      }
      // The folded reading, its keyword scan and word-gate marks, from one pass over its words.
      const folded = readFolded(plain, encoding.detect_homoglyphs, gate);
      if (folded.text !== plain) variants.push({ text: folded.text, encoding: "homoglyphs" });
      if (encoding.fix_misspellings || encoding.decode_ciphers) {
        const { fix_misspellings: misspellings, decode_ciphers: ciphers } = encoding;
        variants.push(...keywordVariants(folded.text, { misspellings, ciphers }, folded.scan));
      }
      if (encoding.join_split_payloads) variants.push(...splitPayloadVariants(plain));
      if (encoding.decode_base64) {
        for (const decoded of decodeBase64Runs(text))
          variants.push({ text: decoded, encoding: "base64" });
        for (const decoded of decodeHexBytes(text))
          variants.push({ text: decoded, encoding: "hex" });
      }
      // The folded reading's marks serve the text and its NFKC form too: only their
      // tokens around the places where they differ from it are looked up again.
      const selected = variants.map(({ text: reading }) =>
        reading === folded.text || reading === text || reading === plain
          ? folded.select(reading)
          : gate.select(reading),
      );
      const hits: Hit[] = [];
      // Index loops, not entries(): most patterns are selected in no reading, and
      // the check for each should cost no more than the look-up.
      for (let index = 0; index < patterns.length; index += 1) {
        const attack = patterns[index];
        if (!attack) continue;
        for (let position = 0; position < variants.length; position += 1) {
          const variant = variants[position];
          if (!variant || !selected[position]?.[index]) continue;
          const match = attack.pattern.exec(variant.text);
          if (!match) continue;
          const located = variant.encoding === undefined;
          hits.push({
            id: attack.id,
            weight: attack.weight,
            start: located ? match.index : 0,
            end: located ? match.index + match[0].length : text.length,
            ...(variant.encoding ? { encoding: variant.encoding } : {}),
          });
          break;
        }
      }
      return hits;
    };

    /**
     * A payload sent one piece per message: findings in the join of consecutive
     * short segments of one role that its pieces do not already have, scanned
     * only when the word gate says some pattern could match the join.
     */
    const runFindings = (segments: readonly Segment[], found: readonly Finding[]): Finding[] => {
      const joined: Finding[] = [];
      for (const run of segmentRuns(segments, roles, RUN_LIMITS)) {
        const first = segments[run.indexes[0] ?? -1];
        if (!first || !gate.select(run.text).includes(1)) continue;
        const messages = new Set(run.indexes.map((index) => segments[index]?.messageIndex));
        const known = new Set(
          found
            .filter((finding) => messages.has(finding.messageIndex))
            .map((finding) => finding.type),
        );
        for (const hit of cache.get(run.text, () => scan(run.text))) {
          if (known.has(hit.id)) continue;
          joined.push({
            type: hit.id,
            category: "prompt_injection",
            messageIndex: first.messageIndex,
            field: first.field,
            start: 0,
            end: first.text.length,
            score: hit.weight,
            encoding: "message_split",
          });
        }
      }
      return joined;
    };

    return {
      input(segments): InputVerdict {
        const findings: Finding[] = [];
        let score = 0;
        const rewrites = new Map<number, string>();
        segments.forEach((segment, index) => {
          if (
            options.boundaries.enforce_delimiters &&
            UNTRUSTED_ROLES.has(segment.role) &&
            segment.field === "content"
          ) {
            rewrites.set(
              index,
              `<untrusted_content source="${segment.role}">\n${segment.text}\n</untrusted_content>`,
            );
          }
          if (!roles.has(segment.role)) return;
          for (const hit of cache.get(segment.text, () => scan(segment.text))) {
            score = Math.max(score, hit.weight);
            findings.push({
              type: hit.id,
              category: "prompt_injection",
              messageIndex: segment.messageIndex,
              field: segment.field,
              start: hit.start,
              end: hit.end,
              score: hit.weight,
              ...(hit.encoding ? { encoding: hit.encoding } : {}),
            });
          }
        });
        if (encoding.join_split_payloads && segments.length > 1) {
          for (const finding of runFindings(segments, findings)) {
            score = Math.max(score, finding.score ?? 0);
            findings.push(finding);
          }
        }
        if (score < options.threshold)
          return { action: "allow", findings: [], ...(rewrites.size ? { rewrites } : {}) };
        const types = [...new Set(findings.map((finding) => finding.type))].join(", ");
        return {
          action: options.action,
          reason: `prompt injection (score ${score.toFixed(2)}): ${types}`,
          findings,
          ...(rewrites.size ? { rewrites } : {}),
        };
      },
    };
  },
});
