import { describe, expect, it } from "vitest";
import { compileChain, parseConfig, runInput } from "../index.ts";
import piiCases from "./cases/pii-detector.json" with { type: "json" };
import phiCases from "./cases/hipaa-phi-detector.json" with { type: "json" };
import injectionCases from "./cases/prompt-injection.json" with { type: "json" };
import safetyCases from "./cases/safety-filter.json" with { type: "json" };

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

interface RedactionTable {
  policy: string;
  settings: object;
  cases: Array<{ name: string; input: string; expected: string; types: string[] }>;
}

for (const table of [piiCases, phiCases] as RedactionTable[])
  describe(`${table.policy} case table`, () => {
    const chain = chainFor(table.policy, table.settings);
    for (const testCase of table.cases) {
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

interface VerdictTable {
  policy: string;
  settings: object;
  cases: Array<{ name: string; input: string; verdict: string }>;
}

for (const table of [injectionCases, safetyCases] as VerdictTable[])
  describe(`${table.policy} case table`, () => {
    const chain = chainFor(table.policy, table.settings);
    for (const testCase of table.cases) {
      it(testCase.name, () => {
        const outcome = runInput(chain, [{ role: "user", content: testCase.input }], {
          identity: {},
          model: "m",
        });
        const logged =
          outcome.action === "allow" &&
          outcome.decisions.some((decision) => decision.action === "log");
        expect(logged ? "log" : outcome.action).toBe(testCase.verdict);
      });
    }
  });
