import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** Where an escalation is in its life: waiting, owned by one reviewer, or decided for good. */
export const ESCALATION_STATUSES = ["queued", "claimed", "resolved"] as const;
/** What a reviewer decided: let the retry through once, refuse it, or hand it to the config owners. */
export const ESCALATION_OUTCOMES = ["allow", "block", "policy_tuning"] as const;

/**
 * The D1 mirror of each escalation, for listing and filtering. The org's
 * EscalationDO is the authority (it serialises every transition); it writes this
 * row after each one, guarded by `version` so a late write never rolls it back.
 * No raw request content here: only its hash (the redacted request stays in the DO).
 */
export const escalations = sqliteTable(
  "escalations",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id").notNull(),
    teamId: text("team_id"),
    userId: text("user_id"),
    keyId: text("key_id"),
    requestId: text("request_id").notNull(),
    requestHash: text("request_hash").notNull(),
    endpoint: text("endpoint").notNull(),
    model: text("model").notNull(),
    policy: text("policy").notNull(),
    reasonCode: text("reason_code").notNull(),
    reason: text("reason").notNull(),
    configName: text("config_name").notNull(),
    configVersion: text("config_version").notNull(),
    configHash: text("config_hash").notNull(),
    status: text("status", { enum: ESCALATION_STATUSES }).notNull(),
    claimedBy: text("claimed_by"),
    claimExpiresAt: integer("claim_expires_at", { mode: "number" }),
    outcome: text("outcome", { enum: ESCALATION_OUTCOMES }),
    note: text("note"),
    resolvedBy: text("resolved_by"),
    resolvedAt: integer("resolved_at", { mode: "number" }),
    usedAt: integer("used_at", { mode: "number" }),
    usedRequestId: text("used_request_id"),
    createdAt: integer("created_at", { mode: "number" }).notNull(),
    updatedAt: integer("updated_at", { mode: "number" }).notNull(),
    version: integer("version").notNull(),
  },
  (table) => [
    index("escalations_org_created").on(table.orgId, table.createdAt),
    index("escalations_org_status").on(table.orgId, table.status, table.createdAt),
    index("escalations_org_team").on(table.orgId, table.teamId, table.createdAt),
  ],
);

/**
 * Every transition of every escalation (create, claim, release, expire, resolve,
 * use): who, when, what. Mirrored from the EscalationDO, keyed by the DO's own
 * sequence so a repeated mirror write is a no-op. Insert-only (triggers refuse edits).
 */
export const escalationTrail = sqliteTable(
  "escalation_trail",
  {
    escalationId: text("escalation_id").notNull(),
    seq: integer("seq").notNull(),
    orgId: text("org_id").notNull(),
    actorType: text("actor_type", {
      enum: ["user", "access_key", "gateway", "system"],
    }).notNull(),
    actorId: text("actor_id").notNull(),
    action: text("action", {
      enum: ["create", "claim", "release", "expire", "resolve", "use"],
    }).notNull(),
    detail: text("detail", { mode: "json" }).$type<Record<string, unknown>>(),
    createdAt: integer("created_at", { mode: "number" }).notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.escalationId, table.seq] }),
    index("escalation_trail_org_created").on(table.orgId, table.createdAt),
  ],
);
