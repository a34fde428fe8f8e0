import { desc, eq, inArray } from "drizzle-orm";
import { createDb } from "../../db/client.ts";
import { chainHash, chainIdOf } from "../../db/event-chain.ts";
import { decisionEvents } from "../../db/schema.ts";
import { decisionEventSchema, type DecisionEvent } from "./decision-event.ts";

function toRow(event: DecisionEvent): typeof decisionEvents.$inferInsert {
  return {
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
  };
}

/**
 * Queue consumer: validates a batch and stores it with {@link storeEvents}. A
 * message that is not a decision event is acknowledged and reported (retrying
 * cannot fix it); a D1 failure (including a lost race for a chain position)
 * retries the whole batch, which is safe because storing is idempotent.
 */
export async function consumeEvents(
  batch: MessageBatch<unknown>,
  database: D1Database,
): Promise<void> {
  const valid: Array<{ message: Message<unknown>; event: DecisionEvent }> = [];
  for (const message of batch.messages) {
    const parsed = decisionEventSchema.safeParse(message.body);
    if (parsed.success) {
      valid.push({ message, event: parsed.data });
    } else {
      console.error(
        JSON.stringify({
          level: "error",
          message: "dropped a queue message that is not a decision event",
          id: message.id,
        }),
      );
      message.ack();
    }
  }
  if (valid.length === 0) return;
  try {
    await storeEvents(
      database,
      valid.map(({ event }) => event),
    );
  } catch (error) {
    console.error(
      JSON.stringify({
        level: "error",
        message: "decision events not stored; retrying",
        error: (error as Error).message,
      }),
    );
    for (const { message } of valid) message.retry();
    return;
  }
  for (const { message } of valid) message.ack();
}

/**
 * Stores decision events, at most once each (by request id), appending each to
 * its gateway's hash chain: sequence, previous hash and hash are computed here, and
 * a unique (chain, sequence) index makes a concurrent writer fail (and retry)
 * rather than fork the chain.
 */
export async function storeEvents(
  database: D1Database,
  events: readonly DecisionEvent[],
): Promise<number> {
  const db = createDb(database);
  const unique = [...new Map(events.map((event) => [event.request_id, event])).values()];
  const existing = new Set<string>();
  for (let index = 0; index < unique.length; index += 50) {
    const ids = unique.slice(index, index + 50).map((event) => event.request_id);
    for (const row of await db
      .select({ id: decisionEvents.requestId })
      .from(decisionEvents)
      .where(inArray(decisionEvents.requestId, ids)))
      existing.add(row.id);
  }
  const fresh = unique
    .filter((event) => !existing.has(event.request_id))
    .sort((a, b) => a.created_at - b.created_at || (a.request_id < b.request_id ? -1 : 1));
  const rows: Array<typeof decisionEvents.$inferInsert> = [];
  const tails = new Map<string, { sequence: number; hash: string | null }>();
  for (const event of fresh) {
    const chainId = chainIdOf(event.identity.org_id, event.gateway_id);
    let tail = tails.get(chainId);
    if (!tail) {
      const [last] = await db
        .select({ sequence: decisionEvents.sequence, hash: decisionEvents.hash })
        .from(decisionEvents)
        .where(eq(decisionEvents.chainId, chainId))
        .orderBy(desc(decisionEvents.sequence))
        .limit(1);
      tail = { sequence: last?.sequence ?? 0, hash: last?.hash ?? null };
    }
    const row = toRow(event);
    const sequence = tail.sequence + 1;
    const hash = await chainHash(tail.hash, exportedFields(row));
    rows.push({ ...row, chainId, sequence, prevHash: tail.hash, hash });
    tails.set(chainId, { sequence, hash });
  }
  const [first, ...rest] = rows.map((row) =>
    db.insert(decisionEvents).values(row).onConflictDoNothing({ target: decisionEvents.requestId }),
  );
  if (first) await db.batch([first, ...rest]);
  return rows.length;
}

/** The row in export (snake_case) names, as `chainHash` and `kt export verify` see it. */
function exportedFields(row: typeof decisionEvents.$inferInsert): Record<string, unknown> {
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
