import { InvalidArgumentError, Option, type Command } from "commander";
import {
  adminOptions,
  formatTime,
  parsePositiveInteger,
  printJson,
  printTable,
  type AdminFlags,
} from "../admin-kit.ts";
import { connect } from "../api-client.ts";

interface Escalation {
  id: string;
  status: "queued" | "claimed" | "resolved";
  team_id: string | null;
  request_id: string;
  request_hash: string;
  model: string;
  policy: string;
  reason_code: string;
  reason: string;
  config: { name: string; version: string };
  claimed_by: string | null;
  claim_expires_at: number | null;
  outcome: string | null;
  note: string | null;
  resolved_by: string | null;
  resolved_at: number | null;
  used_at: number | null;
  created_at: number;
}

interface Detail extends Escalation {
  request: { messages: Array<{ role?: string; content?: unknown }> };
  trail: Array<{
    seq: number;
    actor_type: string;
    actor_id: string;
    action: string;
    detail: Record<string, unknown> | null;
    created_at: number;
  }>;
  event: { request_id: string; verdict: string; status: number; blocked_by: string | null } | null;
}

const STATUSES = ["queued", "claimed", "resolved"];
const OUTCOMES = ["allow", "block", "policy_tuning"];
const path = (id: string, action = "") =>
  `/v1/escalations/${encodeURIComponent(id)}${action ? `/${action}` : ""}`;

/** An ISO 8601 time (`2026-08-01`, `2026-08-01T12:00Z`) as milliseconds. */
function parseTime(value: string): number {
  const time = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(time))
    throw new InvalidArgumentError("expected an ISO 8601 time, for example 2026-08-01T09:00Z");
  return time;
}

/** `30m`, `2h` or `1d` as seconds (a claim lasts 1 minute to 1 day). */
function parseClaimDuration(value: string): number {
  const match = /^(\d{1,4})([mhd])$/.exec(value);
  const seconds = match ? Number(match[1]) * { m: 60, h: 3600, d: 86_400 }[match[2] as "m"] : 0;
  if (seconds < 60 || seconds > 86_400)
    throw new InvalidArgumentError("expected a duration from 1m to 1d, for example 30m or 2h");
  return seconds;
}

function owner(row: Escalation): string | null {
  return row.status === "resolved" ? row.resolved_by : row.claimed_by;
}

function printEscalation(row: Escalation): void {
  console.log(`${row.id}  ${row.status}${row.outcome ? ` (${row.outcome})` : ""}`);
  console.log(`  reason   ${row.reason_code}: ${row.reason}`);
  console.log(`  policy   ${row.policy}, config ${row.config.name} ${row.config.version}`);
  console.log(`  request  ${row.request_id} (${row.model}), sha256 ${row.request_hash}`);
  console.log(`  team     ${row.team_id ?? "-"}`);
  if (row.status === "claimed")
    console.log(`  claimed  by ${row.claimed_by} until ${formatTime(row.claim_expires_at)}`);
  if (row.status === "resolved")
    console.log(`  resolved by ${row.resolved_by} at ${formatTime(row.resolved_at)}: ${row.note}`);
  if (row.used_at !== null) console.log(`  used     ${formatTime(row.used_at)}`);
}

function printDetail(detail: Detail): void {
  printEscalation(detail);
  console.log("\nRequest (as the policies left it):");
  for (const message of detail.request.messages) {
    const content =
      typeof message.content === "string" ? message.content : JSON.stringify(message.content);
    console.log(`  ${message.role ?? "?"}: ${content}`);
  }
  console.log("\nTrail:");
  for (const entry of detail.trail) {
    const extra = entry.detail ? ` ${JSON.stringify(entry.detail)}` : "";
    console.log(
      `  ${entry.seq}. ${formatTime(entry.created_at)}  ${entry.action} by ${entry.actor_type} ${entry.actor_id}${extra}`,
    );
  }
  const event = detail.event;
  console.log(
    event
      ? `\nEvent: ${event.request_id}: ${event.verdict} (${event.status}) by ${event.blocked_by ?? "-"}`
      : "\nEvent: not stored yet",
  );
}

