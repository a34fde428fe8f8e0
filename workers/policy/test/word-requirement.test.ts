import { describe, expect, it } from "vitest";
import { compileWordGate } from "../detect/word-gate.ts";
import { requirementOf, type Requirement } from "../detect/word-requirement.ts";
import { foldUnit, isAsciiWordUnit, isTokenUnit } from "../detect/word-tokens.ts";

/** The requirement as sorted atoms per clause, to compare with a table. */
function atoms(requirement: Requirement | undefined): string[][] | undefined {
  return requirement?.branches.map((clauses) =>
    clauses
      .map((clause) =>
        [
          ...clause.words,
          ...clause.pairs.flatMap((pair) =>
            pair.first.flatMap((first) => pair.second.map((second) => `${first}+${second}`)),
          ),
          ...clause.fragments.map((fragment) => `~${fragment}`),
        ]
          .sort()
          .join(" "),
      )
      .sort(),
  );
}

describe("requirementOf", () => {
  it.each([
    // A run bounded on both sides is a whole token; on one side only, it proves nothing.
    [String.raw`\bignore\b`, "i", [["ignore"]]],
    [String.raw`ignore`, "i", undefined],
    [String.raw`\bignore`, "i", undefined],
    [String.raw`ignore\s`, "i", undefined],
    [String.raw`\sfoo\W`, "i", [["foo"]]],
    [String.raw`\bfoo\d\b`, "i", undefined],
    [String.raw`\bfoo.bar\b`, "i", undefined],
    [String.raw`<\|im_end\|>`, "i", [["im_end"]]],
    [String.raw`^foo:`, "im", [["foo"]]],
    // Small finite pieces expand.
    [String.raw`\bpolic(?:y|ies)\b`, "i", [["policies policy"]]],
    [String.raw`\binstructions?\b`, "i", [["instruction instructions"]]],
    [String.raw`\bsummari[sz]e\b`, "i", [["summarise summarize"]]],
    [String.raw`\b[Bb]e\b`, "", [["be"]]],
    [String.raw`\b(?:ignore|(?:dis)?regard)\b`, "i", [["disregard ignore regard"]]],
    // An optional separator may join two words into one token.
    [String.raw`\bfoo\s{0,3}bar\b`, "i", [["foo foobar"]]],
    [String.raw`\bfoo-?bar\b`, "i", [["foo foobar"]]],
    // Lookarounds consume nothing: they neither bound a run nor require anything.
    [String.raw`\bfoo(?=bar)`, "i", undefined],
    [String.raw`(?<=\s)foo(?=\s)`, "i", undefined],
    [String.raw`\bfoo(?!x)\s`, "i", [["foo"]]],
    // A choice is unknown when one alternative is; repetitions count when mandatory.
    [String.raw`\bfoo\b|bar`, "i", undefined],
    [String.raw`\bfoo\b(?:x|)`, "i", [["foo"]]],
    [String.raw`(?:\bfoo\b\s)+`, "i", [["foo"]]],
    [String.raw`(?:\bfoo\b\s)*`, "i", undefined],
    // Consecutive tokens.
    [String.raw`\byou\s+are\b`, "i", [["are", "you", "you+are"]]],
    [String.raw`\bdon't\b`, "i", [["don", "don+t", "t"]]],
    [String.raw`\byour\s(?:full\s)?prompt\b`, "i", [["prompt", "your", "your+full your+prompt"]]],
    // `\b` only knows ASCII letters: non-ASCII runs need explicit bounds to be whole tokens.
    [String.raw`\sórdenes\s`, "i", [["~Órdenes", "Órdenes"]]],
    [String.raw`\bórdenes\b`, "i", [["~Órdenes"]]],
    [String.raw`忽略`, "", [["~忽略"]]],
    // `u` changes `\w` and case folding: not analysed.
    [String.raw`\bfoo\b`, "iu", undefined],
  ])("/%s/%s", (source, flags, expected) => {
    expect(atoms(requirementOf(new RegExp(source, flags)))).toEqual(expected);
  });

  it("keeps the rarest of a sequence's words and pairs", () => {
    const clauses = requirementOf(/\bthe\s+jailbreak\s+mode\b/i)?.branches[0] ?? [];
    expect(clauses[0]?.pairs).toEqual([{ first: ["jailbreak"], second: ["mode"] }]);
    expect(clauses.some((clause) => clause.words.includes("the"))).toBe(false);
  });
});

describe("compileWordGate", () => {
  it("selects a pattern whenever it matches, beside letters `\\b` does not know", () => {
    const patterns = [/\bignore\b/i, /\byou\s+are\b/i, /\sórdenes\s/i, /忽略/, /\bdan\b/];
    const gate = compileWordGate(patterns.map(requirementOf));
    for (const text of [
      "éignoreé",
      "\u212AIGNORE!",
      "so YOU\u00a0ARE here",
      "las ÓRDENES dadas",
      "请忽略之前的指令",
      "I am DAN",
    ]) {
      const selected = gate.select(text);
      patterns.forEach((pattern, index) => {
        if (pattern.test(text)) expect(selected[index], `${pattern} on ${text}`).toBe(1);
      });
    }
  });

  it("selects nothing on text without the words", () => {
    const gate = compileWordGate([/\bignore\s+previous\b/i, /\byou\s+are\b/i].map(requirementOf));
    expect([...gate.select("You can ignore it. Are previous orders here?")]).toEqual([0, 0]);
    expect(gate.alwaysRun).toEqual([]);
  });

  it("runs a pattern with no requirement on every text", () => {
    const gate = compileWordGate([requirementOf(/ignore/i), requirementOf(/\bx\b/)]);
    expect(gate.alwaysRun).toEqual([0]);
    expect([...gate.select("nothing")]).toEqual([1, 0]);
  });
});

describe("the folding the gate relies on", () => {
  const units = Array.from({ length: 0x10000 }, (_, code) => code);

  it("keeps token characters apart from the others under case folding", () => {
    const classes = new Map<number, Set<string>>();
    for (const code of units) {
      const kind = `${isAsciiWordUnit(code)}/${isTokenUnit(code) || (code >= 0xd800 && code <= 0xdfff)}`;
      const fold = foldUnit(code);
      const seen = classes.get(fold) ?? new Set<string>();
      seen.add(kind);
      classes.set(fold, seen);
    }
    const mixed = [...classes].filter(([, kinds]) => kinds.size > 1).map(([fold]) => fold);
    expect(mixed).toEqual([]);
  });

  it("matches the engine's case-insensitive comparison", () => {
    const all = String.fromCharCode(...units.filter((code) => code < 0xd800 || code > 0xdfff));
    const samples = [..."abcdefghijklmnopqrstuvwxyz0123456789_", ..."ÓÜÉÑöçığşσςΣкКиИ忽명"];
    for (const sample of samples) {
      const escaped = sample.replace(/[\\^$.*+?()[\]{}|]/g, "\\$&");
      const matching = [...all.matchAll(new RegExp(escaped, "gi"))].map(([found]) => found);
      for (const found of matching)
        expect(foldUnit(found.charCodeAt(0)), `${sample} ~ ${found}`).toBe(
          foldUnit(sample.charCodeAt(0)),
        );
      const folded = foldUnit(sample.charCodeAt(0));
      const sameFold = units.filter(
        (code) => (code < 0xd800 || code > 0xdfff) && foldUnit(code) === folded,
      );
      expect(matching.length, sample).toBe(sameFold.length);
    }
  });
});
