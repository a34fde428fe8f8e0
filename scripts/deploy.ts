/**
 * `npm run deploy [-- <wrangler deploy args>]`: lints the policy config the
 * gateway bundles, with the code behind `kt policy lint`, and runs
 * `npx wrangler deploy` only when it is valid, so an invalid config never ships.
 *
 *   npm run deploy                  lint policy-config.yaml, then deploy
 *   npm run deploy -- --dry-run     lint, then bundle without uploading
 *
 * KEEPTRUSTS_DEPLOY_CONFIG=<file> adds one more file to the gate (tests use it to
 * show an invalid config stops the deploy). wrangler still bundles the repository's
 * policy-config.yaml, which is therefore always linted too.
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { DEFAULT_CONFIG_FILE, lintConfigFile } from "../cli/commands/policy-lint.ts";
import { UserError } from "../cli/user-error.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const bundled = path.join(root, DEFAULT_CONFIG_FILE);
const extra = process.env.KEEPTRUSTS_DEPLOY_CONFIG;
const files = [...new Set([...(extra ? [path.resolve(extra)] : []), bundled])];

/** The file as a person reads it: relative to where they stand, unless that climbs out. */
function label(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative && !relative.startsWith("..") ? relative : file;
}

let valid = true;
for (const file of files) {
  try {
    const report = await lintConfigFile(label(file));
    for (const line of report.lines) console.log(line);
    valid &&= report.ok;
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    console.error(`deploy: ${error.message}`);
    process.exit(error.exitCode);
  }
}
if (!valid) {
  console.error("deploy: the policy config is invalid; nothing was deployed");
  process.exit(1);
}

const wrangler = spawn("npx", ["wrangler", "deploy", ...process.argv.slice(2)], {
  cwd: root,
  env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
  stdio: "inherit",
});
wrangler.on("error", (error) => {
  console.error(`deploy: could not run wrangler: ${error.message}`);
  process.exit(1);
});
wrangler.on("exit", (code, signal) => {
  process.exit(code ?? (signal ? 1 : 0));
});
