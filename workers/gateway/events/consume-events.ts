import { chainHash, chainIdOf } from "../../db/event-chain.ts";
import { decisionEventSchema, type DecisionEvent } from "./decision-event.ts";
import { exportedFields, INSERT_ROWS_SQL, rowJson, toRow } from "./event-rows.ts";

function reportDropped(messageId: string, count: number): void {
  console.error(
    JSON.stringify({
      level: "error",
      message: "dropped queue content that is not a decision event",
      id: messageId,
      count,
    }),
  );
}

/**
 * Queue consumer: validates a batch and stores it with {@link storeEvents}. A
 * message holds an array of events (the gateway packs them, see
 * `event-batches.ts`) or, from older gateways, one event. What is not a decision
 * event is reported and left out (retrying cannot fix it); a message with no
 * event at all is acknowledged. A D1 failure (including a lost race for a chain
 * position) retries the messages that held events, which is safe because storing
 * is idempotent. A stored batch is acknowledged with one `ackAll` (the explicit
 * acks above win).
 */
export async function consumeEvents(
  batch: MessageBatch<unknown>,
  database: D1Database,
): Promise<void> {
  const events: DecisionEvent[] = [];
  const valid: Message<unknown>[] = [];
  for (const message of batch.messages) {
    const bodies = Array.isArray(message.body) ? (message.body as unknown[]) : [message.body];
    let kept = 0;
    for (const body of bodies) {
      const parsed = decisionEventSchema.safeParse(body);
      if (parsed.success) {
        events.push(parsed.data);
        kept++;
      }
    }
    if (kept < bodies.length) reportDropped(message.id, bodies.length - kept);
    if (kept > 0) valid.push(message);
    else message.ack();
  }
  if (events.length === 0) return;
  try {
    await storeEvents(database, events);
  } catch (error) {
    console.error(
      JSON.stringify({
        level: "error",
        message: "decision events not stored; retrying",
        error: (error as Error).message,
      }),
    );
    for (const message of valid) message.retry();
    return;
  }
  batch.ackAll();
}

const EXISTING_SQL =
  "SELECT request_id FROM decision_events WHERE request_id IN (SELECT value FROM json_each(?1))";

/** Each chain's newest stored event (the unique (chain, sequence) index finds it). */
const HEADS_SQL = `SELECT chain.value AS chain_id, head.sequence AS sequence, head.hash AS hash
  FROM json_each(?1) AS chain JOIN decision_events AS head ON head.chain_id = chain.value
  AND head.sequence = (SELECT MAX(sequence) FROM decision_events WHERE chain_id = chain.value)`;

/** Characters of row JSON bound to one insert: D1 takes at most 2 MB per string value. */
const MAX_BOUND_CHARS = 400_000;

interface ChainTail {
  sequence: number;
  hash: string | null;
}

/**
 * Stores decision events, at most once each (by request id), appending each to
 * its gateway's hash chain: sequence, previous hash and hash are computed here, and
 * the unique request id and (chain, sequence) indexes make a concurrent writer fail
 * (and retry) rather than fork the chain. Two D1 round trips whatever the batch
 * size: one reads the ids already stored and the chain heads, one inserts the rest.
 */
export async function storeEvents(
  database: D1Database,
  events: readonly DecisionEvent[],
): Promise<number> {
  const unique = [...new Map(events.map((event) => [event.request_id, event])).values()];
  if (unique.length === 0) return 0;
  const chainIds = new Map<DecisionEvent, string>();
  for (const event of unique)
    chainIds.set(event, chainIdOf(event.identity.org_id, event.gateway_id));
  const [existing, heads] = (await database.batch([
    database.prepare(EXISTING_SQL).bind(JSON.stringify(unique.map((event) => event.request_id))),
    database.prepare(HEADS_SQL).bind(JSON.stringify([...new Set(chainIds.values())])),
  ])) as [D1Result<{ request_id: string }>, D1Result<ChainTail & { chain_id: string }>];
  const stored = new Set(existing.results.map((row) => row.request_id));
  const tails = new Map<string, ChainTail>(
    heads.results.map((head) => [head.chain_id, { sequence: head.sequence, hash: head.hash }]),
  );
  const fresh = unique
    .filter((event) => !stored.has(event.request_id))
    .sort((a, b) => a.created_at - b.created_at || (a.request_id < b.request_id ? -1 : 1));
  const chunks: string[][] = [];
  let chunk: string[] = [];
  let chunkChars = 0;
  for (const event of fresh) {
    const chainId = chainIds.get(event) as string;
    const tail = tails.get(chainId) ?? { sequence: 0, hash: null };
    const row = toRow(event);
    const sequence = tail.sequence + 1;
    const hash = await chainHash(tail.hash, exportedFields(row));
    const json = rowJson({ ...row, chainId, sequence, prevHash: tail.hash, hash });
    tails.set(chainId, { sequence, hash });
    if (chunk.length > 0 && chunkChars + json.length > MAX_BOUND_CHARS) {
      chunks.push(chunk);
      chunk = [];
      chunkChars = 0;
    }
    chunk.push(json);
    chunkChars += json.length + 1;
  }
  if (chunk.length > 0) chunks.push(chunk);
  if (chunks.length > 0)
    await database.batch(
      chunks.map((rows) => database.prepare(INSERT_ROWS_SQL).bind(`[${rows.join(",")}]`)),
    );
  return fresh.length;
}
