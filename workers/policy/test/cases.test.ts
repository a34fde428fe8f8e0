import { describe, expect, it } from "vitest";
import { compileChain, parseConfig, runInput } from "../index.ts";
import piiCases from "./cases/pii-detector.json" with { type: "json" };
import injectionCases from "./cases/prompt-injection.json" with { type: "json" };

function chainFor(policy: string, settings: object) {
  const yaml = JSON.stringify({
    providers: { targets: [{ id: "m", provider: "mock", model: "m" }] },
    policies: { chain: [policy] },
    policy: { [policy]: settings },
  });
  const parsed = parseConfig(yaml);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return compileChain(parsed.config);
}

describe("pii-detector case table", () => {
  const chain = chainFor(piiCases.policy, piiCases.settings);
  for (const testCase of piiCases.cases) {
    it(testCase.name, () => {
      const outcome = runInput(chain, [{ role: "user", content: testCase.input }], {
        identity: {},
        model: "m",
      });
      expect(outcome.messages[0]?.content).toBe(testCase.expected);
      const found = outcome.decisions.flatMap((decision) =>
        decision.findings.map((finding) => finding.type),
      );
      expect([...new Set(found)].sort()).toEqual([...testCase.types].sort());
    });
  }
});

describe("prompt-injection case table", () => {
  const chain = chainFor(injectionCases.policy, injectionCases.settings);
  for (const testCase of injectionCases.cases) {
    it(testCase.name, () => {
      const outcome = runInput(chain, [{ role: "user", content: testCase.input }], {
        identity: {},
        model: "m",
      });
      expect(outcome.action).toBe(testCase.verdict);
    });
  }
});
