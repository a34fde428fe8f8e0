import { describe, expect, it } from "vitest";
import { runKt } from "./run-kt.ts";

describe("kt --help", () => {
  it.each([
    [[]],
    [["policy"]],
    [["policy", "lint"]],
    [["policy", "schema"]],
    [["gateway"]],
    [["gateway", "run"]],
  ])("explains kt %j with an example", async (command) => {
    const result = await runKt([...command, "--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Usage: ${["kt", ...command].join(" ")}`);
    expect(result.stdout).toMatch(/Examples?:\n {2}\$ kt /);
  });

  it("answers a usage error with exit 2", async () => {
    const result = await runKt(["policy", "lint", "--no-such-option"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("unknown option '--no-such-option'");
  });

  it("rejects a malformed --listen with exit 2", async () => {
    const result = await runKt(["gateway", "run", "-c", "x.yaml", "--listen", "localhost"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("expected HOST:PORT");
  });
});
