import { getTableColumns } from "drizzle-orm";
import { decisionEvents } from "../../db/schema.ts";
import type { DecisionEvent } from "./decision-event.ts";

/** A `decision_events` row, in drizzle (camelCase) names. */
export type EventRow = typeof decisionEvents.$inferInsert;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * The value with every lone surrogate replaced by U+FFFD, the form D1 can store:
 * it would turn one into three replacement characters itself, and the stored row
 * would no longer match its chain hash. Returns the same object when there is
 * none (the usual case: only a caller's broken text has one).
 */
export function wellFormed<T>(value: T): T {
  if (typeof value === "string") {
    LONE_SURROGATE.lastIndex = 0;
    return (LONE_SURROGATE.test(value) ? value.replace(LONE_SURROGATE, "\uFFFD") : value) as T;
  }
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) {
    let changed: unknown[] | undefined;
    value.forEach((item: unknown, index) => {
      const fixed = wellFormed(item);
      if (fixed !== item) (changed ??= [...value])[index] = fixed;
    });
    return (changed ?? value) as T;
  }
  let changed: Record<string, unknown> | undefined;
  for (const [key, item] of Object.entries(value)) {
    const fixedKey = wellFormed(key);
    const fixed = wellFormed(item);
    if (fixed === item && fixedKey === key) continue;
    changed ??= { ...(value as Record<string, unknown>) };
    if (fixedKey !== key) delete changed[key];
    changed[fixedKey] = fixed;
  }
  return (changed ?? value) as T;
}

/** The row of an event, before its chain position is known (lone surrogates replaced). */
export function toRow(event: DecisionEvent): EventRow {
  return wellFormed({
    requestId: event.request_id,
    createdAt: event.created_at,
    orgId: event.identity.org_id,
    teamId: event.identity.team_id,
    userId: event.identity.user_id,
    keyId: event.identity.key_id,
    gatewayId: event.gateway_id,
    configName: event.config.name,
    configVersion: event.config.version,
    configHash: event.config.hash,
    endpoint: event.endpoint,
    model: event.model,
    targetId: event.target_id,
    provider: event.provider,
    stream: event.stream,
    verdict: event.verdict,
    status: event.status,
    errorCode: event.error_code,
    blockedBy: event.blocked_by,
    policies: event.policies,
    attempts: event.attempts,
    policyMs: event.policy_ms,
    upstreamMs: event.upstream_ms,
    promptTokens: event.usage?.prompt_tokens ?? null,
    completionTokens: event.usage?.completion_tokens ?? null,
    totalTokens: event.usage?.total_tokens ?? null,
    content: event.content,
    retentionDays: event.retention_days,
    shadowVersion: event.shadow?.version ?? null,
    shadowVerdict: event.shadow?.verdict ?? null,
  });
}

/** The row in export (snake_case) names, as `chainHash` and `kt export verify` see it. */
export function exportedFields(row: EventRow): Record<string, unknown> {
  return {
    request_id: row.requestId,
    created_at: row.createdAt,
    org_id: row.orgId ?? null,
    team_id: row.teamId ?? null,
    user_id: row.userId ?? null,
    key_id: row.keyId ?? null,
    gateway_id: row.gatewayId ?? null,
    config_name: row.configName,
    config_version: row.configVersion,
    config_hash: row.configHash,
    endpoint: row.endpoint,
    model: row.model,
    target_id: row.targetId ?? null,
    provider: row.provider ?? null,
    verdict: row.verdict,
    status: row.status,
    error_code: row.errorCode ?? null,
    blocked_by: row.blockedBy ?? null,
    policies: row.policies,
    prompt_tokens: row.promptTokens ?? null,
    completion_tokens: row.completionTokens ?? null,
    total_tokens: row.totalTokens ?? null,
  };
}

const COLUMNS = Object.entries(getTableColumns(decisionEvents)).map(([key, column]) => ({
  key: key as keyof EventRow,
  column,
}));

/**
 * One statement that inserts many rows from one bound parameter, a JSON array of
 * {@link rowJson} arrays: D1 allows 100 bound parameters per statement, which a
 * 34-column row would cap at two rows. The rows are materialised once, so each
 * column reads an already parsed row. The caller leaves out ids already stored, so
 * any unique violation (request id, or chain and sequence) means another writer got
 * there first: the statement fails and the batch retries on fresh chain heads,
 * instead of skipping a row that the next row's `prev_hash` points at.
 */
export const INSERT_ROWS_SQL = `WITH batch AS MATERIALIZED (SELECT value AS item FROM json_each(?1))
  INSERT INTO decision_events (${COLUMNS.map(({ column }) => `"${column.name}"`).join(", ")})
  SELECT ${COLUMNS.map((_, index) => `item ->> ${index}`).join(", ")} FROM batch`;

/**
 * A row as a JSON array in column order, each value as drizzle would bind it
 * (JSON columns as their JSON text, booleans as 0/1), so `->>` reads back exactly
 * the text and numbers a per-row insert would have stored.
 */
export function rowJson(row: EventRow): string {
  return JSON.stringify(
    COLUMNS.map(({ key, column }) => {
      const value = row[key];
      return value === undefined || value === null ? null : column.mapToDriverValue(value);
    }),
  );
}
