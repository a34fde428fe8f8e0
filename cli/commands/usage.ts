import { InvalidArgumentError, Option, type Command } from "commander";
import {
  adminOptions,
  parseList,
  printJson,
  printTable,
  type AdminFlags,
  type Column,
} from "../admin-kit.ts";
import { connect } from "../api-client.ts";

interface UsageRow {
  team_id?: string | null;
  user_id?: string | null;
  model?: string;
  key_id?: string | null;
  day?: string;
  currency: string;
  requests: number;
  prompt_tokens: number;
  completion_tokens: number;
  cost: number;
  estimated_requests: number;
}

const DIMENSIONS = ["team", "user", "model", "key", "day"];

/** A UTC day, `YYYY-MM-DD`. */
function parseDay(value: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(value)))
    throw new InvalidArgumentError("expected a day like 2026-08-01");
  return value;
}

function parseGroups(value: string): string[] {
  const groups = parseList(value);
  const unknown = groups.filter((group) => !DIMENSIONS.includes(group));
  if (unknown.length > 0)
    throw new InvalidArgumentError(
      `group by any of ${DIMENSIONS.join(", ")}, not ${unknown.join(", ")}`,
    );
  return groups;
}

/** Registers `kt usage` (the /v1/usage API): tokens and spend, grouped. */
export function registerUsage(usage: Command): void {
  adminOptions(
    usage
      .addOption(
        new Option("--group-by <list>", `any of ${DIMENSIONS.join(", ")}`)
          .argParser(parseGroups)
          .default(["day"], "day"),
      )
      .option("--from <day>", "first UTC day (default: 29 days before --to)", parseDay)
      .option("--to <day>", "last UTC day (default: today)", parseDay),
  )
    .addHelpText(
      "after",
      "\nExamples:\n  $ kt usage --group-by team,model\n  $ kt usage --group-by day --from 2026-08-01",
    )
    .action(async (flags: AdminFlags & { groupBy: string[]; from?: string; to?: string }) => {
      const query = new URLSearchParams({ group_by: flags.groupBy.join(",") });
      if (flags.from) query.set("from", flags.from);
      if (flags.to) query.set("to", flags.to);
      const answer = await (
        await connect(flags)
      ).request<{
        from: string;
        to: string;
        data: UsageRow[];
      }>("GET", `/v1/usage?${query}`);
      if (flags.json) return printJson(answer);
      console.log(`Usage ${answer.from} to ${answer.to}:`);
      const columns: Record<string, Column<UsageRow>> = {
        team: ["TEAM", (row) => row.team_id],
        user: ["USER", (row) => row.user_id],
        model: ["MODEL", (row) => row.model],
        key: ["KEY", (row) => row.key_id],
        day: ["DAY", (row) => row.day],
      };
      printTable(
        answer.data,
        [
          ...flags.groupBy
            .map((group) => columns[group])
            .filter((column): column is Column<UsageRow> => column !== undefined),
          ["REQUESTS", (row) => row.requests],
          ["PROMPT", (row) => row.prompt_tokens],
          ["COMPLETION", (row) => row.completion_tokens],
          ["COST", (row) => `${row.cost} ${row.currency}`],
          ["ESTIMATED", (row) => row.estimated_requests || ""],
        ],
        "No usage in this range.",
      );
    });
}
