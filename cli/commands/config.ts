import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import { adminOptions, formatTime, printJson, printTable, type AdminFlags } from "../admin-kit.ts";
import { connect } from "../api-client.ts";
import { UserError } from "../user-error.ts";

interface Pushed {
  configuration: { id: string; name: string; status: string; active_version: string | null };
  version: { version: string; sha256: string };
  created: boolean;
}

interface Version {
  version: string;
  sha256: string;
  created_by: string;
  created_at: number;
}

const configPath = (name: string) => `/v1/configurations/${encodeURIComponent(name)}`;

/** Registers `kt config push|versions|diff` (the /v1/configurations API). */
export function registerConfig(config: Command): void {
  adminOptions(
    config
      .command("push")
      .description(
        "Save a policy-config.yaml as a new version of a configuration (immutable once saved).",
      )
      .requiredOption("--name <name>", "the configuration's name")
      .requiredOption(
        "--file <file>",
        "the policy-config.yaml to push (its pack.version is the version)",
      )
      .option(
        "--activate",
        "make this version the active one (gateway keys bound to the configuration run it)",
      ),
  )
    .addHelpText(
      "after",
      `
The control API validates the YAML like "kt policy lint" and refuses it with the
located errors. Pushing the same version with the same YAML again changes nothing;
with other YAML it is refused: bump pack.version.

Examples:
  $ kt config push --name support --file policy-config.yaml
  $ kt config push --name support --file policy-config.yaml --activate --json`,
    )
    .action(async (flags: AdminFlags & { name: string; file: string; activate?: boolean }) => {
      let yaml: string;
      try {
        yaml = await readFile(flags.file, "utf8");
      } catch {
        throw new UserError(`${flags.file}: cannot be read`);
      }
      const api = await connect(flags);
      const pushed = await api.request<Pushed>("POST", "/v1/configurations", {
        body: { name: flags.name, yaml, ...(flags.activate ? { status: "active" } : {}) },
      });
      if (flags.json) return printJson(pushed);
      const what = pushed.created ? "Saved" : "Already saved:";
      console.log(
        `${what} ${pushed.configuration.name} ${pushed.version.version} (sha256 ${pushed.version.sha256.slice(0, 12)}…)${pushed.configuration.active_version === pushed.version.version ? ", active" : ""}.`,
      );
    });

  adminOptions(
    config
      .command("versions")
      .description("List the versions of a configuration, newest first.")
      .argument("<name>", "the configuration's name or id"),
  )
    .addHelpText("after", "\nExample:\n  $ kt config versions support")
    .action(async (name: string, flags: AdminFlags) => {
      const api = await connect(flags);
      const shown = await api.request<{
        active_version: string | null;
        status: string;
        versions: Version[];
      }>("GET", configPath(name));
      if (flags.json) return printJson(shown);
      printTable(
        shown.versions,
        [
          [
            "VERSION",
            (row) => `${row.version}${row.version === shown.active_version ? " (active)" : ""}`,
          ],
          ["SHA256", (row) => row.sha256.slice(0, 12)],
          ["BY", (row) => row.created_by],
          ["SAVED", (row) => formatTime(row.created_at)],
        ],
        "No versions.",
      );
    });

  adminOptions(
    config
      .command("diff")
      .description("Show a unified diff between two versions of a configuration.")
      .argument("<name>", "the configuration's name or id")
      .requiredOption("--from <version>", "the older version")
      .requiredOption("--to <version>", "the newer version"),
  )
    .addHelpText("after", "\nExample:\n  $ kt config diff support --from 0.2.0 --to 0.3.0")
    .action(async (name: string, flags: AdminFlags & { from: string; to: string }) => {
      const api = await connect(flags);
      const query = new URLSearchParams({ from: flags.from, to: flags.to });
      const diff = await api.request<{ diff: string }>("GET", `${configPath(name)}/diff?${query}`);
      if (flags.json) return printJson(diff);
      process.stdout.write(diff.diff);
    });
}
