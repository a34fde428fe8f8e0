import { InvalidArgumentError, Option, type Command } from "commander";
import {
  adminOptions,
  parsePositiveInteger,
  printJson,
  printTable,
  type AdminFlags,
} from "../admin-kit.ts";
import { ApiError, connect, type ApiClient } from "../api-client.ts";

/** A decision event as `GET /v1/events` lists it (the fields `kt` shows). */
export interface EventSummary {
  request_id: string;
  created_at: number;
  team_id: string | null;
  user_id: string | null;
  gateway_id: string | null;
  config_version: string;
  model: string;
  verdict: string;
  status: number;
  blocked_by: string | null;
}

/** The filter flags `kt events` and `kt export create` share, as the API names them. */
export interface FilterFlags {
  verdict?: string;
  policy?: string;
  team?: string;
  user?: string;
  model?: string;
  gateway?: string;
  configVersion?: string;
  requestId?: string;
}

const VERDICTS = ["allow", "redact", "block", "escalate", "error"];
/** Follow mode polls this often. */
const TAIL_EVERY_MS = 2_000;
/** Events reach D1 through a queue: look back this far so a late one is still shown. */
const TAIL_LOOKBACK_MS = 60_000;

/** A time flag: ISO 8601 (`2026-08-01`, `2026-08-01T12:00Z`) or epoch milliseconds, as ms. */
export function parseTime(value: string): number {
  const time = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!(/^\d{4}-\d{2}-\d{2}/.test(value) || /^\d+$/.test(value)) || Number.isNaN(time))
    throw new InvalidArgumentError("expected an ISO 8601 time, for example 2026-08-01T09:00Z");
  return time;
}

/** Adds the event filter flags to a command. */
export function filterOptions(command: Command): Command {
  return command
    .addOption(
      new Option("--verdict <verdict>", "allow, redact, block, escalate or error").choices(
        VERDICTS,
      ),
    )
    .option("--policy <name>", "events a policy took part in, for example pii-detector")
    .option("--team <id>", "one team's events")
    .option("--user <id>", "one user's events")
    .option("--model <model>", "one model's events")
    .option("--gateway <id>", "one gateway's events")
    .option("--config-version <version>", "events decided under one configuration version")
    .option("--request-id <id>", "one request");
}

