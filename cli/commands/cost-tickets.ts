import { Option, type Command } from "commander";
import {
  adminOptions,
  formatTime,
  parsePositiveInteger,
  parsePositiveNumber,
  printJson,
  printTable,
  type AdminFlags,
} from "../admin-kit.ts";
import { connect } from "../api-client.ts";
import { TICKET_STATUSES } from "../../durable-objects/ledger/ledger-model.ts";

interface Ticket {
  id: string;
  status: string;
  scope: string;
  wallet_id: string;
  team_id: string | null;
  user_id: string | null;
  key_id: string | null;
  model: string;
  request_id: string;
  amount: number;
  available: number;
  currency: string;
  overdraft_limit: number;
  note: string | null;
  decided_by: string | null;
  decided_at: number | null;
  used_request_id: string | null;
  created_at: number;
}

const path = (id: string, action = "") =>
  `/v1/cost-tickets/${encodeURIComponent(id)}${action ? `/${action}` : ""}`;

/** A number of zero or more (an overdraft limit may be 0). */
function parseAmount(value: string): number {
  return value === "0" ? 0 : parsePositiveNumber(value);
}

function printTicket(ticket: Ticket): void {
  console.log(`${ticket.id}  ${ticket.status}`);
  console.log(
    `  needed   ${ticket.amount} ${ticket.currency} for ${ticket.model}; ${ticket.available} available`,
  );
  console.log(`  wallet   ${ticket.wallet_id} (${ticket.scope} ran out)`);
  console.log(
    `  caller   key ${ticket.key_id ?? "-"}, team ${ticket.team_id ?? "-"}, user ${ticket.user_id ?? "-"}`,
  );
  console.log(`  request  ${ticket.request_id}, ${formatTime(ticket.created_at)}`);
  if (ticket.decided_by)
    console.log(
      `  decided  by ${ticket.decided_by} at ${formatTime(ticket.decided_at)}${ticket.note ? `: ${ticket.note}` : ""}`,
    );
  if (ticket.status === "approved")
    console.log(`  overdraft up to ${ticket.overdraft_limit} ${ticket.currency}`);
  if (ticket.used_request_id) console.log(`  used by  ${ticket.used_request_id}`);
}

/** Registers `kt cost-tickets list|show|approve|deny|fund` (the /v1/cost-tickets API). */
export function registerCostTickets(tickets: Command): void {
  adminOptions(
    tickets
      .command("list")
      .description("List cost tickets, newest first (members see their own and their teams').")
      .addOption(
        new Option("--status <status>", TICKET_STATUSES.join(", ")).choices(TICKET_STATUSES),
      )
      .addOption(
        new Option("--limit <n>", "how many (1-500)").argParser(parsePositiveInteger).default(50),
      ),
  )
    .addHelpText("after", "\nExample:\n  $ kt cost-tickets list --status pending")
    .action(async (flags: AdminFlags & { status?: string; limit: number }) => {
      const query = new URLSearchParams({ limit: String(flags.limit) });
      if (flags.status) query.set("status", flags.status);
      const { data } = await (
        await connect(flags)
      ).request<{ data: Ticket[] }>("GET", `/v1/cost-tickets?${query}`);
      if (flags.json) return printJson(data);
      printTable(
        data,
        [
          ["ID", (row) => row.id],
          ["STATUS", (row) => row.status],
          ["SCOPE", (row) => row.scope],
          ["NEEDED", (row) => `${row.amount} ${row.currency}`],
          ["MODEL", (row) => row.model],
          ["KEY", (row) => row.key_id],
          ["CREATED", (row) => formatTime(row.created_at)],
        ],
        "No cost tickets.",
      );
    });

  adminOptions(
    tickets
      .command("show")
      .description("Show a cost ticket.")
      .argument("<id>", "the ticket (ct_…)"),
  )
    .addHelpText("after", "\nExample:\n  $ kt cost-tickets show ct_4f1c…")
    .action(async (id: string, flags: AdminFlags) => {
      const ticket = await (await connect(flags)).request<Ticket>("GET", path(id));
      if (flags.json) return printJson(ticket);
      printTicket(ticket);
    });

  adminOptions(
    tickets
      .command("approve")
      .description("Let the refused request through once, even below zero by the overdraft limit.")
      .argument("<id>", "the ticket")
      .option(
        "--overdraft <amount>",
        "how far below zero its retry may take the wallet (default: what it needed)",
        parseAmount,
      )
      .option("--note <text>", "why, for the trail"),
  )
    .addHelpText(
      "after",
      '\nExample:\n  $ kt cost-tickets approve ct_4f1c… --overdraft 5 --note "launch week"',
    )
    .action(async (id: string, flags: AdminFlags & { overdraft?: number; note?: string }) => {
      const body = {
        ...(flags.overdraft !== undefined ? { overdraft_limit: flags.overdraft } : {}),
        ...(flags.note ? { note: flags.note } : {}),
      };
      const ticket = await (
        await connect(flags)
      ).request<Ticket>("POST", path(id, "approve"), {
        body,
      });
      if (flags.json) return printJson(ticket);
      console.log(
        `Approved ${ticket.id}: its retry may go ${ticket.overdraft_limit} ${ticket.currency} below zero (send x-keeptrusts-cost-ticket: ${ticket.id}).`,
      );
    });

  adminOptions(
    tickets
      .command("deny")
      .description("Refuse the request: its retry is answered 403.")
      .argument("<id>", "the ticket")
      .option("--note <text>", "why, for the trail"),
  )
    .addHelpText("after", '\nExample:\n  $ kt cost-tickets deny ct_4f1c… --note "over budget"')
    .action(async (id: string, flags: AdminFlags & { note?: string }) => {
      const ticket = await (
        await connect(flags)
      ).request<Ticket>("POST", path(id, "deny"), {
        body: flags.note ? { note: flags.note } : {},
      });
      if (flags.json) return printJson(ticket);
      console.log(`Denied ${ticket.id}.`);
    });

  adminOptions(
    tickets
      .command("fund")
      .description("Top up the wallet that ran out, so the retry pays normally.")
      .argument("<id>", "the ticket")
      .option("--amount <n>", "how much (default: what the request lacked)", parsePositiveNumber)
      .option("--note <text>", "why, for the trail"),
  )
    .addHelpText("after", "\nExample:\n  $ kt cost-tickets fund ct_4f1c… --amount 25")
    .action(async (id: string, flags: AdminFlags & { amount?: number; note?: string }) => {
      const body = {
        ...(flags.amount !== undefined ? { amount: flags.amount } : {}),
        ...(flags.note ? { note: flags.note } : {}),
      };
      const ticket = await (
        await connect(flags)
      ).request<Ticket>("POST", path(id, "fund"), {
        body,
      });
      if (flags.json) return printJson(ticket);
      console.log(`Funded ${ticket.id}: wallet ${ticket.wallet_id} topped up; the retry can pay.`);
    });
}
