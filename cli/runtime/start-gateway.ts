import { appendFile, rm } from "node:fs/promises";
import path from "node:path";
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
}

/** A running gateway. */
export interface RunningGateway {
  url: URL;
  miniflare: Miniflare;
  close(): Promise<void>;
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
    queueProducers: { EVENTS: { queueName: "keeptrusts-events" } },
    queueConsumers: { "keeptrusts-events": { maxBatchSize: 100, maxBatchTimeout: 1 } },
    ...(eventsLog || onEvent
      ? {
          serviceBindings: {
            async EVENTS_LOG(request: Request) {
              const event: unknown = await request.json();
              onEvent?.(event);
              const line = `${JSON.stringify(event)}\n`;
              if (eventsLog === "-") process.stdout.write(line);
              else if (eventsLog) await appendFile(eventsLog, line);
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
  await applyMigrations(await miniflare.getD1Database("DB"), path.join(ROOT, "d1-migrations"));
  // The bundle's folder goes with the gateway: a managed gateway starts one per rollout.
  const close = async (): Promise<void> => {
    await miniflare.dispose();
    await rm(path.dirname(scriptPath), { recursive: true, force: true });
  };
  return { url, miniflare, close };
}
