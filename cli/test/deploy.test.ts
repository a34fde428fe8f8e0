import { readdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT, runNode, temporaryFolder } from "./run-kt.ts";

const DEPLOY = path.join(ROOT, "scripts/deploy.ts");

describe("npm run deploy (scripts/deploy.ts)", () => {
  let folder = "";
  beforeAll(async () => {
    folder = await temporaryFolder();
  });
  afterAll(() => rm(folder, { recursive: true, force: true }));

  it("refuses an invalid config and never runs wrangler", async () => {
    const broken = path.join(folder, "broken.yaml");
    await writeFile(broken, "providers:\n  targets:\n    - {id: a, provider: mock, modle: m}\n");
    const outdir = path.join(folder, "refused");
    const result = await runNode([DEPLOY, "--dry-run", "--outdir", outdir], {
      env: { KEEPTRUSTS_DEPLOY_CONFIG: broken },
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      `${broken}:3:7 missing required key "model"\n${broken}:3:31 unknown key "modle" (did you mean "model"?)\n`,
    );
    expect(result.stderr).toContain("nothing was deployed");
    await expect(readdir(outdir)).rejects.toThrow();
  });

  it("lints policy-config.yaml, then wrangler deploy --dry-run bundles offline", async () => {
    const outdir = path.join(folder, "bundle");
    const result = await runNode([DEPLOY, "--dry-run", "--outdir", outdir], {
      env: { KEEPTRUSTS_DEPLOY_CONFIG: "" },
    });
    expect(result.stdout).toMatch(/^policy-config\.yaml: ok \(/);
    expect(result.stdout).toContain("--dry-run: exiting now.");
    expect(result.code, result.stderr).toBe(0);
    expect(await readdir(outdir)).toContain("index.js");
  }, 120_000);
});
