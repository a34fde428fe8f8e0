import { index, integer, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

/**
 * One row per governed request: what was decided, by which policies, under which
 * config, at what cost in time and tokens. Never raw sensitive values: `content`
 * holds only the redacted conversation, and only when the audit logger keeps it.
 * Idempotent by request id (queue deliveries are at least once).
 */
export const decisionEvents = sqliteTable(
  "decision_events",
  {
    requestId: text("request_id").primaryKey(),
    createdAt: integer("created_at", { mode: "number" }).notNull(),
    orgId: text("org_id"),
    teamId: text("team_id"),
    userId: text("user_id"),
    keyId: text("key_id"),
    gatewayId: text("gateway_id"),
    configName: text("config_name").notNull(),
    configVersion: text("config_version").notNull(),
    configHash: text("config_hash").notNull(),
    endpoint: text("endpoint").notNull(),
    model: text("model").notNull(),
    targetId: text("target_id"),
    provider: text("provider"),
    stream: integer("stream", { mode: "boolean" }).notNull(),
    verdict: text("verdict").notNull(),
    status: integer("status").notNull(),
    errorCode: text("error_code"),
    blockedBy: text("blocked_by"),
    policies: text("policies", { mode: "json" }).notNull(),
    attempts: text("attempts", { mode: "json" }),
    policyMs: real("policy_ms").notNull(),
    upstreamMs: real("upstream_ms"),
    promptTokens: integer("prompt_tokens"),
    completionTokens: integer("completion_tokens"),
    totalTokens: integer("total_tokens"),
    content: text("content", { mode: "json" }),
    retentionDays: integer("retention_days"),
    /** Shadow mode: the candidate version that judged the same request without enforcing, and its verdict. */
    shadowVersion: text("shadow_version"),
    shadowVerdict: text("shadow_verdict"),
    /**
     * Tamper evidence: events are chained per gateway as they are stored. `hash` is
     * SHA-256 over `prev_hash` and the event's canonical JSON; `sequence` orders the chain.
     */
    chainId: text("chain_id"),
    sequence: integer("sequence"),
    prevHash: text("prev_hash"),
    hash: text("hash"),
  },
  (table) => [
    index("decision_events_created_at").on(table.createdAt),
    index("decision_events_verdict").on(table.verdict, table.createdAt),
    index("decision_events_org").on(table.orgId, table.createdAt),
    uniqueIndex("decision_events_chain").on(table.chainId, table.sequence),
  ],
);

export * from "./identity-schema.ts";
export * from "./escalation-schema.ts";
export * from "./configuration-schema.ts";
export * from "./export-schema.ts";
export * from "./wallet-schema.ts";
