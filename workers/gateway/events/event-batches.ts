import type { DecisionEvent } from "./decision-event.ts";

/**
 * Decision events of concurrent requests share one `sendBatch`: each queue send
 * is a round trip (under `kt gateway run`, a request to miniflare's queue broker
 * that costs several times the CPU of the message itself). The request whose
 * event opens a batch waits {@link BATCH_WINDOW_MS} and sends it from its own
 * `waitUntil`, which keeps it alive until the queue has the batch; the events of
 * requests arriving meanwhile ride along, and their own `waitUntil` ends at once.
 *
 * Events travel packed: one queue message holds an array of events, up to
 * {@link MAX_MESSAGE_BYTES}. Queues bill and rate-limit per message, and a local
 * broker spends a timer and an id on each one; under load miniflare's broker ran
 * out of timers and refused one-event messages. The consumer still takes a message
 * holding a single event.
 *
 * A batch the queue refuses is sent again after {@link RETRY_DELAYS_MS}, then one
 * message at a time; only an event refused through all of that is logged as lost.
 */

/** How long the event that opens a batch waits for others, in ms. */
const BATCH_WINDOW_MS = 10;
/** How long to wait before each new try of a refused batch, in ms (the queue may be saturated). */
const RETRY_DELAYS_MS: readonly number[] = [50, 250, 1000, 3000];
/** Events per batch; `sendBatch` takes at most 100 messages, 128 KB each and 256 KB in all. */
const MAX_EVENTS = 100;
const MAX_BATCH_BYTES = 192 * 1024;
/**
 * Events are packed into messages up to this size (about four with a kept
 * conversation), and one alone up to 128 KB. Under `kt gateway run`, 60 KB messages
 * made the workerd process grow ~70 MB per 10,000 requests more than one-event
 * messages did; at 12 KB it grew no faster (ADR 11).
 */
const MAX_MESSAGE_BYTES = 12 * 1024;

interface OpenBatch {
  events: DecisionEvent[];
  /** Each event's {@link queuedBytes}, to pack them into messages. */
  sizes: number[];
  bytes: number;
}

/** The batch still taking events, per queue binding. */
const open = new Map<Queue, OpenBatch>();

/**
 * An upper bound of a value's size as a queue message (V8 serialisation: a
 * string costs a tag, a length and at most two bytes per UTF-16 unit; a number
 * at most ten bytes; an object or array a few tags and lengths), without
 * serialising it: this runs for every request.
 */
function queuedBytes(value: unknown): number {
  if (typeof value === "string") return 2 * value.length + 8;
  if (value === null || typeof value !== "object") return 10;
  let bytes = 24;
  if (Array.isArray(value)) {
    for (const item of value) bytes += queuedBytes(item);
    return bytes;
  }
  const record = value as Record<string, unknown>;
  for (const key in record) bytes += 2 * key.length + 8 + queuedBytes(record[key]);
  return bytes;
}

function logUndelivered(event: DecisionEvent): void {
  console.error(
    JSON.stringify({
      level: "error",
      request_id: event.request_id,
      message: "decision event not delivered",
    }),
  );
}

/** A queue message may hold 128 KB; this leaves room for the event's other fields. */
const MAX_CONTENT_BYTES = 96 * 1024;

/** A string cut to `keep` characters, saying how much was cut. */
function cut(text: string, keep: number): string {
  return text.length <= keep
    ? text
    : `${text.slice(0, keep)}… [cut by keeptrusts: ${text.length - keep} more characters]`;
}

function cutStrings(value: unknown, keep: number): unknown {
  if (typeof value === "string") return cut(value, keep);
  if (Array.isArray(value)) return value.map((item) => cutStrings(item, keep));
  if (value !== null && typeof value === "object")
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, cutStrings(item, keep)]),
    );
  return value;
}

/**
 * The event with its kept conversation cut down to fit one queue message: an
 * event the queue refuses is lost, and the decision matters more than the full
 * text. Each text keeps its beginning and says how much was cut.
 */
export function fitForQueue(event: DecisionEvent): DecisionEvent {
  const kept = event.content;
  if (!kept || queuedBytes(kept) <= MAX_CONTENT_BYTES) return event;
  let keep = 16 * 1024;
  let content = kept;
  while (keep >= 64) {
    content = cutStrings(kept, keep) as typeof kept;
    if (queuedBytes(content) <= MAX_CONTENT_BYTES) break;
    keep = Math.floor(keep / 2);
  }
  return { ...event, content };
}

/** The events in messages of at most {@link MAX_MESSAGE_BYTES} (one larger event alone). */
function pack(events: readonly DecisionEvent[], sizes: readonly number[]): DecisionEvent[][] {
  const messages: DecisionEvent[][] = [];
  let message: DecisionEvent[] = [];
  let bytes = 0;
  events.forEach((event, index) => {
    const size = sizes[index] ?? 0;
    if (message.length > 0 && bytes + size > MAX_MESSAGE_BYTES) {
      messages.push(message);
      message = [];
      bytes = 0;
    }
    message.push(event);
    bytes += size;
  });
  if (message.length > 0) messages.push(message);
  return messages;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Sends packed messages, trying again after each of `delays` while the queue refuses. */
async function sendPacked(
  queue: Queue,
  messages: DecisionEvent[][],
  delays: readonly number[],
): Promise<void> {
  const batch = messages.map((body) => ({ body, contentType: "v8" as const }));
  for (let attempt = 0; ; attempt++) {
    try {
      await queue.sendBatch(batch);
      return;
    } catch (error) {
      const delay = delays[attempt];
      if (delay === undefined) break;
      if (attempt === 0)
        console.error(
          JSON.stringify({
            level: "warn",
            message: "the queue refused decision events; trying again",
            events: messages.reduce((sum, message) => sum + message.length, 0),
            error: (error as Error).message,
          }),
        );
      await pause(delay);
    }
  }
  // Still refused: one message at a time, so one bad message does not lose the rest.
  for (const body of messages) {
    try {
      await queue.send(body, { contentType: "v8" });
    } catch {
      for (const event of body) logUndelivered(event);
    }
  }
}

/**
 * Queues one decision event. Resolves when the event is handed to the queue, or
 * at once when a batch opened by another request took it: that request sends it.
 * Never rejects: an event the queue refuses through every retry is logged with
 * its request id.
 */
export async function queueEvent(
  queue: Queue,
  event: DecisionEvent,
  retryDelaysMs: readonly number[] = RETRY_DELAYS_MS,
): Promise<void> {
  const bytes = queuedBytes(event) + 16; // and a header
  if (bytes > MAX_BATCH_BYTES / 2) return sendPacked(queue, [[fitForQueue(event)]], retryDelaysMs);
  const batch = open.get(queue);
  if (batch && batch.events.length < MAX_EVENTS && batch.bytes + bytes <= MAX_BATCH_BYTES) {
    batch.events.push(event);
    batch.sizes.push(bytes);
    batch.bytes += bytes;
    return;
  }
  const opened: OpenBatch = { events: [event], sizes: [bytes], bytes };
  open.set(queue, opened);
  await pause(BATCH_WINDOW_MS);
  if (open.get(queue) === opened) open.delete(queue);
  await sendPacked(queue, pack(opened.events, opened.sizes), retryDelaysMs);
}
