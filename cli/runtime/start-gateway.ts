import { appendFile, rm } from "node:fs/promises";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Log, LogLevel, Miniflare, Response, type Request } from "miniflare";
import { parseConfig } from "../../workers/policy/index.ts";
import { bundleWorker, ROOT } from "./bundle-gateway.ts";
import { applyMigrations } from "./migrations.ts";

/** How to run a gateway on this machine. */
export interface GatewayRunOptions {
  host: string;
  port: number;
  /** The policy-config.yaml text. */
  configText: string;
  /** Where local D1 state lives; `false` keeps it in memory. */
  persistTo: string | false;
  /** `-` for stdout, a file path, or undefined for none. */
  eventsLog?: string;
  /** The process environment, from which the config's `secret_key_ref.env` values are taken. */
  environment: NodeJS.ProcessEnv;
  maxBodyBytes?: number;
  /** Refuse requests without a gateway key (`KEEPTRUSTS_AUTH=required`); off for local work. */
  requireKey?: boolean;
  /** Receives each decision event in this process (`kt run --managed` forwards them to the control API). */
  onEvent?: (event: unknown) => void;
  /** How long `close()` waits for pending decision events before stopping anyway; 15 s unless given. */
  drainLimitMs?: number;
  /** Where trouble while stopping is reported for people; stderr unless given. */
  warn?: (message: string) => void;
}

/** A running gateway. */
export interface RunningGateway {
  url: URL;
  miniflare: Miniflare;
  /**
   * Waits until the decision events already handed to the gateway are stored in
   * D1 and written to the events log, at most `drainLimitMs`, then stops workerd:
   * miniflare's queue keeps unconsumed messages in memory only. With `persistTo:
   * false` the D1 goes with workerd, so only the events log is waited for.
   */
  close(): Promise<void>;
}

/** The local queue of decision events, as in wrangler.toml. */
const EVENTS_QUEUE = "keeptrusts-events";
/**
 * The local consumer takes a batch once it holds this many messages (each packs up to
 * ~4 events of concurrent requests)… The consumer shares the serving thread: larger
 * batches cut p99 at c=1 and raise it under saturation. 10, 30 and 100 were measured
 * (ADR 11); 30 and 100 were alike with 12 KB messages.
 */
const CONSUMER_MAX_BATCH_SIZE = 30;
/** …or this many seconds after the batch's first message arrived. */
const CONSUMER_MAX_BATCH_TIMEOUT_S = 1;
/** How long the gateway holds an event before queueing it (BATCH_WINDOW_MS in workers/gateway/events/event-batches.ts). */
const GATEWAY_BATCH_WINDOW_MS = 10;
/** How often a stopping gateway looks at the events still on their way. */
const DRAIN_POLL_MS = 200;
/** Room for a consumer run (a batch read from the queue but not yet stored) and a slow look. */
const DRAIN_MARGIN_MS = 1_000;
/**
 * Quiet that ends the drain when the queue's backlog can be read: an event held by
 * the gateway, then one consumer run. Not covered: a batch the broker refused, which
 * the gateway sends again up to 3 s later (RETRY_DELAYS_MS in event-batches.ts); the
 * broker refuses only when saturated, and its backlog then keeps the drain going.
 */
const DRAIN_QUIET_MS = GATEWAY_BATCH_WINDOW_MS + DRAIN_MARGIN_MS;
/** Quiet that ends it when the backlog cannot be read: also a batch's wait in the queue. */
/** The local consumer's settings; the benchmark's variants start it the same way. */
export const EVENTS_CONSUMER = {
  maxBatchSize: CONSUMER_MAX_BATCH_SIZE,
  maxBatchTimeout: CONSUMER_MAX_BATCH_TIMEOUT_S,
};
const BLIND_DRAIN_QUIET_MS = CONSUMER_MAX_BATCH_TIMEOUT_S * 1_000 + DRAIN_QUIET_MS;
/** After this long a stop goes ahead with events still pending, and says so. */
const DEFAULT_DRAIN_LIMIT_MS = 15_000;

