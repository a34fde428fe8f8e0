import { rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runKt, temporaryFolder } from "./run-kt.ts";

const BROKEN: Record<string, { yaml: string; lines: string[] }> = {
  "unknown-key.yaml": {
    yaml: `providers:
  targets:
    - id: mock
      provider: mock
      model: mock-echo
      tiemout_ms: 5000
policies:
  chain: [pii-detector]
policy:
  pii-detector:
    action: redact
    marker: label
`,
    lines: [
      'unknown-key.yaml:6:7 unknown key "tiemout_ms" (did you mean "timeout_ms"?)',
      'unknown-key.yaml:12:5 unknown key "marker"',
    ],
  },
  "unknown-policy.yaml": {
    yaml: `providers:
  targets:
    - id: mock
      provider: mock
      model: mock-echo
policies:
  chain:
    - prompt-injection
    - pii-detecter
`,
    lines: ['unknown-policy.yaml:9:7 unknown policy "pii-detecter" (did you mean "pii-detector"?)'],
  },
  "duplicate-target.yaml": {
    yaml: `providers:
  targets:
    - id: primary
      provider: mock
      model: mock-echo
    - id: primary
      provider: openai
      model: gpt-4o-mini
`,
    lines: ['duplicate-target.yaml:6:11 duplicate target id "primary"'],
  },
  "wrong-type.yaml": {
    yaml: `providers:
  targets:
    - id: mock
      provider: mock
      model: mock-echo
      timeout_ms: fast
policies:
  chain: [prompt-injection]
policy:
  prompt-injection:
    threshold: high
`,
    lines: [
      "wrong-type.yaml:6:19 providers.targets[0].timeout_ms: expected number",
      "wrong-type.yaml:11:16 policy.prompt-injection.threshold: expected number",
    ],
  },
  "bad-syntax.yaml": {
    yaml: `providers:
  targets:
    - id: mock
      provider: mock
      model: [mock-echo
policies:
  chain: [pii-detector]
`,
    lines: [
      "bad-syntax.yaml:6:1 Flow sequence in block collection must be sufficiently indented and end with a ]",
    ],
  },
  "duplicate-key.yaml": {
    yaml: `providers:
  targets:
    - id: mock
      provider: mock
      provider: openai
      model: mock-echo
`,
    lines: ["duplicate-key.yaml:5:7 Map keys must be unique"],
  },
};

describe("kt policy lint", () => {
  let folder = "";
  beforeAll(async () => {
    folder = await temporaryFolder();
    for (const [name, { yaml }] of Object.entries(BROKEN)) {
      await writeFile(path.join(folder, name), yaml);
    }
  });
  afterAll(() => rm(folder, { recursive: true, force: true }));

  it.each([
    ["examples/first-gateway.yaml", "3 policies, 1 target"],
    ["examples/multi-team-governance.yaml", "4 policies, 4 targets"],
    ["examples/chat-policy.yaml", "3 policies, 1 target"],
  ])("passes %s", async (file, summary) => {
    const result = await runKt(["policy", "lint", file]);
    expect(result).toMatchObject({ code: 0, stdout: `${file}: ok (${summary})\n` });
  });

  it("takes the file with --file too", async () => {
    const result = await runKt(["policy", "lint", "--file", "examples/first-gateway.yaml"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("examples/first-gateway.yaml: ok (3 policies, 1 target)\n");
  });

  it.each(Object.keys(BROKEN))("reports every problem of %s as FILE:LINE:COL", async (name) => {
    const result = await runKt(["policy", "lint", name], { cwd: folder });
    expect(result.stdout).toBe(BROKEN[name]?.lines.map((line) => `${line}\n`).join(""));
    expect(result.code).toBe(1);
  });

  it("exits 2 with one clear line when the file is missing", async () => {
    const result = await runKt(["policy", "lint", "--file", "no-such-config.yaml"], {
      cwd: folder,
    });
    expect(result).toMatchObject({
      code: 2,
      stdout: "",
      stderr: "kt: no-such-config.yaml: no such file\n",
    });
  });

  it("exits 2 when the file is named twice, differently", async () => {
    const result = await runKt(["policy", "lint", "a.yaml", "--file", "b.yaml"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^kt: name the config once/);
  });
});
