import { InvalidArgumentError, Option, type Command } from "commander";
import {
  adminOptions,
  formatTime,
  parseList,
  parsePositiveInteger,
  parsePositiveNumber,
  printJson,
  printTable,
  type AdminFlags,
} from "../admin-kit.ts";
import { connect } from "../api-client.ts";
import { UserError } from "../user-error.ts";

interface Wallet {
  id: string;
  scope: "org" | "team" | "user";
  owner_id: string;
  currency: string;
  balance: number;
  held: number;
  alert_thresholds: number[];
  alerts_fired: number[];
}

interface Entry {
  seq: number;
  kind: string;
  amount: number;
  delta: number;
  balance_after: number;
  request_id: string | null;
  ticket_id: string | null;
  actor: string | null;
  created_at: number;
}

interface Move {
  duplicate: boolean;
  wallets: Wallet[];
  entries: Entry[];
}

/** The wallet flags of top-up and allocate: a team (id or name) or a user id, at most one. */
interface Target {
  team?: string;
  user?: string;
}

/** An ISO 4217 currency code. */
export function parseCurrency(value: string): string {
  if (!/^[A-Z]{3}$/.test(value)) throw new InvalidArgumentError("expected a code like USD or EUR");
  return value;
}

function target(flags: Target): { team_id?: string; user_id?: string } {
  if (flags.team !== undefined && flags.user !== undefined)
    throw new UserError("name --team or --user, not both");
  return {
    ...(flags.team !== undefined ? { team_id: flags.team } : {}),
    ...(flags.user !== undefined ? { user_id: flags.user } : {}),
  };
}

const money = (amount: number, currency: string) => `${amount} ${currency}`;

function printMove(verb: string, move: Move): void {
  if (move.duplicate) console.log(`Already done (same idempotency key): nothing moved again.`);
  else console.log(verb);
  for (const wallet of move.wallets)
    console.log(
      `  ${wallet.id}  ${wallet.scope} ${wallet.owner_id}: ${money(wallet.balance, wallet.currency)} available`,
    );
}

const moneyOptions = (command: Command) =>
  command
    .requiredOption("--amount <n>", "how much, in currency units", parsePositiveNumber)
    .addOption(
      new Option("--currency <code>", "the org's wallet currency")
        .argParser(parseCurrency)
        .default("USD"),
    )
    .option("--idempotency-key <key>", "retrying with the same key moves the money once");

