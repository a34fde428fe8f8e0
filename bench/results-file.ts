import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { format, resolveConfig } from "prettier";

/** What `npm run bench` writes about the code it measured, and where it writes its block. */

const MARK_START = "<!-- bench:results:start -->";
const MARK_END = "<!-- bench:results:end -->";

/** The commit measured, and whether the gateway's code had uncommitted changes. */
export function codeVersion(root: string): string {
  try {
    const git = (...args: string[]) =>
      execFileSync("git", args, { cwd: root, encoding: "utf8" }).trim();
    const dirty = git("status", "--porcelain", "--", "workers", "cli", "policy-config.yaml");
    return `commit ${git("rev-parse", "--short", "HEAD")}${dirty ? " plus uncommitted changes under workers/ or cli/" : ""}`;
  } catch {
    return "unknown (not a git checkout)";
  }
}

/** The installed miniflare's version. */
export function miniflareVersion(root: string): string {
  try {
    const file = path.join(root, "node_modules", "miniflare", "package.json");
    return (JSON.parse(readFileSync(file, "utf8")) as { version: string }).version;
  } catch {
    return "(unknown version)";
  }
}

/**
 * Replaces the block between the `bench:results` markers of `outFile` with
 * `markdown`, keeping the text around it (a new file gets a title and the block).
 */
export async function writeResults(outFile: string, markdown: string): Promise<void> {
  mkdirSync(path.dirname(outFile), { recursive: true });
  let existing: string;
  try {
    existing = readFileSync(outFile, "utf8");
  } catch {
    existing = "";
  }
  const start = existing.indexOf(MARK_START);
  const end = existing.indexOf(MARK_END);
  const block = `${MARK_START}\n${markdown}\n${MARK_END}`;
  const text =
    start >= 0 && end > start
      ? `${existing.slice(0, start)}${block}${existing.slice(end + MARK_END.length)}`
      : `# Benchmark results\n\n${block}\n`;
  // Formatted as `npm run format:check` expects, so a fresh run can be committed as it is.
  const options = (await resolveConfig(outFile)) ?? {};
  writeFileSync(outFile, await format(text, { ...options, parser: "markdown" }));
}