/** The filters as the control API names them, only those given. */
export function filtersOf(flags: FilterFlags): Record<string, string> {
  const named: Record<string, string | undefined> = {
    verdict: flags.verdict,
    policy: flags.policy,
    team_id: flags.team,
    user_id: flags.user,
    model: flags.model,
    gateway_id: flags.gateway,
    config_version: flags.configVersion,
    request_id: flags.requestId,
  };
  return Object.fromEntries(
    Object.entries(named).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}

function printEvents(events: EventSummary[]): void {
  printTable(
    events,
    [
      ["TIME", (row) => new Date(row.created_at).toISOString().replace("T", " ").slice(0, 19)],
      ["REQUEST", (row) => row.request_id],
      ["VERDICT", (row) => row.verdict],
      ["STATUS", (row) => row.status],
      ["BY", (row) => row.blocked_by],
      ["MODEL", (row) => row.model],
      ["VERSION", (row) => row.config_version],
      ["TEAM", (row) => row.team_id],
      ["USER", (row) => row.user_id],
    ],
    "No events.",
  );
}

type ListFlags = AdminFlags &
  FilterFlags & { from?: number; to?: number; limit: number; cursor?: string };

async function page(api: ApiClient, query: URLSearchParams) {
  return api.request<{ data: EventSummary[]; next_cursor: string | null }>(
    "GET",
    `/v1/events?${query}`,
  );
}

function queryOf(flags: FilterFlags & { from?: number; to?: number }): URLSearchParams {
  const query = new URLSearchParams(filtersOf(flags));
  if (flags.from !== undefined) query.set("from", String(flags.from));
  if (flags.to !== undefined) query.set("to", String(flags.to));
  return query;
}

/**
 * Follows new events: prints the latest few, then polls every 2 s for events
 * newer than a minute before the newest seen (a queued event may land late),
 * printing each once, oldest first, until Ctrl-C.
 */
async function tail(
  api: ApiClient,
  flags: AdminFlags & FilterFlags & { lines: number },
): Promise<void> {
  const seen = new Map<string, number>();
  let newest = 0;
  let stopped = false;
  let wake: (() => void) | undefined;
  const stop = () => {
    stopped = true;
    wake?.();
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  const show = (events: EventSummary[]) => {
    const fresh = events.filter((event) => !seen.has(event.request_id)).reverse();
    for (const event of fresh) {
      seen.set(event.request_id, event.created_at);
      newest = Math.max(newest, event.created_at);
      if (flags.json) console.log(JSON.stringify(event));
      else
        console.log(
          `${new Date(event.created_at).toISOString()}  ${event.verdict.padEnd(8)} ${String(event.status).padEnd(4)} ${event.request_id}  ${event.model}${event.blocked_by ? `  by ${event.blocked_by}` : ""}`,
        );
    }
    for (const [id, at] of seen) if (at < newest - 2 * TAIL_LOOKBACK_MS) seen.delete(id);
  };
  const first = queryOf(flags);
  first.set("limit", String(flags.lines));
  show((await page(api, first)).data);
  if (!flags.json) console.error("(following new events; Ctrl-C to stop)");
  while (!stopped) {
    await new Promise<void>((resolve) => {
      wake = resolve;
      setTimeout(resolve, TAIL_EVERY_MS);
    });
    if (stopped) break;
    const query = queryOf({ ...flags, from: Math.max(0, newest - TAIL_LOOKBACK_MS) });
    query.set("limit", "200");
    try {
      show((await page(api, query)).data);
    } catch (error) {
      // A refusal will not heal; a network blip may.
      if (error instanceof ApiError && error.status < 500) throw error;
      console.error(`kt: ${(error as Error).message}; retrying`);
    }
  }
  process.off("SIGINT", stop);
  process.off("SIGTERM", stop);
}

/** Registers `kt events list|tail` (the /v1/events API). */
export function registerEvents(events: Command): void {
  const list = events
    .command("list")
    .description("List decision events, newest first (members see their own and their teams').")
    .addOption(new Option("--from <time>", "at or after (ISO 8601)").argParser(parseTime))
    .addOption(new Option("--to <time>", "before (ISO 8601)").argParser(parseTime))
    .addOption(
      new Option("--limit <n>", "how many (1-200)").argParser(parsePositiveInteger).default(50),
    )
    .option("--cursor <cursor>", "the next page, as a previous list printed it");
  adminOptions(filterOptions(list))
    .addHelpText(
      "after",
      "\nExamples:\n  $ kt events list --verdict block --from 2026-08-01\n  $ kt events list --policy pii-detector --team legal --json",
    )
    .action(async (flags: ListFlags) => {
      if (flags.limit > 200) throw new InvalidArgumentError("--limit is at most 200");
      const query = queryOf(flags);
      query.set("limit", String(flags.limit));
      if (flags.cursor) query.set("cursor", flags.cursor);
      const answer = await page(await connect(flags), query);
      if (flags.json) return printJson(answer);
      printEvents(answer.data);
      if (answer.next_cursor) console.log(`\nMore: add --cursor ${answer.next_cursor}`);
    });

  const follow = events
    .command("tail")
    .description("Follow new decision events as they are stored (polls every 2 s; Ctrl-C to stop).")
    .addOption(
      new Option("--lines <n>", "how many recent events to show first")
        .argParser(parsePositiveInteger)
        .default(10),
    );
  adminOptions(filterOptions(follow))
    .addHelpText(
      "after",
      "\nExamples:\n  $ kt events tail\n  $ kt events tail --verdict block --json",
    )
    .action(async (flags: AdminFlags & FilterFlags & { lines: number }) => {
      await tail(await connect(flags), flags);
    });
}
