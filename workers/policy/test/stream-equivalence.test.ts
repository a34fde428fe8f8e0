/**
 * A streamed answer must come out exactly as the whole answer scanned at once:
 * the same redacted text and the same findings (type, place and policy),
 * however the provider cuts it into deltas. Checked over the PII and PHI
 * quality corpora (dev, holdout and the hard negatives) and the bench's
 * discharge summary, for the PII and PHI detectors alone and composed, in
 * deltas of 1, 3, 16 and 64 characters and, for short texts, split in two at
 * every position.
 */
import { describe, expect, it } from "vitest";
import { CLINICAL_NOTE } from "../../../bench/scanner-texts.ts";
import { PII_TYPES } from "../detect/pii-patterns.ts";
import { StreamWindow } from "../index.ts";
import type { OutputScanner } from "../policy.ts";
import { chainScanner } from "./fixtures/chain-scanner.ts";
import type { Finding } from "../types.ts";
import { loadHardNegatives, loadPhi, loadPii } from "./fixtures/corpus.ts";

const PII = { "pii-detector": { action: "redact", types: PII_TYPES } };
const PHI = { "hipaa-phi-detector": { action: "redact", mode: "hipaa_18" } };
const SCANNERS: Record<string, OutputScanner> = {
  "pii-detector (all types)": chainScanner(["pii-detector"], PII),
  "hipaa-phi-detector (hipaa_18)": chainScanner(["hipaa-phi-detector"], PHI),
  "pii-detector then hipaa-phi-detector": chainScanner(["pii-detector", "hipaa-phi-detector"], {
    ...PII,
    ...PHI,
  }),
};

const TEXTS = [
  { id: "bench discharge summary", text: CLINICAL_NOTE },
  ...loadPii(),
  ...loadPii("holdout"),
  ...loadPhi(),
  ...loadPhi("holdout"),
  ...loadHardNegatives("pii"),
  ...loadHardNegatives("phi"),
];
const SIZES = [1, 3, 16, 64];
/** Texts this short are also split in two at every position. */
const SPLIT_EVERYWHERE = 160;

interface Outcome {
  text: string;
  findings: string[];
}

const key = (finding: Finding) =>
  `${finding.policy}:${finding.type}@${finding.start}-${finding.end}`;

function whole(scanner: OutputScanner, text: string): Outcome {
  const verdict = scanner.scan(text, 0);
  return { text: verdict.text, findings: verdict.findings.map(key).sort() };
}

function streamed(scanner: OutputScanner, pieces: readonly string[]): Outcome {
  const window = new StreamWindow(scanner, 0);
  let text = "";
  const findings: string[] = [];
  for (const piece of [...pieces, undefined]) {
    const step = piece === undefined ? window.flush() : window.push(piece);
    if (step.blocked) throw new Error("a redacting scanner blocked");
    text += step.release;
    findings.push(...step.findings.map(key));
  }
  return { text, findings: findings.sort() };
}

function deltas(text: string, size: number): string[] {
  const pieces: string[] = [];
  for (let start = 0; start < text.length; start += size)
    pieces.push(text.slice(start, start + size));
  return pieces;
}

/** Where two outcomes part, for a readable failure. */
function difference(expected: Outcome, actual: Outcome): string {
  if (expected.text === actual.text)
    return `findings ${JSON.stringify(expected.findings)} vs ${JSON.stringify(actual.findings)}`;
  let at = 0;
  while (expected.text[at] === actual.text[at]) at += 1;
  const around = (text: string) => JSON.stringify(text.slice(Math.max(0, at - 40), at + 40));
  return `whole ${around(expected.text)} vs streamed ${around(actual.text)}`;
}

describe("a streamed answer comes out as the whole answer scanned at once", () => {
  for (const [name, scanner] of Object.entries(SCANNERS)) {
    it(`${name}: in deltas of ${SIZES.join(", ")} characters`, { timeout: 60_000 }, () => {
      const mismatches: string[] = [];
      for (const { id, text } of TEXTS) {
        const expected = whole(scanner, text);
        for (const size of SIZES) {
          const actual = streamed(scanner, deltas(text, size));
          if (actual.text !== expected.text || actual.findings.join() !== expected.findings.join())
            mismatches.push(`${id} in ${size}s: ${difference(expected, actual)}`);
        }
      }
      expect(mismatches).toEqual([]);
    });

    it(`${name}: split in two at every position`, { timeout: 60_000 }, () => {
      const mismatches: string[] = [];
      for (const { id, text } of TEXTS.filter((entry) => entry.text.length <= SPLIT_EVERYWHERE)) {
        const expected = whole(scanner, text);
        for (let cut = 1; cut < text.length; cut += 1) {
          const actual = streamed(scanner, [text.slice(0, cut), text.slice(cut)]);
          if (
            actual.text !== expected.text ||
            actual.findings.join() !== expected.findings.join()
          ) {
            mismatches.push(`${id} split at ${cut}: ${difference(expected, actual)}`);
            break;
          }
        }
      }
      expect(mismatches).toEqual([]);
    });
  }
});
