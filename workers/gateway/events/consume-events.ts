import { createDb } from "../../db/client.ts";
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
 * Queue consumer: writes a batch of decision events into D1 in one `batch`.
 * Inserts are idempotent by request id, so redeliveries change nothing. A message
 * that is not a decision event is acknowledged and reported (retrying cannot fix
 * it); a D1 failure retries the whole batch.
 */
export async function consumeEvents(
  batch: MessageBatch<unknown>,
  database: D1Database,
): Promise<void> {
  const db = createDb(database);
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
  const [first, ...rest] = valid.map(({ event }) =>
    db.insert(decisionEvents).values(toRow(event)).onConflictDoNothing(),
  );
  if (!first) return;
  try {
    await db.batch([first, ...rest]);
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
