/**
 * The word gate in front of the prompt-injection patterns: on every text of the
 * injection corpora (and readings of it), a pattern that matches must have
 * been selected; the stored requirements must be those the patterns give now.
 */
import { describe, expect, it } from "vitest";
import { ATTACKS, FAKE_BOUNDARIES } from "../detect/attack-library.ts";
import { decodeBase64Runs, foldHomoglyphs, normalizeUnicode } from "../detect/normalize.ts";
import { requirementFor, storedRequirement } from "../detect/requirement-table.ts";
import { compileWordGate, type WordGate } from "../detect/word-gate.ts";
import { requirementOf, type Requirement } from "../detect/word-requirement.ts";
import { loadHardNegatives, loadInjection } from "./fixtures/corpus.ts";

const PATTERNS = [...ATTACKS, ...FAKE_BOUNDARIES];

/** Every corpus text, the readings the policy scans, and respellings that keep matches. */
function texts(): string[] {
  const originals = [
    ...loadInjection("dev"),
    ...loadInjection("holdout"),
    ...loadInjection("holdout2"),
    ...loadInjection("holdout3"),
    ...loadHardNegatives("injection"),
    ...loadHardNegatives("pii"),
    ...loadHardNegatives("phi"),
  ].map((record) => record.text);
  const all = new Set<string>();
  for (const text of originals) {
    const plain = normalizeUnicode(text);
    for (const reading of [text, plain, foldHomoglyphs(plain), ...decodeBase64Runs(text)]) {
      all.add(reading);
      all.add(reading.toUpperCase());
      all.add(reading.replace(/ /g, "\u00a0"));
      all.add(reading.replace(/ /g, "\n"));
      all.add(`é${reading}é`);
    }
  }
  return [...all];
}

/** A requirement with every list sorted, to compare a stored one with a fresh one. */
function sorted(requirement: Requirement | undefined) {
  return requirement?.branches.map((clauses) =>
    clauses.map((clause) => ({
      words: [...clause.words].sort(),
      fragments: [...clause.fragments].sort(),
      pairs: clause.pairs.map((pair) => ({
        first: [...pair.first].sort(),
        second: [...pair.second].sort(),
      })),
    })),
  );
}

/** `pattern id: text` for each match the gate did not select. */
function unselectedMatches(gate: WordGate, corpus: readonly string[]): string[] {
  const misses: string[] = [];
  for (const text of corpus) {
    const selected = gate.select(text);
    PATTERNS.forEach((attack, index) => {
      if (!selected[index] && attack.pattern.test(text))
        misses.push(`${attack.id}: ${JSON.stringify(text.slice(0, 120))}`);
    });
  }
  return misses;
}

describe("word gate of the prompt-injection patterns", () => {
  const corpus = texts();
  const gate = compileWordGate(PATTERNS.map((attack) => requirementFor(attack.pattern)));

  it("selects every pattern that matches a corpus text", () => {
    expect(unselectedMatches(gate, corpus)).toEqual([]);
  });

  it("would catch a gate that skips a matching pattern", () => {
    const wrong = compileWordGate(
      PATTERNS.map(() => ({ branches: [[{ words: ["zzzz"], pairs: [], fragments: [] }]] })),
    );
    expect(unselectedMatches(wrong, corpus).length).toBeGreaterThan(0);
  });

  it("reports the patterns that run on every text", () => {
    const always = gate.alwaysRun.map((index) => PATTERNS[index]?.id);
    console.log(`always run: ${always.length ? always.join(", ") : "none"}`);
    const share =
      corpus.reduce((sum, text) => sum + gate.select(text).reduce((a, b) => a + b, 0), 0) /
      (corpus.length * PATTERNS.length);
    console.log(`patterns run per text: ${(share * 100).toFixed(1)}% of ${PATTERNS.length}`);
  });

  it("stores the requirements the patterns give now (else: node scripts/attack-requirements.ts)", () => {
    for (const attack of PATTERNS) {
      const fresh = requirementOf(attack.pattern);
      expect(sorted(storedRequirement(attack.pattern)), attack.id).toEqual(sorted(fresh));
    }
  });
});
