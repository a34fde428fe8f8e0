import {
  index,
  integer,
  primaryKey,
  sqliteTable,
  text,
  uniqueIndex,
} from "drizzle-orm/sqlite-core";

/**
 * What a model costs, per provider and model, from a date on. Rows with no org
 * are the defaults everyone gets (seeded by a migration); an org's own rows
 * override them. Prices are integer micro-units of `currency` per million
 * tokens (2.50 USD per million is 2500000). The newest row in effect wins.
 */
export const pricing = sqliteTable(
  "pricing",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id"),
    provider: text("provider").notNull(),
    /** The provider's model name, or `*` for every model of the provider. */
    model: text("model").notNull(),
    currency: text("currency").notNull(),
    inputMicros: integer("input_micros").notNull(),
    outputMicros: integer("output_micros").notNull(),
    /** Cached prompt tokens; null means they cost the input price. */
    cachedInputMicros: integer("cached_input_micros"),
    effectiveFrom: integer("effective_from", { mode: "number" }).notNull(),
    createdBy: text("created_by").notNull(),
    createdAt: integer("created_at", { mode: "number" }).notNull(),
  },
  (table) => [
    uniqueIndex("pricing_version").on(
      table.orgId,
      table.provider,
      table.model,
      table.effectiveFrom,
    ),
    index("pricing_lookup").on(table.provider, table.model, table.effectiveFrom),
  ],
);

/**
 * The D1 copy of each wallet, for reporting. The org's LedgerDO is the authority
 * (it serialises every hold and debit); it writes this row after changes, guarded
 * by `version` so a late write never rolls it back. Amounts in micros.
 */
export const wallets = sqliteTable(
  "wallets",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id").notNull(),
    scope: text("scope", { enum: ["org", "team", "user"] }).notNull(),
    ownerId: text("owner_id").notNull(),
    currency: text("currency").notNull(),
    balance: integer("balance").notNull(),
    held: integer("held").notNull(),
    alertThresholds: text("alert_thresholds", { mode: "json" }).$type<number[]>().notNull(),
    createdAt: integer("created_at", { mode: "number" }).notNull(),
    updatedAt: integer("updated_at", { mode: "number" }).notNull(),
    version: integer("version").notNull(),
  },
  (table) => [index("wallets_org").on(table.orgId, table.scope)],
);

/**
 * The D1 copy of the append-only ledger: every allocation, top-up, hold,
 * settle, release and refund, with its idempotency key and the balance after
 * it. Keyed by the DO's own sequence, so a repeated copy is a no-op;
 * insert-only (triggers refuse edits).
 */
export const ledgerEntries = sqliteTable(
  "ledger_entries",
  {
    orgId: text("org_id").notNull(),
    seq: integer("seq").notNull(),
    walletId: text("wallet_id").notNull(),
    kind: text("kind", {
      enum: ["allocation", "topup", "hold", "settle", "release", "refund"],
    }).notNull(),
    amount: integer("amount").notNull(),
    delta: integer("delta").notNull(),
    balanceAfter: integer("balance_after").notNull(),
    idempotencyKey: text("idempotency_key").notNull(),
    holdId: text("hold_id"),
    requestId: text("request_id"),
    ticketId: text("ticket_id"),
    actor: text("actor"),
    detail: text("detail", { mode: "json" }).$type<Record<string, unknown>>(),
    createdAt: integer("created_at", { mode: "number" }).notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.orgId, table.seq] }),
    uniqueIndex("ledger_entries_idempotency").on(table.orgId, table.idempotencyKey),
    index("ledger_entries_wallet").on(table.orgId, table.walletId, table.seq),
  ],
);

/**
 * One row per settled request: tokens, cost and who spent it, for
 * `GET /v1/usage`. Written from the LedgerDO's settle (idempotent by request id).
 * `cost` is null when the model had no price; `estimated` when the provider
 * reported no usage and the tokens were counted by the tokenizer estimate.
 */
export const usageRecords = sqliteTable(
  "usage_records",
  {
    requestId: text("request_id").primaryKey(),
    orgId: text("org_id").notNull(),
    day: text("day").notNull(),
    teamId: text("team_id"),
    userId: text("user_id"),
    keyId: text("key_id"),
    provider: text("provider").notNull(),
    model: text("model").notNull(),
    promptTokens: integer("prompt_tokens").notNull(),
    cachedTokens: integer("cached_tokens").notNull(),
    completionTokens: integer("completion_tokens").notNull(),
    cost: integer("cost"),
    charged: integer("charged").notNull(),
    uncollected: integer("uncollected").notNull(),
    currency: text("currency").notNull(),
    estimated: integer("estimated", { mode: "boolean" }).notNull(),
    walletId: text("wallet_id"),
    createdAt: integer("created_at", { mode: "number" }).notNull(),
  },
  (table) => [
    index("usage_records_org_day").on(table.orgId, table.day),
    index("usage_records_org_team").on(table.orgId, table.teamId, table.day),
    index("usage_records_org_user").on(table.orgId, table.userId, table.day),
  ],
);

/** The D1 copy of each cost ticket (the LedgerDO decides them), guarded by `version`. */
export const costTickets = sqliteTable(
  "cost_tickets",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id").notNull(),
    status: text("status", {
      enum: ["pending", "approved", "funded", "denied", "used"],
    }).notNull(),
    scope: text("scope", { enum: ["org", "team", "user"] }).notNull(),
    walletId: text("wallet_id").notNull(),
    teamId: text("team_id"),
    userId: text("user_id"),
    keyId: text("key_id"),
    model: text("model").notNull(),
    requestId: text("request_id").notNull(),
    amount: integer("amount").notNull(),
    available: integer("available").notNull(),
    currency: text("currency").notNull(),
    overdraftLimit: integer("overdraft_limit").notNull(),
    note: text("note"),
    decidedBy: text("decided_by"),
    decidedAt: integer("decided_at", { mode: "number" }),
    usedRequestId: text("used_request_id"),
    usedAt: integer("used_at", { mode: "number" }),
    createdAt: integer("created_at", { mode: "number" }).notNull(),
    updatedAt: integer("updated_at", { mode: "number" }).notNull(),
    version: integer("version").notNull(),
  },
  (table) => [index("cost_tickets_org_status").on(table.orgId, table.status, table.createdAt)],
);

/** Each time a wallet's balance fell below one of its alert thresholds (once per crossing). */
export const walletAlerts = sqliteTable(
  "wallet_alerts",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id").notNull(),
    walletId: text("wallet_id").notNull(),
    threshold: integer("threshold").notNull(),
    balance: integer("balance").notNull(),
    currency: text("currency").notNull(),
    createdAt: integer("created_at", { mode: "number" }).notNull(),
  },
  (table) => [index("wallet_alerts_org").on(table.orgId, table.createdAt)],
);