/**
 * The newest stored event's rowid: it grows with every insert (SQLite gives a new
 * row the largest rowid plus one) and is read from the table's b-tree in O(log n),
 * where `count(*)` would scan a whole index of a long-lived `.kt/state`.
 */
const LAST_STORED_SQL = "SELECT MAX(rowid) AS last FROM decision_events";

/** Decision events the events-log binding is writing now, and how many it has written. */
interface Deliveries {
  pending: number;
  done: number;
}

/** One look at the events still on their way. */
interface EventsProgress {
  /** Whether events are known to be on their way: in the queue's backlog (messages, each holding events) or being written to the events log. */
  pending: boolean;
  /** Changes whenever events are stored or written. */
  mark: string;
  /** Whether the backlog could be read; if not, a batch waiting in the queue is unseen. */
  sighted: boolean;
}

type LocalQueue = Awaited<ReturnType<Miniflare["getQueueProducer"]>>;
type LocalDatabase = Awaited<ReturnType<Miniflare["getD1Database"]>>;

/**
 * Reads the queue's backlog (miniflare's broker answers `metrics()`; without it the
 * drain waits longer) and the newest stored event.
 */
async function lookAtEvents(
  queue: LocalQueue | undefined,
  database: LocalDatabase,
  deliveries: Deliveries,
): Promise<EventsProgress> {
  const [backlog, stored] = await Promise.all([
    queue?.metrics().then(
      (metrics) => metrics.backlogCount,
      () => undefined,
    ),
    database.prepare(LAST_STORED_SQL).first<{ last: number | null }>(),
  ]);
  return {
    pending: (backlog ?? 0) > 0 || deliveries.pending > 0,
    mark: `${stored?.last ?? 0}:${deliveries.done}`,
    sighted: backlog !== undefined,
  };
}

/**
 * Waits until nothing is pending and nothing has moved for the quiet time (an
 * event in flight shows up within it), or until `limitMs` have passed.
 * Requests still arriving keep it waiting, up to the limit.
 */
async function drainEvents(
  look: () => Promise<EventsProgress>,
  limitMs: number,
  warn: (message: string) => void,
): Promise<void> {
  const started = Date.now();
  let quietSince = started;
  let lastMark: string | undefined;
  for (;;) {
    const progress = await look();
    const now = Date.now();
    if (progress.pending || progress.mark !== lastMark) quietSince = now;
    lastMark = progress.mark;
    if (now - quietSince >= (progress.sighted ? DRAIN_QUIET_MS : BLIND_DRAIN_QUIET_MS)) return;
    if (now - started >= limitMs) {
      warn(
        `kt: waited ${Math.round((now - started) / 1_000)} s for decision events to be stored; stopping anyway (${progress.pending ? "events still queued are lost" : "the last ones may be lost"})`,
      );
      return;
    }
    await sleep(DRAIN_POLL_MS);
  }
}

/** The secrets a config references, taken from the environment (and only those). */
function secretBindings(
  configText: string,
  environment: NodeJS.ProcessEnv,
): Record<string, string> {
  const parsed = parseConfig(configText);
  if (!parsed.ok) return {};
  const bindings: Record<string, string> = {};
  for (const target of parsed.config.targets) {
    const name = target.secret_key_ref?.env;
    const value = name ? environment[name] : undefined;
    if (name && value) bindings[name] = value;
  }
  return bindings;
}

/**
 * Runs the gateway worker under workerd through miniflare (no dev proxy, no
 * inspector): the same code `wrangler deploy` ships, with local D1 and a local
 * queue. Used by `kt gateway run`, the benchmark and integration tests.
 */