/** Registers `kt wallets list|top-up|allocate|ledger|alerts` (the /v1/wallets API). */
export function registerWallets(wallets: Command): void {
  adminOptions(
    wallets.command("list").description("List the wallets you can see, with balances and holds."),
  )
    .addHelpText("after", "\nExample:\n  $ kt wallets list")
    .action(async (flags: AdminFlags) => {
      const { data } = await (
        await connect(flags)
      ).request<{ data: Wallet[] }>("GET", "/v1/wallets");
      if (flags.json) return printJson(data);
      printTable(
        data,
        [
          ["ID", (row) => row.id],
          ["SCOPE", (row) => row.scope],
          ["OWNER", (row) => row.owner_id],
          ["AVAILABLE", (row) => money(row.balance, row.currency)],
          ["HELD", (row) => money(row.held, row.currency)],
          ["ALERTS", (row) => row.alert_thresholds.join(",") || "-"],
        ],
        "No wallets yet: kt wallets top-up --amount 100 creates the org's.",
      );
    });

  adminOptions(
    moneyOptions(
      wallets
        .command("top-up")
        .description("Add money to the org's wallet (or a team's or user's), paid outside kt.")
        .option("--team <name-or-id>", "top up this team's wallet")
        .option("--user <id>", "top up this user's wallet")
        .option("--reference <text>", "the invoice or payment it records"),
    ),
  )
    .addHelpText(
      "after",
      "\nExamples:\n  $ kt wallets top-up --amount 500 --reference INV-2026-001\n  $ kt wallets top-up --amount 50 --team legal",
    )
    .action(
      async (
        flags: AdminFlags &
          Target & {
            amount: number;
            currency: string;
            reference?: string;
            idempotencyKey?: string;
          },
      ) => {
        const body = {
          ...target(flags),
          amount: flags.amount,
          currency: flags.currency,
          ...(flags.reference ? { reference: flags.reference } : {}),
          ...(flags.idempotencyKey ? { idempotency_key: flags.idempotencyKey } : {}),
        };
        const move = await (
          await connect(flags)
        ).request<Move>("POST", "/v1/wallets/top-up", {
          body,
        });
        if (flags.json) return printJson(move);
        printMove(`Topped up ${money(flags.amount, flags.currency)}.`, move);
      },
    );

  adminOptions(
    moneyOptions(
      wallets
        .command("allocate")
        .description("Move credit down the cascade: from the org (or a team) to a team or a user.")
        .option("--team <name-or-id>", "the team that receives it")
        .option("--user <id>", "the user who receives it")
        .option("--from-team <name-or-id>", "take it from this team's wallet, not the org's"),
    ),
  )
    .addHelpText(
      "after",
      "\nExamples:\n  $ kt wallets allocate --team legal --amount 100\n  $ kt wallets allocate --user usr_4f1c… --from-team legal --amount 20",
    )
    .action(
      async (
        flags: AdminFlags &
          Target & { amount: number; currency: string; fromTeam?: string; idempotencyKey?: string },
      ) => {
        const to = target(flags);
        if (Object.keys(to).length === 0)
          throw new UserError("name who receives it: --team or --user");
        const body = {
          ...to,
          amount: flags.amount,
          currency: flags.currency,
          ...(flags.fromTeam ? { from_team_id: flags.fromTeam } : {}),
          ...(flags.idempotencyKey ? { idempotency_key: flags.idempotencyKey } : {}),
        };
        const move = await (
          await connect(flags)
        ).request<Move>("POST", "/v1/wallets/allocate", {
          body,
        });
        if (flags.json) return printJson(move);
        printMove(`Allocated ${money(flags.amount, flags.currency)}.`, move);
      },
    );

  adminOptions(
    wallets
      .command("ledger")
      .description("A wallet's entries, newest first: every cent explained.")
      .argument("<wallet-id>", "the wallet (wal_…, from kt wallets list)")
      .addOption(
        new Option("--limit <n>", "how many (1-500)").argParser(parsePositiveInteger).default(50),
      ),
  )
    .addHelpText("after", "\nExample:\n  $ kt wallets ledger wal_4f1c… --limit 20")
    .action(async (id: string, flags: AdminFlags & { limit: number }) => {
      const answer = await (
        await connect(flags)
      ).request<{ wallet: Wallet; data: Entry[] }>(
        "GET",
        `/v1/wallets/${encodeURIComponent(id)}/ledger?limit=${flags.limit}`,
      );
      if (flags.json) return printJson(answer);
      const { wallet } = answer;
      console.log(
        `${wallet.id}  ${wallet.scope} ${wallet.owner_id}: ${money(wallet.balance, wallet.currency)} available, ${money(wallet.held, wallet.currency)} held`,
      );
      printTable(
        answer.data,
        [
          ["SEQ", (row) => row.seq],
          ["TIME", (row) => formatTime(row.created_at)],
          ["KIND", (row) => row.kind],
          ["AMOUNT", (row) => row.amount],
          ["CHANGE", (row) => (row.delta > 0 ? `+${row.delta}` : row.delta)],
          ["BALANCE", (row) => row.balance_after],
          ["REQUEST", (row) => row.request_id ?? row.ticket_id],
          ["BY", (row) => row.actor],
        ],
        "No entries.",
      );
    });

  adminOptions(
    wallets
      .command("alerts")
      .description("Set a wallet's alert thresholds: crossing one raises an alert, once.")
      .argument("<wallet-id>", "the wallet")
      .requiredOption(
        "--thresholds <list>",
        "amounts, comma-separated (none: an empty string)",
        (value) => (value === "" ? [] : parseList(value).map((item) => parsePositiveNumber(item))),
      ),
  )
    .addHelpText("after", "\nExample:\n  $ kt wallets alerts wal_4f1c… --thresholds 100,20")
    .action(async (id: string, flags: AdminFlags & { thresholds: number[] }) => {
      const wallet = await (
        await connect(flags)
      ).request<Wallet>("PATCH", `/v1/wallets/${encodeURIComponent(id)}`, {
        body: { alert_thresholds: flags.thresholds },
      });
      if (flags.json) return printJson(wallet);
      console.log(
        `${wallet.id} alerts below: ${wallet.alert_thresholds.join(", ") || "none"} ${wallet.currency}.`,
      );
    });
}
