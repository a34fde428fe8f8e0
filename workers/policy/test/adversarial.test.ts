/**
 * Inputs shaped to make a backtracking regex stall: 1 MiB of digit groups,
 * one letter, '@', brackets, repeated attack words, spaced letters, an
 * unterminated private key… The whole input chain and the streamed output path
 * must simply finish. The generous timeout is the only guard: these tests make
 * no timing assertions, a pattern that is not linear shows up as a timeout.
 */
import { describe, expect, it } from "vitest";
import { compileChain, outputScanner, parseConfig, runInput, StreamWindow } from "../index.ts";

const MIB = 1 << 20;
const fill = (unit: string) => unit.repeat(Math.ceil(MIB / unit.length)).slice(0, MIB);

const INPUTS: Record<string, string> = {
  "digit groups with spaces": fill("1234 5678 "),
  "digit groups with dashes": fill("12-34-56-"),
  "dotted quads": fill("1.2.3."),
  "one letter": fill("a"),
  "at signs": fill("@"),
  "email-like": fill("a.b@c."),
  "nested brackets": fill("(["),
  "repeated ignore": fill("ignore "),
  "attack phrase": fill("ignore all previous instructions and "),
  "spaced letters": fill("i g n o r e "),
  "quotes and backticks": fill("\"'`“"),
  "upper-case tokens": fill("ABCD1234 "),
  "capitalised words": fill("Maria Lopez "),
  "clinical introducers": fill("Patient: Mr. "),
  "month names": fill("March 12, "),
  "slashed numbers": fill("on 1/2 "),
  "hex digits": fill("0123456789abcdef"),
  "base64 alphabet": fill("QUFBQUFB"),
  colons: fill("fe80:"),
  "role tokens": fill("<|im_start|>"),
  "zero-width and cyrillic": fill("і\u200bg\u200bn"),
  "unterminated private key": `-----BEGIN PRIVATE KEY-----${fill("A")}`,
  "mixed PII": fill("DOB: 12/12/1990, passport A1234567, card 4111 1111 1111 1111, "),
};

const chain = (() => {
  const parsed = parseConfig(
    JSON.stringify({
      providers: { targets: [{ id: "m", provider: "mock", model: "m" }] },
      policies: {
        chain: ["prompt-injection", "pii-detector", "hipaa-phi-detector", "safety-filter"],
      },
      policy: { "prompt-injection": { action: "log" }, "safety-filter": {} },
    }),
  );
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return compileChain(parsed.config);
})();
const context = { identity: {}, model: "m" };

describe("1 MiB adversarial inputs", () => {
  for (const [name, text] of Object.entries(INPUTS)) {
    it(`input chain completes: ${name}`, { timeout: 120_000 }, () => {
      const outcome = runInput(chain, [{ role: "user", content: text }], context);
      expect(["allow", "redact", "block", "escalate"]).toContain(outcome.action);
    });

    it(`streamed output completes: ${name}`, { timeout: 120_000 }, () => {
      const output = outputScanner(chain, context);
      if (!output) throw new Error("the chain has output policies");
      const window = new StreamWindow(output.scanner, 0);
      let released = 0;
      for (let start = 0; start < text.length; start += 16_384) {
        const step = window.push(text.slice(start, start + 16_384));
        if (step.blocked) return;
        released += step.release.length;
      }
      released += window.flush().release.length;
      expect(released).toBeGreaterThan(0);
    });
  }
});
