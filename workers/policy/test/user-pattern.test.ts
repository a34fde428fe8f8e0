import { describe, expect, it } from "vitest";
import { backtrackingRisk } from "../detect/user-pattern.ts";

describe("backtrackingRisk", () => {
  it.each([
    "(a+)+b",
    "(\\w+\\s?)*$",
    "(x*)*y",
    "(a?)*",
    "(a|ab)+c",
    "(.*a){20}",
    "(\\d+)+$",
    "(a)\\1",
  ])("rejects %s", (source) => {
    expect(backtrackingRisk(source)).toBeDefined();
  });

  it.each([
    "ignore (all )?previous",
    "\\bproject-[a-z]{3,10}\\b",
    "(?:\\d[ -]?){12,18}\\d",
    "secret (code|key|token)",
    "[A-Z]{2}\\d{6}",
    "(ab|cd)+",
  ])("accepts %s", (source) => {
    expect(backtrackingRisk(source)).toBeUndefined();
  });
});
