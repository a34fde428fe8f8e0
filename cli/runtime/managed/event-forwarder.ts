import type { CallResult } from "./control-client.ts";
import type { EventSpool } from "./event-spool.ts";

/** Events per delivery: the control API's batch limit. */
export const BATCH_SIZE = 100;
/** The longest an event waits in memory before a delivery is attempted. */
export const FLUSH_EVERY_MS = 2_000;
/** Past this many events in memory (a slow control API), they go to disk. */
const SPILL_AT = 1_000;
/** Past this many events in memory (the disk cannot keep up), the oldest are dropped. */
const MEMORY_LIMIT = 20_000;
const BACKOFF_BASE_MS = 1_000;
const BACKOFF_MAX_MS = 60_000;

/** How a forwarder delivers and where it keeps what it cannot deliver yet. */
export interface EventForwarderOptions {
  send(events: readonly unknown[]): Promise<CallResult<unknown>>;
  spool: EventSpool;
  log(message: string): void;
  /** For tests: a source of randomness for the jitter. */
  random?: () => number;
}

/** What the forwarder reports in `/health` and heartbeats. */
export interface ForwarderStatus {
  /** Waiting to be delivered, in memory and on disk. */
  pending: number;
  /** Of those, on disk. */
  spooled: number;
  delivered: number;
  /** Lost: the spool or the memory bound was exceeded, or the control API refused an event as invalid. */
  dropped: number;
  last_error: string | null;
}

/**
 * Exponential backoff with jitter: the n-th consecutive failure waits between
 * half and all of min(max, base·2ⁿ⁻¹), and at least what Retry-After asked for.
 */
export function backoffMs(failures: number, random: () => number, retryAfterMs = 0): number {
  const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, failures - 1));
  return Math.max(retryAfterMs, Math.round(ceiling / 2 + (random() * ceiling) / 2));
}

/**
 * Delivers a managed gateway's decision events to the control API in batches of
 * at most {@link BATCH_SIZE}, at least every {@link FLUSH_EVERY_MS}, off the
 * request path. A failed delivery is retried with backoff; meanwhile events are
 * written to the disk spool (oldest delivered first, after a restart too). A batch
 * the control API rejects as invalid is split to find the bad event, which alone
 * is dropped. Delivery is at least once: the control API stores each request id
 * once.
 */
export class EventForwarder {
  readonly #send: EventForwarderOptions["send"];
  readonly #spool: EventSpool;
  readonly #log: (message: string) => void;
  readonly #random: () => number;
  #memory: unknown[] = [];
  #failures = 0;
  #retryAt = 0;
  #stopAt = Number.POSITIVE_INFINITY;
  #delivered = 0;
  #dropped = 0;
  #lastError: string | null = null;
  #timer: NodeJS.Timeout | undefined;
  #busy: Promise<void> | undefined;

  constructor(options: EventForwarderOptions) {
    this.#send = options.send;
    this.#spool = options.spool;
    this.#log = options.log;
    this.#random = options.random ?? Math.random;
  }

  /** Starts the periodic flush (unref'd: it never keeps the process alive). */
  start(): void {
    this.#timer ??= setInterval(() => void this.flush(), FLUSH_EVERY_MS);
    this.#timer.unref();
    void this.flush();
  }

  /** Queues one event; a full batch is flushed at once. */
  push(event: unknown): void {
    if (this.#memory.length >= MEMORY_LIMIT) {
      this.#memory.shift();
      this.#dropped += 1;
    }
    this.#memory.push(event);
    if (this.#memory.length >= BATCH_SIZE) void this.flush();
  }

  /** What is waiting, what was delivered and lost, and the last delivery error. */
  status(): ForwarderStatus {
    return {
      pending: this.#memory.length + this.#spool.events,
      spooled: this.#spool.events,
      delivered: this.#delivered,
      dropped: this.#dropped + this.#spool.dropped,
      last_error: this.#lastError,
    };
  }

  /** Delivers what it can now (one run at a time); resolves when this run ends. */
  flush(): Promise<void> {
    this.#busy ??= this.#drain().finally(() => {
      this.#busy = undefined;
    });
    return this.#busy;
  }

  /**
   * Stops the timer, tries to deliver what is left for about `timeoutMs`, and
   * writes anything still undelivered to the spool for the next run.
   */
  async close(timeoutMs: number): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#busy;
    // One last attempt, even during a backoff; a delivery under way when the time is
    // up still ends (within the call timeout) before what is left goes to disk.
    this.#retryAt = 0;
    this.#stopAt = Date.now() + timeoutMs;
    await this.flush();
    await this.#spill();
  }

  async #spill(): Promise<void> {
    const droppedBefore = this.#spool.dropped;
    while (this.#memory.length > 0) {
      const batch = this.#memory.slice(0, BATCH_SIZE);
      try {
        await this.#spool.push(batch);
      } catch (error) {
        this.#log(`events: could not write the spool: ${(error as Error).message}`);
        return;
      }
      this.#memory.splice(0, batch.length);
    }
    const dropped = this.#spool.dropped - droppedBefore;
    if (dropped > 0) {
      this.#log(`events: the spool is full; dropped the ${dropped} oldest undelivered events`);
    }
  }

  async #drain(): Promise<void> {
    for (;;) {
      if (Date.now() > this.#stopAt) return;
      if (this.#memory.length > SPILL_AT) await this.#spill();
      if (Date.now() < this.#retryAt) {
        // The control API is failing: keep what arrived meanwhile on disk.
        await this.#spill();
        return;
      }
      const spooled = await this.#spool.take(BATCH_SIZE);
      const batch = spooled?.events ?? this.#memory.splice(0, BATCH_SIZE);
      if (batch.length === 0) return;
      const result = await this.#deliver(batch);
      if (result.ok) {
        if (spooled) await this.#spool.remove(spooled.files);
        this.#failures = 0;
        this.#lastError = null;
        continue;
      }
      if (!spooled) this.#memory.unshift(...batch);
      this.#failures += 1;
      this.#lastError = result.message;
      const wait = backoffMs(this.#failures, this.#random, result.retryAfterMs);
      this.#retryAt = Date.now() + wait;
      if (this.#failures === 1 || this.#failures % 10 === 0) {
        this.#log(
          `events: delivery failed (${result.message}); ${this.status().pending} waiting, retrying in ${Math.ceil(wait / 1000)} s`,
        );
      }
      await this.#spill();
      return;
    }
  }

  /** Sends a batch; a rejected batch is split until the invalid events are found and dropped. */
  async #deliver(batch: readonly unknown[]): Promise<CallResult<unknown>> {
    const result = await this.#send(batch);
    if (result.ok) {
      this.#delivered += batch.length;
      return result;
    }
    if (result.kind !== "rejected") return result;
    if (batch.length === 1) {
      this.#dropped += 1;
      this.#log(`events: the control API refused an event, dropped (${result.message})`);
      return { ok: true, value: null };
    }
    const half = Math.ceil(batch.length / 2);
    const first = await this.#deliver(batch.slice(0, half));
    if (!first.ok) return first;
    return this.#deliver(batch.slice(half));
  }
}
