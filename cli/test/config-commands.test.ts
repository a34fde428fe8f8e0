import { rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startControl, type RunningControl } from "../runtime/start-control.ts";
import { runKt, temporaryFolder, type Finished } from "./run-kt.ts";

let control: RunningControl | undefined;
let folder = "";
let environment: NodeJS.ProcessEnv = {};

function kt(args: string[]): Promise<Finished> {
  return runKt(args, {
    env: { XDG_CONFIG_HOME: folder, KEEPTRUSTS_BOOTSTRAP_TOKEN: "", ...environment },
  });
}

function yaml(version: string, action = "redact"): string {
  return `pack: {name: support, version: "${version}"}\nproviders:\n  targets: [{id: m, provider: mock, model: mock-echo}]\npolicies:\n  chain: [pii-detector]\npolicy:\n  pii-detector: {action: ${action}}\n`;
}

beforeAll(async () => {
  folder = await temporaryFolder();
  control = await startControl({
    host: "127.0.0.1",
    port: 0,
    persistTo: false,
    bootstrapToken: "t",
  });
  const response = await fetch(new URL("/v1/bootstrap", control.url), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ org: "config-cli", email: "owner@config-cli.example" }),
  });
  const { access_key: key } = (await response.json()) as { access_key: string };
  environment = { KEEPTRUSTS_API_URL: control.url.origin, KEEPTRUSTS_API_TOKEN: key };
}, 120_000);

afterAll(async () => {
  await control?.close();
  await rm(folder, { recursive: true, force: true });
});

describe("kt config", () => {
  it("pushes versions, lists them, diffs them and refuses an invalid or changed version", async () => {
    const v1 = path.join(folder, "v1.yaml");
    const v2 = path.join(folder, "v2.yaml");
    await writeFile(v1, yaml("0.1.0"));
    await writeFile(v2, yaml("0.2.0", "block"));
    const first = await kt(["config", "push", "--name", "support", "--file", v1, "--activate"]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^Saved support 0\.1\.0 \(sha256 [0-9a-f]{12}…\), active\.$/m);
    const again = await kt(["config", "push", "--name", "support", "--file", v1]);
    expect(again.stdout).toContain("Already saved: support 0.1.0");
    expect((await kt(["config", "push", "--name", "support", "--file", v2])).code).toBe(0);

    const versions = await kt(["config", "versions", "support"]);
    expect(versions.stdout.indexOf("0.2.0")).toBeLessThan(
      versions.stdout.indexOf("0.1.0 (active)"),
    );
    const diff = await kt(["config", "diff", "support", "--from", "0.1.0", "--to", "0.2.0"]);
    expect(diff.stdout).toContain("-  pii-detector: {action: redact}");
    expect(diff.stdout).toContain("+  pii-detector: {action: block}");

    const changed = path.join(folder, "changed.yaml");
    await writeFile(changed, `${yaml("0.2.0")}# edited\n`);
    const refused = await kt(["config", "push", "--name", "support", "--file", changed]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("version_exists");
    const invalid = path.join(folder, "invalid.yaml");
    await writeFile(invalid, "providers: {targets: []}\n");
    const bad = await kt(["config", "push", "--name", "support", "--file", invalid]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("invalid_config");
    expect(
      (
        await kt([
          "config",
          "push",
          "--name",
          "support",
          "--file",
          path.join(folder, "missing.yaml"),
        ])
      ).code,
    ).toBe(2);
  }, 120_000);
});