/** Registers `kt escalations list|show|claim|release|resolve` (the /v1/escalations API). */
export function registerEscalations(escalations: Command): void {
  adminOptions(
    escalations
      .command("list")
      .description("List escalations, newest first (team admins see their teams' only).")
      .addOption(new Option("--status <status>", "queued, claimed or resolved").choices(STATUSES))
      .option("--team <name-or-id>", "one team's escalations")
      .option("--reason <code>", "a reason code, for example phi or pii")
      .addOption(new Option("--from <time>", "created at or after (ISO 8601)").argParser(parseTime))
      .addOption(new Option("--to <time>", "created at or before (ISO 8601)").argParser(parseTime))
      .addOption(
        new Option("--limit <n>", "how many (1-200)").argParser(parsePositiveInteger).default(50),
      ),
  )
    .addHelpText(
      "after",
      "\nExamples:\n  $ kt escalations list --status queued\n  $ kt escalations list --team legal --reason phi --from 2026-08-01",
    )
    .action(
      async (
        flags: AdminFlags & {
          status?: string;
          team?: string;
          reason?: string;
          from?: number;
          to?: number;
          limit: number;
        },
      ) => {
        const api = await connect(flags);
        const query = new URLSearchParams({ limit: String(flags.limit) });
        for (const name of ["status", "team", "reason", "from", "to"] as const) {
          const value = flags[name];
          if (value !== undefined) query.set(name, String(value));
        }
        const { data } = await api.request<{ data: Escalation[] }>(
          "GET",
          `/v1/escalations?${query}`,
        );
        if (flags.json) return printJson(data);
        printTable(
          data,
          [
            ["ID", (row) => row.id],
            ["STATUS", (row) => row.status],
            ["OUTCOME", (row) => row.outcome],
            ["REASON", (row) => row.reason_code],
            ["TEAM", (row) => row.team_id],
            ["OWNER", owner],
            ["CREATED", (row) => formatTime(row.created_at)],
          ],
          "No escalations.",
        );
      },
    );

  adminOptions(
    escalations
      .command("show")
      .description("Show an escalation: the redacted request, its trail and its event.")
      .argument("<id>", "the escalation id (esc_…)"),
  )
    .addHelpText("after", "\nExample:\n  $ kt escalations show esc_4f1c…")
    .action(async (id: string, flags: AdminFlags) => {
      const detail = await (await connect(flags)).request<Detail>("GET", path(id));
      if (flags.json) return printJson(detail);
      printDetail(detail);
    });

  adminOptions(
    escalations
      .command("claim")
      .description("Take an escalation to review it: one reviewer at a time.")
      .argument("<id>", "the escalation id")
      .addOption(
        new Option("--for <duration>", "how long the claim lasts unless renewed (1m-1d)")
          .argParser(parseClaimDuration)
          .default(1800, "30m"),
      ),
  )
    .addHelpText("after", "\nExample:\n  $ kt escalations claim esc_4f1c… --for 1h")
    .action(async (id: string, flags: AdminFlags & { for: number }) => {
      const claimed = await (
        await connect(flags)
      ).request<Escalation>("POST", path(id, "claim"), { body: { ttl_seconds: flags.for } });
      if (flags.json) return printJson(claimed);
      console.log(`Claimed ${claimed.id} until ${formatTime(claimed.claim_expires_at)} UTC.`);
    });

  adminOptions(
    escalations
      .command("release")
      .description("Give a claimed escalation back to the queue.")
      .argument("<id>", "the escalation id"),
  )
    .addHelpText("after", "\nExample:\n  $ kt escalations release esc_4f1c…")
    .action(async (id: string, flags: AdminFlags) => {
      const released = await (
        await connect(flags)
      ).request<Escalation>("POST", path(id, "release"));
      if (flags.json) return printJson(released);
      console.log(`Released ${released.id}: back in the queue.`);
    });

  adminOptions(
    escalations
      .command("resolve")
      .description("Decide an escalation for good, with a note for the trail.")
      .argument("<id>", "the escalation id")
      .addOption(
        new Option(
          "--outcome <outcome>",
          "allow (the caller may retry once), block, or policy_tuning",
        )
          .choices(OUTCOMES)
          .makeOptionMandatory(),
      )
      .requiredOption("--note <text>", "why: kept in the trail, read by the config owners"),
  )
    .addHelpText(
      "after",
      '\nExamples:\n  $ kt escalations resolve esc_4f1c… --outcome allow --note "care team needs it"\n  $ kt escalations resolve esc_4f1c… --outcome policy_tuning --note "MRN rule too wide"',
    )
    .action(async (id: string, flags: AdminFlags & { outcome: string; note: string }) => {
      const resolved = await (
        await connect(flags)
      ).request<Escalation>("POST", path(id, "resolve"), {
        body: { outcome: flags.outcome, note: flags.note },
      });
      if (flags.json) return printJson(resolved);
      const next =
        resolved.outcome === "allow"
          ? " The caller may now retry once with x-keeptrusts-escalation-id."
          : "";
      console.log(`Resolved ${resolved.id}: ${resolved.outcome}.${next}`);
    });
}
