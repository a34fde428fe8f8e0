import { describe, expect, it } from "vitest";
import { parseConfig } from "../index.ts";

const targets = `providers:
  targets:
    - id: echo
      provider: mock
      model: mock-echo
`;

function errorsOf(text: string) {
  const result = parseConfig(text);
  if (result.ok) throw new Error("expected errors");
  return result.errors.map((error) => `${error.line}:${error.column} ${error.message}`);
}

describe("parseConfig", () => {
  it("accepts the chain form and applies defaults", () => {
    const result = parseConfig(`${targets}policies:
  chain:
    - prompt-injection
    - pii-detector:
        targeting: {scope: team, teams: [legal]}
policy:
  pii-detector:
    action: block
`);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.config.pack).toEqual({ name: "default", version: "0.0.0", enabled: true });
    expect(result.config.targets[0]?.timeout_ms).toBe(60_000);
    expect(result.config.chain.map((item) => item.policy)).toEqual([
      "prompt-injection",
      "pii-detector",
    ]);
    expect(result.config.chain[1]?.targeting).toMatchObject({ scope: "team", teams: ["legal"] });
    expect(result.config.chain[1]?.settings).toMatchObject({ action: "block" });
    const { types } = result.config.chain[1]?.settings as { types: string[] };
    expect(types).toEqual(expect.arrayContaining(["email", "phone", "credit_card", "iban", "jwt"]));
    expect(types).not.toContain("secrets");
  });

  it("normalises the list form to the same model", () => {
    const result = parseConfig(`${targets}policies:
  - name: no-pii
    type: pii
    enabled: true
    action: redact
  - name: guard
    type: prompt_injection
    enabled: false
`);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.config.chain).toMatchObject([
      { name: "no-pii", policy: "pii-detector", enabled: true, settings: { action: "redact" } },
      { name: "guard", policy: "prompt-injection", enabled: false },
    ]);
  });

  it("locates an unknown key and suggests the right one", () => {
    expect(errorsOf(`${targets}      timout_ms: 5\n`)).toEqual([
      '6:7 unknown key "timout_ms" (did you mean "timeout_ms"?)',
    ]);
  });

  it("locates unknown policies in the chain and in policy blocks", () => {
    expect(
      errorsOf(`${targets}policies:\n  chain: [pii-detectr]\npolicy:\n  prompt-injecton: {}\n`),
    ).toEqual([
      '7:11 unknown policy "pii-detectr" (did you mean "pii-detector"?)',
      '9:3 unknown policy "prompt-injecton" (did you mean "prompt-injection"?)',
    ]);
  });

  it("locates wrong types, bad enum values and missing keys", () => {
    const errors = errorsOf(`providers:
  targets:
    - id: a
      provider: openaii
      model: 3
    - provider: mock
      model: m
`);
    expect(errors).toEqual([
      '4:17 providers.targets[0].provider: must be one of "openai", "anthropic", "azure-openai", "gemini", "mock"',
      "5:14 providers.targets[0].model: expected string",
      '6:7 missing required key "id"',
    ]);
  });

  it("rejects duplicate target ids and consumer groups naming unserved models", () => {
    const errors = errorsOf(`${targets}    - id: echo
      provider: mock
      model: other
  consumer_groups:
    - name: cheap
      models: [{provider: openai, model: gpt-4o-mini}]
`);
    expect(errors).toEqual([
      '6:11 duplicate target id "echo"',
      '11:16 consumer group "cheap" names openai/gpt-4o-mini, which no target serves',
    ]);
  });

  it("validates policy settings with the policy's own schema", () => {
    expect(
      errorsOf(
        `${targets}policies:\n  chain: [pii-detector]\npolicy:\n  pii-detector:\n    action: redakt\n`,
      ),
    ).toEqual([
      '10:13 policy.pii-detector.action: must be one of "redact", "block", "log", "tokenize"',
    ]);
  });

  it("rejects an invalid user regex with its location", () => {
    const errors = errorsOf(
      `${targets}policies:\n  chain: [prompt-injection]\npolicy:\n  prompt-injection:\n    detection:\n      attack_patterns: ["(unclosed"]\n`,
    );
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(
      /^11:25 policy\.prompt-injection\.detection\.attack_patterns\[0\]: invalid regular expression/,
    );
  });

  it("reports YAML syntax errors with their position", () => {
    const errors = errorsOf("providers:\n  targets: [\n");
    expect(errors[0]).toMatch(/^\d+:\d+ /);
  });

  it("reports chain errors even when the document has other errors", () => {
    const errors = errorsOf(`providers:\n  targets: []\npolicies:\n  chain: [nope]\n`);
    expect(errors.some((error) => error.includes('unknown policy "nope"'))).toBe(true);
    expect(errors.some((error) => error.includes("providers.targets"))).toBe(true);
  });

  it("requires base_url for azure-openai targets", () => {
    expect(
      errorsOf(`providers:\n  targets:\n    - {id: az, provider: azure-openai, model: gpt-4o}\n`),
    ).toEqual(['3:7 target "az": azure-openai needs base_url (https://RESOURCE.openai.azure.com)']);
  });

  it("refuses a config that is not a mapping", () => {
    expect(errorsOf("- just\n- a list\n")).toEqual([
      "1:1 the config must be a mapping with at least a providers section",
    ]);
  });

  it("refuses use_embedding until an embedding classifier exists", () => {
    const errors = errorsOf(
      `${targets}policies:\n  chain: [prompt-injection]\npolicy:\n  prompt-injection:\n    use_embedding: true\n`,
    );
    expect(errors).toEqual([
      "10:20 policy.prompt-injection.use_embedding: use_embedding is not available: no embedding classifier is configured; remove it or set it to false",
    ]);
  });

  it("refuses a user pattern that can backtrack catastrophically", () => {
    const errors = errorsOf(
      `${targets}policies:\n  chain: [prompt-injection]\npolicy:\n  prompt-injection:\n    detection:\n      attack_patterns: ["(a+)+$"]\n`,
    );
    expect(errors[0]).toMatch(/^11:25 .*unsafe regular expression: nested repetition/);
  });
});

describe("policy settings blocks", () => {
  it("finds settings written under an alias", () => {
    const result = parseConfig(
      `${targets}policies:\n  chain: [pii-detector]\npolicy:\n  pii:\n    action: block\n`,
    );
    expect(result.ok && result.config.chain[0]?.settings).toMatchObject({ action: "block" });
  });

  it("refuses settings of a policy that is not in the chain", () => {
    expect(
      errorsOf(
        `${targets}policies:\n  chain: [pii-detector]\npolicy:\n  audit-logger:\n    content: all\n`,
      ),
    ).toEqual([
      '9:3 policy "audit-logger" has settings but is not in policies.chain (add it to the chain, or remove these settings)',
    ]);
  });

  it("places YAML syntax errors where they are", () => {
    expect(errorsOf(`${targets}policies:\n  chain: [a\n  b: c\n`)[0]).toMatch(/^(6|7|8):\d+ /);
    expect(errorsOf("pack:\n  name: a\n  name: b\n")[0]).toMatch(/^3:3 /);
  });
});
