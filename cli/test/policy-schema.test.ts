import { readFile } from "node:fs/promises";
import path from "node:path";
import { parse } from "yaml";
import { beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { POLICIES } from "../../workers/policy/policies/registry.ts";
import { ROOT, runKt } from "./run-kt.ts";

type Schema = Record<string, unknown> & {
  properties: Record<string, Record<string, unknown>>;
  $defs: Record<string, unknown>;
};

describe("kt policy schema", () => {
  let text = "";
  let schema: Schema;
  beforeAll(async () => {
    const result = await runKt(["policy", "schema"]);
    expect(result.code).toBe(0);
    text = result.stdout;
    schema = JSON.parse(text) as Schema;
  });

  it("prints a draft 2020-12 JSON Schema naming every policy", () => {
    expect(schema.$schema).toBe("https://json-schema.org/draft/2020-12/schema");
    const policy = schema.properties.policy as { properties: Record<string, unknown> };
    for (const definition of POLICIES.values()) {
      expect(text).toContain(`"${definition.id}"`);
      expect(policy.properties).toHaveProperty([definition.id]);
      expect(schema.$defs).toHaveProperty([definition.id]);
    }
  });

  it("describes policies as the chain form or the list form", () => {
    const policies = schema.properties.policies as { oneOf: Array<{ type: string }> };
    expect(policies.oneOf.map((form) => form.type)).toEqual(["object", "array"]);
  });

  it("accepts the examples and rejects a misspelt setting", async () => {
    const validator = z.fromJSONSchema(schema as Parameters<typeof z.fromJSONSchema>[0]);
    for (const name of ["first-gateway", "multi-team-governance", "chat-policy"]) {
      const document: unknown = parse(
        await readFile(path.join(ROOT, "examples", `${name}.yaml`), "utf8"),
      );
      expect(validator.safeParse(document).success, name).toBe(true);
    }
    const typo = parse(`
providers: {targets: [{id: mock, provider: mock, model: mock-echo}]}
policy: {pii-detector: {actoin: redact}}
`) as unknown;
    expect(validator.safeParse(typo).success).toBe(false);
  });
});
