import { Option, type Command } from "commander";
import {
  adminOptions,
  formatTime,
  ORG_ROLES,
  parseDuration,
  parseList,
  parsePositiveInteger,
  parsePositiveNumber,
  printJson,
  printTable,
  type AdminFlags,
  type Column,
} from "../admin-kit.ts";
import { connect, type ApiClient } from "../api-client.ts";
import { UserError } from "../user-error.ts";

interface Token {
  id: string;
  type: "access" | "gateway";
  name: string;
  prefix: string;
  role: string;
  scopes: string[] | null;
  team_id: string | null;
  configuration: string | null;
  models: string[] | null;
  daily_budget: number | null;
  rpm_limit: number | null;
  created_at: number;
  expires_at: number | null;
  last_used_at: number | null;
  revoked_at: number | null;
  key?: string;
}

interface CreateFlags extends AdminFlags {
  type: "access" | "gateway";
  name: string;
  role?: string;
  scopes?: string[];
  teamId?: string;
  config?: string;
  models?: string[];
  dailyBudget?: number;
  knowledgeAssets?: string[];
  rpmLimit?: number;
  expiresIn?: string;
}

const GATEWAY_ONLY = ["teamId", "config", "models", "dailyBudget", "knowledgeAssets", "rpmLimit"];

function createBody(flags: CreateFlags): Record<string, unknown> {
  if (flags.type === "access") {
    const misplaced = GATEWAY_ONLY.filter((flag) => flags[flag as keyof CreateFlags] !== undefined);
    if (misplaced.length)
      throw new UserError(
        `--${misplaced[0]?.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)} applies to gateway keys only (--type gateway)`,
      );
  } else if (flags.scopes)
    throw new UserError("--scopes applies to access keys only (--type access)");
  const optional = {
    role: flags.role,
    scopes: flags.scopes,
    team_id: flags.teamId,
    configuration: flags.config,
    models: flags.models,
    daily_budget: flags.dailyBudget,
    knowledge_assets: flags.knowledgeAssets,
    rpm_limit: flags.rpmLimit,
    expires_in: flags.expiresIn,
  };
  return {
    type: flags.type,
    name: flags.name,
    ...Object.fromEntries(Object.entries(optional).filter(([, value]) => value !== undefined)),
  };
}

/** Prints a key that was just made or rotated: the only time it is ever shown. */
function showKey(verb: string, token: Token): void {
  const team = token.team_id ? ` for team ${token.team_id}` : "";
  const expiry = token.expires_at ? `, expires ${formatTime(token.expires_at)} UTC` : "";
  console.log(
    `${verb} ${token.type} key "${token.name}" (${token.id})${team}, role ${token.role}${expiry}.`,
  );
  console.log("\nKey, shown once; store it now:\n");
  console.log(`  ${token.key ?? ""}\n`);
}

const revokedColumn: Column<Token> = ["REVOKED", (row) => formatTime(row.revoked_at)];

/** A key id (key_…) as is, or the id of the one active key with that name. */
async function tokenId(api: ApiClient, idOrName: string): Promise<string> {
  if (idOrName.startsWith("key_")) return idOrName;
  const { data } = await api.request<{ data: Token[] }>("GET", "/v1/tokens");
  const matches = data.filter((token) => token.name === idOrName);
  if (matches.length === 1 && matches[0]) return matches[0].id;
  if (matches.length === 0)
    throw new UserError(`no active key named "${idOrName}" (see kt tokens list)`, 1);
  throw new UserError(
    `both an access and a gateway key are named "${idOrName}": pass the id (key_…)`,
    1,
  );
}

