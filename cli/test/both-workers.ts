import path from "node:path";
import { Log, LogLevel, Miniflare } from "miniflare";
import { expect } from "vitest";
import { unstable_getMiniflareWorkerOptions, unstable_readConfig } from "wrangler";
import { bundleWorker, ROOT } from "../runtime/bundle-gateway.ts";
import { applyMigrations } from "../runtime/migrations.ts";

/** A worker's bindings as `wrangler dev` would give them, read from its wrangler.toml. */
function bindingsOf(configPath: string) {
  const { workerOptions } = unstable_getMiniflareWorkerOptions(
    unstable_readConfig({ config: path.join(ROOT, configPath) }),
  );
  const { bindings, d1Databases, durableObjects, queueProducers, queueConsumers } = workerOptions;
  return { bindings, d1Databases, durableObjects, queueProducers, queueConsumers };
}

/** The two workers running, with helpers to call them. */
export interface BothWorkers {
  miniflare: Miniflare;
  /** The control API's origin. */
  api: string;
  /** The bootstrap token the control worker accepts. */
  bootstrapToken: string;
  /** Calls the control API (with the bootstrap token), expecting a 2xx answer. */
  control<T>(method: string, pathname: string, body: unknown, key?: string): Promise<T>;
  /** Sends a chat completion to the gateway worker with a gateway key. */
  chat(body: unknown, key: string, headers?: Record<string, string>): Promise<Response>;
  /** Bootstraps an org and issues it a gateway key for an app: its owner's key and the gateway key. */
  orgWithGatewayKey(
    org: string,
    email: string,
    app: string,
  ): Promise<{ ownerKey: string; gatewayKey: string }>;
}

/**
 * The control API and the gateway as two workers of one workerd, wired by their
 * own wrangler.toml files as in production: the control worker reaches the
 * gateway's Durable Objects through its script_name bindings, and both share D1
 * (migrated here). `label` keeps each test file's secrets apart.
 */
export async function startBothWorkers(options: {
  policyConfig: string;
  label: string;
}): Promise<BothWorkers> {
  const bootstrapToken = `cli-${options.label}-bootstrap`;
  const [control, gateway] = await Promise.all([
    bundleWorker("workers/control/index.ts"),
    bundleWorker("workers/gateway/index.ts"),
  ]);
  const controlBindings = bindingsOf("workers/control/wrangler.toml");
  const gatewayBindings = bindingsOf("wrangler.toml");
  const miniflare = new Miniflare({
    host: "127.0.0.1",
    port: 0,
    cf: false,
    log: new Log(LogLevel.WARN),
    workers: [
      {
        ...controlBindings,
        name: "keeptrusts-control",
        modules: true,
        compatibilityDate: "2026-08-01",
        scriptPath: control,
        modulesRoot: path.dirname(control),
        bindings: {
          ...(controlBindings.bindings ?? {}),
          KEEPTRUSTS_SESSION_SECRET: `cli-${options.label}-session-secret-0123456789abcdef`,
          KEEPTRUSTS_BOOTSTRAP_TOKEN: bootstrapToken,
        },
      },
      {
        ...gatewayBindings,
        name: "keeptrusts-gateway",
        modules: true,
        compatibilityDate: "2026-08-01",
        scriptPath: gateway,
        modulesRoot: path.dirname(gateway),
        bindings: {
          ...(gatewayBindings.bindings ?? {}),
          KEEPTRUSTS_POLICY_CONFIG: options.policyConfig,
        },
        queueConsumers: { "keeptrusts-events": { maxBatchTimeout: 0.05 } },
      },
    ],
  });
  const api = (await miniflare.ready).origin;
  await applyMigrations(await miniflare.getD1Database("DB"), path.join(ROOT, "d1-migrations"));
  const workers: BothWorkers = {
    miniflare,
    api,
    bootstrapToken,
    async control<T>(method: string, pathname: string, body: unknown, key?: string): Promise<T> {
      const response = await fetch(`${api}${pathname}`, {
        method,
        headers: {
          "content-type": "application/json",
          "x-keeptrusts-bootstrap-token": bootstrapToken,
          ...(key ? { authorization: `Bearer ${key}` } : {}),
        },
        body: JSON.stringify(body),
      });
      expect(response.status, await response.clone().text()).toBeLessThan(300);
      return (await response.json()) as T;
    },
    async chat(
      body: unknown,
      key: string,
      headers: Record<string, string> = {},
    ): Promise<Response> {
      const worker = await miniflare.getWorker("keeptrusts-gateway");
      const response = await worker.fetch("http://gateway.local/v1/chat/completions", {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${key}`, ...headers },
        body: JSON.stringify(body),
      });
      return response as unknown as Response;
    },
    async orgWithGatewayKey(org, email, app) {
      const owner = await workers.control<{ access_key: string }>("POST", "/v1/bootstrap", {
        org,
        email,
      });
      const token = await workers.control<{ key: string }>(
        "POST",
        "/v1/tokens",
        { type: "gateway", name: app },
        owner.access_key,
      );
      return { ownerKey: owner.access_key, gatewayKey: token.key };
    },
  };
  return workers;
}
