/**
 * `kt`: assembles the commands (one file per `kt <noun> <verb>` in commands/)
 * and turns what escapes them into exit codes: 0 done, 1 invalid input (an
 * invalid config), 2 unusable input or a usage error, 70 a bug in `kt`.
 */
import { Command, CommanderError } from "commander";
import { registerCostTickets } from "./commands/cost-tickets.ts";
import { registerEscalations } from "./commands/escalations.ts";
import { registerEvents } from "./commands/events.ts";
import { registerExports } from "./commands/exports.ts";
import { registerGatewayRun } from "./commands/gateway-run.ts";
import { registerInit } from "./commands/init.ts";
import { registerInvites } from "./commands/invites.ts";
import { registerLogin } from "./commands/login.ts";
import { registerMembers } from "./commands/members.ts";
import { registerPolicyLint } from "./commands/policy-lint.ts";
import { registerPolicySchema } from "./commands/policy-schema.ts";
import { registerPolicyTest } from "./commands/policy-test.ts";
import { registerPricing } from "./commands/pricing.ts";
import { registerRun } from "./commands/run-managed.ts";
import { registerTeam } from "./commands/team.ts";
import { registerConfig } from "./commands/config.ts";
import { registerTokens } from "./commands/tokens.ts";
import { registerUsage } from "./commands/usage.ts";
import { registerWallets } from "./commands/wallets.ts";
import { BUG_EXIT_CODE, UserError } from "./user-error.ts";

// Subcommands inherit exitOverride and showHelpAfterError, so usage errors raise here.
const program = new Command("kt")
  .description("Keeptrusts Edge: lint policy configs and run an AI governance gateway locally.")
  .showHelpAfterError("(run with --help for usage)")
  .exitOverride()
  .addHelpText(
    "after",
    `
Examples:
  $ kt policy lint policy-config.yaml
  $ kt gateway run --policy-config examples/first-gateway.yaml`,
  );

const policy = program
  .command("policy")
  .description("Check policy-config.yaml files and export their JSON Schema.")
  .addHelpText(
    "after",
    `
Examples:
  $ kt policy lint examples/first-gateway.yaml
  $ kt policy schema > policy-config.schema.json`,
  );
registerPolicyLint(policy);
registerPolicySchema(policy);
registerPolicyTest(policy);

const gateway = program
  .command("gateway")
  .description("Run a governed gateway on this machine.")
  .addHelpText(
    "after",
    `
Example:
  $ kt gateway run --policy-config examples/first-gateway.yaml --events-log -`,
  );
registerGatewayRun(gateway);
registerRun(program);

// Admin commands over the control API (KEEPTRUSTS_API_URL, KEEPTRUSTS_API_TOKEN or kt login).
registerInit(program);
registerConfig(
  program
    .command("config")
    .description("Push policy configs to the control plane as versions, list and diff them.")
    .addHelpText(
      "after",
      `
Examples:
  $ kt config push --name support --file policy-config.yaml --activate
  $ kt config diff support --from 0.2.0 --to 0.3.0`,
    ),
);
registerLogin(program);
registerTeam(
  program
    .command("team")
    .description("Create and list teams, and manage who is in them.")
    .addHelpText(
      "after",
      `
Examples:
  $ kt team create --name legal --description "Legal and compliance"
  $ kt team add-member --team legal --email bob@example.com --role admin`,
    ),
);
registerMembers(
  program
    .command("members")
    .description("The org's members: list them, change their roles, remove them.")
    .addHelpText(
      "after",
      `
Examples:
  $ kt members list
  $ kt members set-role --email bob@example.com --role viewer`,
    ),
);
registerInvites(
  program
    .command("invites")
    .description("Invite people to the org (and a team) with a one-time link.")
    .addHelpText(
      "after",
      `
Example:
  $ kt invites create --email bob@example.com --role member --team legal`,
    ),
);
registerTokens(
  program
    .command("tokens")
    .description("Access keys for the control API and gateway keys for the gateway.")
    .addHelpText(
      "after",
      `
Examples:
  $ kt tokens create --type gateway --name support-bot --team-id support --expires-in 30d
  $ kt tokens list`,
    ),
);

registerEscalations(
  program
    .command("escalations")
    .description("The human review queue: list, show, claim, release and resolve escalations.")
    .addHelpText(
      "after",
      `
Examples:
  $ kt escalations list --status queued
  $ kt escalations claim esc_4f1c…
  $ kt escalations resolve esc_4f1c… --outcome allow --note "care team needs the summary"`,
    ),
);

registerEvents(
  program
    .command("events")
    .description("Decision events: list them with filters, or follow new ones as they land.")
    .addHelpText(
      "after",
      `
Examples:
  $ kt events list --verdict block --from 2026-08-01
  $ kt events tail --policy pii-detector`,
    ),
);
registerExports(
  program
    .command("export")
    .description(
      "Export decision events as CSV or JSON lines, with signed evidence packets to verify offline.",
    )
    .addHelpText(
      "after",
      `
Examples:
  $ kt export create --from 2026-07-01 --to 2026-08-01 --format csv
  $ kt export create --from 2026-07-01 --to 2026-08-01 --evidence
  $ kt export download exp_4f1c…
  $ kt export verify exp_4f1c….evidence.jsonl --public-key org-signing-key.json`,
    ),
);
registerWallets(
  program
    .command("wallets")
    .description("Prepaid wallets of the org, its teams and users: top up, allocate, read ledgers.")
    .addHelpText(
      "after",
      `
Examples:
  $ kt wallets top-up --amount 500 --reference INV-2026-001
  $ kt wallets allocate --team legal --amount 100
  $ kt wallets ledger wal_4f1c…`,
    ),
);
registerCostTickets(
  program
    .command("cost-tickets")
    .description("Requests refused for lack of credit: approve, deny or fund them.")
    .addHelpText(
      "after",
      `
Examples:
  $ kt cost-tickets list --status pending
  $ kt cost-tickets approve ct_4f1c… --overdraft 5
  $ kt cost-tickets fund ct_4f1c… --amount 25`,
    ),
);
registerPricing(
  program
    .command("pricing")
    .description("What models cost per million tokens: the defaults and the org's own prices.")
    .addHelpText(
      "after",
      `
Examples:
  $ kt pricing list --provider openai
  $ kt pricing set --provider openai --model gpt-4o --input 2.5 --output 10`,
    ),
);
registerUsage(
  program
    .command("usage")
    .description("Tokens and spend, grouped by team, user, model, key or day."),
);

/** The exit code for what escaped a command, after saying what went wrong. */
function report(error: unknown): number {
  if (error instanceof UserError) {
    console.error(`kt: ${error.message}`);
    return error.exitCode;
  }
  // Commander has printed its message (or the help) already.
  if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
  console.error("kt: unexpected error (this is a bug in kt, please report it):");
  console.error(error);
  return BUG_EXIT_CODE;
}

try {
  await program.parseAsync(process.argv);
} catch (error) {
  // Exit now: a half-started runtime may hold handles that would keep Node alive.
  process.exit(report(error));
}
