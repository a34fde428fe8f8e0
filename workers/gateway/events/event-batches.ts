import type { DecisionEvent } from "./decision-event.ts";

/**
 * Decision events of concurrent requests share one `sendBatch`: each queue send
 * is a round trip (under `kt gateway run`, a request to miniflare's queue broker
 * that costs several times the CPU of the message itself). The request whose
 * event opens a batch waits {@link BATCH_WINDOW_MS} and sends it from its own
 * `waitUntil`, which keeps it alive until the queue has the batch; the events of
 * requests arriving meanwhile ride along, and their own `waitUntil` ends at once.
 * A batch the queue refuses is sent again one event at a time, as before.
 */

/** How long the event that opens a batch waits for others, in ms. */
const BATCH_WINDOW_MS = 10;
/** `sendBatch` takes at most 100 messages, 128 KB each and 256 KB in all. */
const MAX_MESSAGES = 100;
const MAX_BATCH_BYTES = 192 * 1024;

interface OpenBatch {
  events: DecisionEvent[];
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

async function sendAlone(queue: Queue, event: DecisionEvent): Promise<void> {
  try {
    await queue.send(event, { contentType: "json" });
  } catch {
    logUndelivered(event);
  }
}

async function sendTogether(queue: Queue, events: DecisionEvent[]): Promise<void> {
  try {
    await queue.sendBatch(events.map((event) => ({ body: event, contentType: "v8" })));
  } catch {
    await Promise.all(events.map((event) => sendAlone(queue, event)));
  }
}

/**
 * Queues one decision event. Resolves when the event is handed to the queue, or
 * at once when a batch opened by another request took it: that request sends it.
 * Never rejects: an event the queue refuses is logged with its request id.
 */
export async function queueEvent(queue: Queue, event: DecisionEvent): Promise<void> {
  const bytes = queuedBytes(event) + 16; // and a header
  if (bytes > MAX_BATCH_BYTES / 2) return sendAlone(queue, fitForQueue(event));
  const batch = open.get(queue);
  if (batch && batch.events.length < MAX_MESSAGES && batch.bytes + bytes <= MAX_BATCH_BYTES) {
    batch.events.push(event);
    batch.bytes += bytes;
    return;
  }
  const opened: OpenBatch = { events: [event], bytes };
  open.set(queue, opened);
  await new Promise((resolve) => setTimeout(resolve, BATCH_WINDOW_MS));
  if (open.get(queue) === opened) open.delete(queue);
  await sendTogether(queue, opened.events);
}
