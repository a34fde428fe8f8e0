import { writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runKt, temporaryFolder } from "./run-kt.ts";

describe("kt policy test", () => {
  it.each(["first-gateway", "multi-team-governance", "chat-policy"])(
    "passes the shipped cases of examples/%s",
    async (name) => {
      const result = await runKt([
        "policy",
        "test",
        "--file",
        `examples/${name}.yaml`,
        "--cases",
        `examples/${name}.cases.yaml`,
      ]);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/\d+ passed, 0 failed/);
      expect(result.stdout).not.toContain("FAIL");
    },
  );

  it("exits 1 and says what differed when a case fails", async () => {
    const directory = await temporaryFolder();
    const cases = path.join(directory, "cases.yaml");
    await writeFile(
      cases,
      'cases:\n  - name: wrong on purpose\n    input: "mail ann@example.com"\n    expect: {verdict: allow, redacted: "mail ann@example.com"}\n',
    );
    const result = await runKt([
      "policy",
      "test",
      "--file",
      "examples/first-gateway.yaml",
      "--cases",
      cases,
    ]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("FAIL  wrong on purpose");
    expect(result.stdout).toContain("verdict: expected allow, got redact");
    expect(result.stdout).toContain(
      'redacted: expected "mail ann@example.com", got "mail [EMAIL]"',
    );
    expect(result.stdout).toContain("0 passed, 1 failed");
  });

  it("locates errors in an invalid cases file, and refuses a missing one", async () => {
    const directory = await temporaryFolder();
    const cases = path.join(directory, "cases.yaml");
    await writeFile(cases, "cases:\n  - name: x\n    input: hi\n    expect: {verdit: allow}\n");
    const invalid = await runKt([
      "policy",
      "test",
      "--file",
      "examples/first-gateway.yaml",
      "--cases",
      cases,
    ]);
    expect(invalid.code).toBe(1);
    expect(invalid.stdout).toMatch(new RegExp(`${cases.replaceAll("/", "\\/")}:4:\\d+ `));
    const missing = await runKt([
      "policy",
      "test",
      "--file",
      "examples/first-gateway.yaml",
      "--cases",
      path.join(directory, "nope.yaml"),
    ]);
    expect(missing.code).toBe(2);
  });
});
