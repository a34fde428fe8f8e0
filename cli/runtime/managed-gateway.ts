import path from "node:path";
import { UserError } from "../user-error.ts";
import { checkConfig, readCachedConfig, writeCachedConfig } from "./managed/config-cache.ts";
import { ControlClient, type RolledOutConfig } from "./managed/control-client.ts";
import { EventForwarder, type ForwarderStatus } from "./managed/event-forwarder.ts";
import { EventSpool } from "./managed/event-spool.ts";
import { SwitchingProxy, type Backend } from "./managed/switching-proxy.ts";
import { overrideUpstream } from "./managed/upstream-override.ts";
import { startGateway } from "./start-gateway.ts";

/** How to run a managed gateway. */
export interface ManagedGatewayOptions {
  gatewayId: string;
  apiUrl: string;
  gatewayToken: string;
  host: string;
  port: number;
  /** Debug: every target's base_url is replaced by this. */
  upstream?: string;
  pollIntervalMs: number;
  /** This gateway's folder: the config cache and the event spool live here. */
  stateDir: string;
  /** Where `secret_key_ref.env` values are read from. */
  environment: NodeJS.ProcessEnv;
  maxBodyBytes?: number;
  /** Progress for people (stdout). */
  say(message: string): void;
  /** Trouble for people (stderr). */
  warn(message: string): void;
}

/** What `/health` of a managed gateway answers. */
export interface ManagedHealth {
  /** `ok`; `degraded` while the control plane cannot be reached (the gateway still serves). */
  status: "ok" | "degraded";
  gateway_id: string;
  config: { version: string; hash: string; source: "control-plane" | "cache" };
  control_plane: { reachable: boolean; last_success_at: string | null; last_error: string | null };
  events: ForwarderStatus;
}

/** A running managed gateway. */
export interface RunningManagedGateway {
  url: URL;
  health(): ManagedHealth;
  /** Stops polling, drains requests, flushes (or spools) events, stops workerd. */
  close(): Promise<void>;
}

/** The longest body (bytes) the worker accepts unless told otherwise; the proxy buffers up to it. */
const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
const SIGNALS = ["SIGINT", "SIGTERM"] as const;

interface Serving {
  config: RolledOutConfig;
  source: "control-plane" | "cache";
}

/** Where the first config comes from: the control plane, else the disk cache, else nowhere. */
async function initialConfig(
  client: ControlClient,
  options: ManagedGatewayOptions,
): Promise<{ serving: Serving; problem: string | null }> {
  const answer = await client.fetchConfig();
  let problem: string;
  if (answer.ok && answer.value) {
    const checked = checkConfig(answer.value);
    if (checked.ok)
      return { serving: { config: answer.value, source: "control-plane" }, problem: null };
    problem = `the control plane's ${checked.reason}`;
  } else if (answer.ok) {
    problem = `no version is rolled out to gateway ${options.gatewayId} yet`;
  } else if (answer.kind === "refused") {
    throw new UserError(
      `the control API refused gateway ${options.gatewayId} (${answer.message}): check --gateway-id and --gateway-token`,
      1,
    );
  } else {
    problem = `the control API is unreachable (${answer.message})`;
  }
  const cached = await readCachedConfig(options.stateDir, options.gatewayId);
  if (!cached.ok) {
    const cache = cached.missing ? "there is no cached config" : cached.reason;
    throw new UserError(
      `no policy config to serve: ${problem}, and ${cache}. A managed gateway never serves without its policies.`,
      1,
    );
  }
  options.warn(`warning: ${problem}; serving the cached version ${cached.config.version}`);
  return { serving: { config: cached.config, source: "cache" }, problem };
}

/**
 * Runs a gateway whose config comes from the control plane (`kt run --managed`):
 * fetches the rolled-out version (or takes the last one from the disk cache when
 * the control API cannot be reached, and refuses to start with neither), serves it
 * through a {@link SwitchingProxy}, polls for new versions and switches to them
 * without dropping a request, reports heartbeats and forwards decision events.
 */