/** Registers `kt tokens create|list|rotate|revoke` (the /v1/tokens API). */
export function registerTokens(tokens: Command): void {
  adminOptions(
    tokens
      .command("create")
      .description(
        "Create an access key (kt_ak_…, for the control API) or a gateway key (kt_gk_…).",
      )
      .addOption(
        new Option("--type <type>", "access or gateway")
          .choices(["access", "gateway"])
          .makeOptionMandatory(),
      )
      .requiredOption("--name <name>", "a name, unique among active keys of that type")
      .addOption(
        new Option(
          "--role <role>",
          "the key's role, at most your own (default: yours; admin for owners)",
        ).choices(ORG_ROLES),
      )
      .option(
        "--scopes <list>",
        "access keys: only these permissions, e.g. teams:read,tokens:read",
        parseList,
      )
      .option("--team-id <team>", "gateway keys: the team (id or name) whose traffic it carries")
      .option("--config <name>", "gateway keys: the configuration it runs")
      .option(
        "--models <list>",
        'gateway keys: the models it may call, e.g. "gpt-4o-mini,mock-echo"',
        parseList,
      )
      .option("--daily-budget <amount>", "gateway keys: spend limit per day", parsePositiveNumber)
      .option("--knowledge-assets <list>", "gateway keys: knowledge assets it may use", parseList)
      .option("--rpm-limit <n>", "gateway keys: requests per minute", parsePositiveInteger)
      .option(
        "--expires-in <duration>",
        "lifetime: 30d, 12h, 90m or 2w (default: never)",
        parseDuration,
      ),
  )
    .addHelpText(
      "after",
      `
The key is printed once and stored only as its SHA-256. Members can create
gateway keys only for their own teams.

Examples:
  $ kt tokens create --type gateway --name support-bot --team-id support \\
      --config support-config --models "gpt-4o-mini,mock-echo" --daily-budget 25 --expires-in 30d
  $ kt tokens create --type access --name ci --role viewer --scopes teams:read,tokens:read`,
    )
    .action(async (flags: CreateFlags) => {
      const body = createBody(flags);
      const api = await connect(flags);
      const created = await api.request<Token>("POST", "/v1/tokens", { body });
      if (flags.json) return printJson(created);
      showKey("Created", created);
    });

  adminOptions(
    tokens
      .command("list")
      .description("List the keys you can see (never the keys themselves).")
      .addOption(new Option("--type <type>", "only this type").choices(["access", "gateway"]))
      .option("--all", "include revoked keys"),
  )
    .addHelpText(
      "after",
      "\nExamples:\n  $ kt tokens list\n  $ kt tokens list --type gateway --all --json",
    )
    .action(async (flags: AdminFlags & { type?: string; all?: boolean }) => {
      const api = await connect(flags);
      const query = new URLSearchParams({
        ...(flags.type ? { type: flags.type } : {}),
        ...(flags.all ? { include_revoked: "true" } : {}),
      });
      const { data } = await api.request<{ data: Token[] }>("GET", `/v1/tokens?${query}`);
      if (flags.json) return printJson(data);
      printTable(
        data,
        [
          ["ID", (row) => row.id],
          ["TYPE", (row) => row.type],
          ["NAME", (row) => row.name],
          ["PREFIX", (row) => `${row.prefix}…`],
          ["ROLE", (row) => row.role],
          ["TEAM", (row) => row.team_id],
          ["EXPIRES", (row) => formatTime(row.expires_at)],
          ["LAST USED", (row) => formatTime(row.last_used_at)],
          ...(flags.all ? [revokedColumn] : []),
        ],
        "No keys.",
      );
    });

  adminOptions(
    tokens
      .command("rotate")
      .description("Give a key a new secret, shown once; the old one stops working at once.")
      .argument("<id-or-name>", "the key's id (key_…) or the name of an active key"),
  )
    .addHelpText("after", "\nExample:\n  $ kt tokens rotate support-bot")
    .action(async (idOrName: string, flags: AdminFlags) => {
      const api = await connect(flags);
      const id = await tokenId(api, idOrName);
      const rotated = await api.request<Token>(
        "POST",
        `/v1/tokens/${encodeURIComponent(id)}/rotate`,
      );
      if (flags.json) return printJson(rotated);
      showKey("Rotated", rotated);
    });

  adminOptions(
    tokens
      .command("revoke")
      .description("Revoke a key: it stops working at once.")
      .argument("<id-or-name>", "the key's id (key_…) or the name of an active key"),
  )
    .addHelpText("after", "\nExample:\n  $ kt tokens revoke key_0123")
    .action(async (idOrName: string, flags: AdminFlags) => {
      const api = await connect(flags);
      const id = await tokenId(api, idOrName);
      const revoked = await api.request<Token>("DELETE", `/v1/tokens/${encodeURIComponent(id)}`);
      if (flags.json) return printJson(revoked);
      console.log(`Revoked ${revoked.type} key "${revoked.name}" (${revoked.id}).`);
    });
}