export async function startGateway(options: GatewayRunOptions): Promise<RunningGateway> {
  const scriptPath = await bundleWorker("workers/gateway/index.ts");
  const eventsLog = options.eventsLog;
  const onEvent = options.onEvent;
  const deliveries: Deliveries = { pending: 0, done: 0 };
  const miniflare = new Miniflare({
    modules: true,
    scriptPath,
    modulesRoot: path.dirname(scriptPath),
    compatibilityDate: "2026-08-01",
    cf: false,
    // Miniflare's own entry socket (a JavaScript worker in front of every request) stays
    // internal; callers reach the gateway's fetch handler straight through a direct socket
    // (docs/adr/0008-direct-socket.md).
    host: "127.0.0.1",
    port: 0,
    unsafeDirectSockets: [{ host: options.host, port: options.port }],
    log: new Log(LogLevel.WARN),
    bindings: {
      KEEPTRUSTS_POLICY_CONFIG: options.configText,
      KEEPTRUSTS_MAX_BODY_BYTES: String(options.maxBodyBytes ?? 1024 * 1024),
      KEEPTRUSTS_AUTH: options.requireKey ? "required" : "optional",
      ...secretBindings(options.configText, options.environment),
    },
    d1Databases: { DB: "keeptrusts" },
    durableObjects: {
      RATE_LIMITER: "RateLimiter",
      ESCALATIONS: { className: "EscalationDO", useSQLite: true },
      LEDGER: { className: "LedgerDO", useSQLite: true },
    },
    ...(options.persistTo ? { durableObjectsPersist: path.join(options.persistTo, "do") } : {}),
    ...(options.persistTo ? { d1Persist: path.join(options.persistTo, "d1") } : {}),
    queueProducers: { EVENTS: { queueName: EVENTS_QUEUE } },
    queueConsumers: { [EVENTS_QUEUE]: EVENTS_CONSUMER },
    ...(eventsLog || onEvent
      ? {
          serviceBindings: {
            async EVENTS_LOG(request: Request) {
              deliveries.pending += 1;
              try {
                const event: unknown = await request.json();
                onEvent?.(event);
                const line = `${JSON.stringify(event)}\n`;
                if (eventsLog === "-") process.stdout.write(line);
                else if (eventsLog) await appendFile(eventsLog, line);
              } finally {
                deliveries.pending -= 1;
                deliveries.done += 1;
              }
              return new Response(null, { status: 204 });
            },
          },
        }
      : {}),
  });
  let url: URL;
  try {
    await miniflare.ready;
    url = await miniflare.unsafeGetDirectURL();
  } catch (error) {
    await miniflare.dispose().catch(() => undefined);
    throw error;
  }
  const database = await miniflare.getD1Database("DB");
  await applyMigrations(database, path.join(ROOT, "d1-migrations"));
  const warn = options.warn ?? ((message: string) => console.error(message));
  let closing: Promise<void> | undefined;
  // The bundle's folder goes with the gateway: a managed gateway starts one per rollout.
  const close = async (): Promise<void> => {
    const limitMs = options.drainLimitMs ?? DEFAULT_DRAIN_LIMIT_MS;
    try {
      if (options.persistTo) {
        const queue = await miniflare.getQueueProducer("EVENTS").catch(() => undefined);
        await drainEvents(() => lookAtEvents(queue, database, deliveries), limitMs, warn);
      } else if (eventsLog || onEvent) {
        // An in-memory D1 goes with workerd: only the events log's deliveries are kept.
        const look = () =>
          Promise.resolve({
            pending: deliveries.pending > 0,
            mark: `${deliveries.done}`,
            sighted: true,
          });
        await drainEvents(look, limitMs, warn);
      }
    } catch (error) {
      warn(`kt: could not check for pending decision events: ${(error as Error).message}`);
    }
    await miniflare.dispose();
    await rm(path.dirname(scriptPath), { recursive: true, force: true });
  };
  return { url, miniflare, close: () => (closing ??= close()) };
}
