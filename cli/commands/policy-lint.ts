import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import { parseConfig } from "../../workers/policy/config/parse.ts";
import type { GatewayConfig } from "../../workers/policy/config/schema.ts";
import { UserError } from "../user-error.ts";

/** The config file `kt policy lint` and `npm run deploy` check when none is named. */
export const DEFAULT_CONFIG_FILE = "policy-config.yaml";

/**
 * What linting one file found, with the exact lines `kt policy lint` prints, so
 * `kt gateway run` and the deploy script report problems the same way.
 */
export type LintReport =
  | { ok: true; file: string; text: string; config: GatewayConfig; lines: string[] }
  | { ok: false; file: string; lines: string[] };

function count(amount: number, one: string, many: string): string {
  return `${amount} ${amount === 1 ? one : many}`;
}

function readProblem(file: string, error: unknown): UserError | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case "ENOENT":
      return new UserError(`${file}: no such file`);
    case "EISDIR":
      return new UserError(`${file}: is a directory, not a config file`);
    case "EACCES":
    case "EPERM":
      return new UserError(`${file}: permission denied`);
    default:
      return code ? new UserError(`${file}: cannot be read (${code})`) : undefined;
  }
}

/** Reads a config file; a missing or unreadable file is the user's error (exit 2). */
export async function readConfigFile(file: string): Promise<string> {
  try {
    return await readFile(file, "utf8");
  } catch (error) {
    throw readProblem(file, error) ?? error;
  }
}

/** Lints config text that came from `file` (the label used in every line). */
export function lintConfigText(file: string, text: string): LintReport {
  const result = parseConfig(text);
  if (result.ok) {
    const { chain, targets } = result.config;
    const summary = `${count(chain.length, "policy", "policies")}, ${count(targets.length, "target", "targets")}`;
    return { ok: true, file, text, config: result.config, lines: [`${file}: ok (${summary})`] };
  }
  const errors = [...result.errors].sort(
    (first, second) => first.line - second.line || first.column - second.column,
  );
  const lines = errors.map(
    (error) => `${file}:${error.line}:${error.column} ${error.message.replace(/\s*\n\s*/g, " ")}`,
  );
  return { ok: false, file, lines };
}

/** Reads and lints one config file: the code behind `kt policy lint`. */
export async function lintConfigFile(file: string): Promise<LintReport> {
  return lintConfigText(file, await readConfigFile(file));
}

/** Registers `kt policy lint [file] [--file FILE]`. */
export function registerPolicyLint(policy: Command): void {
  policy
    .command("lint")
    .description(
      "Check a policy-config.yaml: YAML syntax, keys, policy names and settings, targets.",
    )
    .argument("[file]", `the config to check (default: ${DEFAULT_CONFIG_FILE})`)
    .option("-f, --file <file>", "the config to check (same as the argument)")
    .addHelpText(
      "after",
      `
Prints "FILE: ok (N policies, M targets)" and exits 0 when the config is valid.
Otherwise prints one "FILE:LINE:COLUMN message" line per problem and exits 1.
Exits 2 when the file cannot be read.

Examples:
  $ kt policy lint policy-config.yaml
  $ kt policy lint --file examples/multi-team-governance.yaml`,
    )
    .action(async (argument: string | undefined, options: { file?: string }) => {
      if (argument !== undefined && options.file !== undefined && argument !== options.file) {
        throw new UserError("name the config once: as an argument or with --file, not both");
      }
      const report = await lintConfigFile(argument ?? options.file ?? DEFAULT_CONFIG_FILE);
      for (const line of report.lines) console.log(line);
      if (!report.ok) process.exitCode = 1;
    });
}
