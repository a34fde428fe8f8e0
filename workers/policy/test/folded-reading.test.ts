/**
 * The folded reading does in one pass what prompt-injection did in several:
 * fold, scan for hidden keywords, mark the word gate, and derive the gate's
 * selections for the text and its NFKC form from the folded text's marks.
 * Each shortcut is checked against the plain computation it replaces.
 */
import { describe, expect, it } from "vitest";
import { ATTACKS, FAKE_BOUNDARIES } from "../detect/attack-library.ts";
import { readFolded } from "../detect/folded-reading.ts";
import { scanKeywords } from "../detect/keyword-scan.ts";
import { foldHomoglyphs, foldUntilSpacing, normalizeUnicode } from "../detect/normalize.ts";
import { requirementFor } from "../detect/requirement-table.ts";
import { textWindows } from "../detect/text-windows.ts";
import { compileWordGate } from "../detect/word-gate.ts";
import type { Requirement } from "../detect/word-requirement.ts";
import { loadHardNegatives, loadInjection } from "./fixtures/corpus.ts";
import { Random } from "./fixtures/random.ts";

const GATE = compileWordGate(
  [...ATTACKS, ...FAKE_BOUNDARIES].map((a) => requirementFor(a.pattern)),
);

/** Corpus texts and respellings that exercise every step of the fold. */
function texts(): string[] {
  const random = new Random(7_021);
  const respell = (text: string, alphabet: readonly string[], p: number) =>
    text.replace(/ /g, () => (random.chance(p) ? random.pick(alphabet) : " "));
  const all: string[] = [];
  for (const { text } of [
    ...loadInjection("dev"),
    ...loadInjection("holdout"),
    ...loadHardNegatives("injection"),
  ]) {
    all.push(
      text,
      text.replace(/[oiea]/g, (c) =>
        random.chance(0.3) ? ({ o: "0", i: "1", e: "3", a: "4" }[c] ?? c) : c,
      ),
      text.replace(/[aeo]/g, (c) =>
        random.chance(0.2) ? ({ a: "а", e: "е", o: "о" }[c] ?? c) : c,
      ),
      respell(text, ["  ", "\t", "-", ".", "_", " * ", " 🔥 "], 0.2),
      text.replace(/\b\w{3,8}\b/g, (w) => (random.chance(0.1) ? w.split("").join(" ") : w)),
      text.replace(/\b\w{6,}\b/g, (w) =>
        random.chance(0.2) ? w.slice(0, 2) + w[3] + w[2] + w.slice(4) : w,
      ),
      // Misspellings after runs of blanks: their positions move when the runs are made one space.
      respell(
        text.replace(/\b\w{6,}\b/g, (w) => (random.chance(0.3) ? w.slice(0, 3) + w.slice(4) : w)),
        ["  ", "\t\t", "   "],
        0.3,
      ),
    );
  }
  return all;
}

/** Whether every pattern `want` selects, `got` selects too. */
const holds = (got: Uint8Array, want: Uint8Array) =>
  want.every((flag, index) => !flag || got[index] === 1);

describe("the folded reading", () => {
  const corpus = texts();

  it("is the fold, the keyword scan and the gate marks of the plain computation", () => {
    for (const text of corpus) {
      const plain = normalizeUnicode(text);
      const folded = readFolded(plain, true, GATE);
      const expected = foldHomoglyphs(plain);
      expect(folded.text, text).toBe(expected);
      const { misspellings, shift, atbash, reversed } = scanKeywords(expected);
      expect({ ...folded.scan, spacedLetters: 0, blankRuns: 0 }, text).toEqual({
        misspellings,
        shift,
        atbash,
        reversed,
        spacedLetters: 0,
        blankRuns: 0,
      });
      expect([...folded.marks.selected], text).toEqual([...GATE.select(expected)]);
    }
  });

  it("selects for the text and its NFKC form at least what the gate selects for them", () => {
    for (const text of corpus) {
      const plain = normalizeUnicode(text);
      const folded = readFolded(plain, true, GATE);
      for (const reading of [text, plain])
        expect(holds(folded.select(reading), GATE.select(reading)), reading).toBe(true);
    }
  });

  it("knows where the fold changed a text when the changes kept its length", () => {
    for (const text of corpus) {
      const { text: folded, windows } = foldUntilSpacing(text);
      if (!windows) continue;
      expect(folded.length).toBe(text.length);
      let outside = "";
      let other = "";
      let from = 0;
      for (let at = 0; at + 1 < windows.length; at += 2) {
        outside += text.slice(from, windows[at]);
        other += folded.slice(from, windows[at]);
        from = Math.max(from, windows[at + 1] ?? 0);
      }
      expect(outside + text.slice(from)).toBe(other + folded.slice(from));
    }
  });
});

describe("the gate's selection around windows", () => {
  // Small words and every pair of them, so that random texts over a few letters hit them.
  const words = ["a", "b", "ab", "ba", "c", "abc"];
  const clause = (w: string[], pairs: Requirement["branches"][number][number]["pairs"] = []) => ({
    words: w,
    pairs,
    fragments: [],
  });
  const requirements: Requirement[] = [
    ...words.map((word) => ({ branches: [[clause([word])]] })),
    ...words.flatMap((first) =>
      words.map((second) => ({ branches: [[clause([], [{ first: [first], second: [second] }])]] })),
    ),
    ...words.map((word) => ({ branches: [[clause([word]), clause(["c"])]] })),
  ];
  const gate = compileWordGate(requirements);

  it("holds what the gate selects, for random texts and random edits of them", () => {
    const random = new Random(4_417);
    const alphabet = "abc  -\n_";
    for (let round = 0; round < 40_000; round += 1) {
      const base = random.string(alphabet, random.int(0, 24));
      let text = "";
      for (const character of base) {
        const roll = random.next();
        if (roll < 0.05) continue;
        text += roll < 0.1 ? random.pick([...alphabet]) : character;
        if (roll > 0.95) text += random.pick([...alphabet]);
      }
      const selected = gate.selectAround(gate.scan(base), text, textWindows(base, text));
      expect(
        holds(selected, gate.select(text)),
        `${JSON.stringify(base)} → ${JSON.stringify(text)}`,
      ).toBe(true);
    }
  });

  it("would catch windows that leave a change out", () => {
    let missed = 0;
    const random = new Random(4_417);
    for (let round = 0; round < 2_000; round += 1) {
      const base = random.string("abc -", 12);
      const text = random.string("abc -", 12);
      if (!holds(gate.selectAround(gate.scan(base), text, []), gate.select(text))) missed += 1;
    }
    expect(missed).toBeGreaterThan(0);
  });
});
