import { sql } from "drizzle-orm";
import { createDb } from "../../workers/db/client.ts";
import { escalations, escalationTrail } from "../../workers/db/schema.ts";
import type { EscalationRow, TrailEntry } from "./escalation-model.ts";

/**
 * Writes one escalation and its trail to the D1 mirror, idempotently: the row
 * only moves forward (a write with an older `version` changes nothing, so two
 * mirrors racing can never roll it back), and trail rows are keyed by their
 * sequence number (a repeated write is a no-op). One `db.batch`: all or nothing.
 */
export async function mirrorEscalation(
  database: D1Database,
  row: EscalationRow,
  trail: readonly TrailEntry[],
): Promise<void> {
  const db = createDb(database);
  const values = {
    id: row.id,
    orgId: row.org_id,
    teamId: row.team_id,
    userId: row.user_id,
    keyId: row.key_id,
    requestId: row.request_id,
    requestHash: row.request_hash,
    endpoint: row.endpoint,
    model: row.model,
    policy: row.policy,
    reasonCode: row.reason_code,
    reason: row.reason,
    configName: row.config_name,
    configVersion: row.config_version,
    configHash: row.config_hash,
    status: row.status,
    claimedBy: row.claimed_by,
    claimExpiresAt: row.claim_expires_at,
    outcome: row.outcome,
    note: row.note,
    resolvedBy: row.resolved_by,
    resolvedAt: row.resolved_at,
    usedAt: row.used_at,
    usedRequestId: row.used_request_id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    version: row.version,
  };
  const { id: _id, ...changes } = values;
  const upsert = db
    .insert(escalations)
    .values(values)
    .onConflictDoUpdate({
      target: escalations.id,
      set: changes,
      setWhere: sql`${escalations.version} < ${row.version}`,
    });
  const entries = trail.map((entry) =>
    db
      .insert(escalationTrail)
      .values({
        escalationId: row.id,
        seq: entry.seq,
        orgId: row.org_id,
        actorType: entry.actor_type,
        actorId: entry.actor_id,
        action: entry.action,
        detail: entry.detail,
        createdAt: entry.created_at,
      })
      .onConflictDoNothing(),
  );
  await db.batch([upsert, ...entries]);
}