export async function startManagedGateway(
  options: ManagedGatewayOptions,
): Promise<RunningManagedGateway> {
  const client = new ControlClient({
    apiUrl: options.apiUrl,
    gatewayId: options.gatewayId,
    token: options.gatewayToken,
  });
  const spool = await EventSpool.open(path.join(options.stateDir, "events"));
  const forwarder = new EventForwarder({
    send: (events) => client.sendEvents(events),
    spool,
    log: options.warn,
  });
  const first = await initialConfig(client, options);
  let serving = first.serving;
  const plane = {
    reachable: first.problem === null,
    lastSuccessAt: first.problem === null ? Date.now() : null,
    lastError: first.problem,
  };
  if (serving.source === "control-plane") await remember(serving.config);

  async function remember(config: RolledOutConfig): Promise<void> {
    try {
      await writeCachedConfig(options.stateDir, {
        gateway_id: options.gatewayId,
        ...config,
        fetched_at: Date.now(),
      });
    } catch (error) {
      options.warn(`warning: could not cache the config: ${(error as Error).message}`);
    }
  }

  const onEvent = (event: unknown): void => {
    if (
      event &&
      typeof event === "object" &&
      (event as { gateway_id?: unknown }).gateway_id == null
    )
      (event as { gateway_id: string }).gateway_id = options.gatewayId;
    forwarder.push(event);
  };

  async function launch(config: RolledOutConfig): Promise<Backend> {
    const text = options.upstream ? overrideUpstream(config.yaml, options.upstream) : config.yaml;
    const before = new Map(SIGNALS.map((signal) => [signal, process.listeners(signal)]));
    const gateway = await startGateway({
      host: "127.0.0.1",
      port: 0,
      configText: text,
      persistTo: false,
      environment: options.environment,
      onEvent,
      warn: options.warn,
      ...(options.maxBodyBytes ? { maxBodyBytes: options.maxBodyBytes } : {}),
    });
    // Miniflare's exit hook answers these signals with process.exit; the command owns
    // them, so that a stop drains requests and keeps undelivered events first.
    for (const signal of SIGNALS) {
      for (const listener of process.listeners(signal)) {
        if (!before.get(signal)?.includes(listener)) process.removeListener(signal, listener);
      }
    }
    return gateway;
  }

  const health = (): ManagedHealth => ({
    status: plane.reachable ? "ok" : "degraded",
    gateway_id: options.gatewayId,
    config: {
      version: serving.config.version,
      hash: serving.config.sha256,
      source: serving.source,
    },
    control_plane: {
      reachable: plane.reachable,
      last_success_at:
        plane.lastSuccessAt === null ? null : new Date(plane.lastSuccessAt).toISOString(),
      last_error: plane.lastError,
    },
    events: forwarder.status(),
  });

  const proxy = new SwitchingProxy(
    {
      host: options.host,
      port: options.port,
      bufferBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
      intercept: (request) =>
        request.method === "GET" && request.url?.split("?")[0] === "/health"
          ? { status: 200, body: health() }
          : undefined,
    },
    await launch(serving.config),
  );
  let url: URL;
  try {
    url = await proxy.listen();
  } catch (error) {
    await proxy.backend.close().catch(() => undefined);
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EADDRINUSE" || code === "EACCES") {
      throw new UserError(`cannot listen on ${options.host}:${options.port} (${code})`);
    }
    throw error;
  }
  forwarder.start();

  let rejectedHash: string | null = null;
  const retiring = new Set<Promise<void>>();

  async function poll(): Promise<void> {
    const answer = await client.fetchConfig();
    if (!answer.ok) {
      if (plane.reachable)
        options.warn(`control plane: ${answer.message}; serving ${serving.config.version}`);
      plane.reachable = false;
      plane.lastError = answer.message;
      return;
    }
    if (!plane.reachable) options.say(`control plane reachable again (${options.apiUrl})`);
    plane.reachable = true;
    plane.lastSuccessAt = Date.now();
    plane.lastError = null;
    const next = answer.value;
    if (!next) {
      plane.lastError = `no version is rolled out to this gateway; serving ${serving.config.version}`;
      return;
    }
    if (next.sha256 === serving.config.sha256) {
      serving = { config: serving.config, source: "control-plane" };
      return;
    }
    const checked = checkConfig(next);
    if (!checked.ok) {
      plane.lastError = `refused ${checked.reason}; serving ${serving.config.version}`;
      if (rejectedHash !== next.sha256) options.warn(`warning: ${plane.lastError}`);
      rejectedHash = next.sha256;
      return;
    }
    let backend: Backend;
    try {
      backend = await launch(next);
    } catch (error) {
      plane.lastError = `version ${next.version} did not start: ${(error as Error).message}`;
      options.warn(`warning: ${plane.lastError}; serving ${serving.config.version}`);
      return;
    }
    const previous = serving.config.version;
    const retired = proxy.switchTo(backend).catch((error: unknown) => {
      options.warn(`warning: the old gateway did not stop cleanly: ${(error as Error).message}`);
    });
    retiring.add(retired);
    void retired.finally(() => retiring.delete(retired));
    serving = { config: next, source: "control-plane" };
    await remember(next);
    options.say(`switched to version ${next.version} (was ${previous})`);
  }

  async function heartbeat(): Promise<void> {
    const events = forwarder.status();
    const lastError = plane.lastError ?? events.last_error;
    await client.heartbeat({
      running_version: serving.config.version,
      running_hash: serving.config.sha256,
      health: {
        serving: true,
        config_source: serving.source,
        control_plane_reachable: plane.reachable,
        ...(lastError ? { last_error: lastError.slice(0, 500) } : {}),
        pending_events: events.pending,
      },
    });
  }

  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let cycle: Promise<void> = heartbeat();
  const schedule = (): void => {
    if (stopped) return;
    timer = setTimeout(() => {
      cycle = poll()
        .then(heartbeat)
        .catch((error: unknown) =>
          options.warn(`warning: poll failed: ${(error as Error).message}`),
        )
        .finally(schedule);
    }, options.pollIntervalMs);
  };
  schedule();

  return {
    url,
    health,
    async close() {
      stopped = true;
      clearTimeout(timer);
      await cycle.catch(() => undefined);
      await proxy.close(30_000);
      await Promise.all(retiring);
      await forwarder.close(5_000);
    },
  };
}
