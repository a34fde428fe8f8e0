import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import path from "node:path";
import { Log, LogLevel, Miniflare } from "miniflare";
import { bundleWorker, ROOT } from "../cli/runtime/bundle-gateway.ts";
import { applyMigrations } from "../cli/runtime/migrations.ts";
import { EVENTS_CONSUMER } from "../cli/runtime/start-gateway.ts";
import { withNewWorkerd } from "./proc.ts";

/**
 * Variants of the targets that only the profiler needs: the gateway started like
 * cli/runtime/start-gateway.ts does (same bindings, D1, Durable Objects, queue: keep
 * the two in step; profile.ts refuses a variant that does not answer 200) but with a DevTools
 * inspector and, optionally, decision events sent to a no-op instead of the queue;
 * and the pass-through worker under bare `workerd serve`, without miniflare's
 * entry and outbound workers, to show what miniflare itself costs per request.
 */

/** A started variant: its URL, its workerd process, how to stop it. */
export interface Variant {
  url: string;
  pids: number[];
  /** The bundled worker, to map profile line numbers back to source modules. */
  bundlePath: string;
  /** DevTools WebSocket of the worker's isolate, when started with an inspector. */
  inspectorUrl?: string;
  close(): Promise<void>;
}

const NOOP_EVENTS = `export default function () {
  return { async send() {}, async sendBatch() {} };
}`;

/** Starts the gateway as `startGateway` does, plus an inspector; `noopEvents` replaces the EVENTS queue. */
export async function startGatewayVariant(
  configText: string,
  noopEvents: boolean,
): Promise<Variant> {
  const scriptPath = await bundleWorker("workers/gateway/index.ts");
  const started = await withNewWorkerd(async () => {
    const miniflare = new Miniflare({
      host: "127.0.0.1",
      port: 0,
      inspectorPort: 0,
      cf: false,
      log: new Log(LogLevel.WARN),
      workers: [
        {
          name: "gateway",
          modules: true,
          scriptPath,
          modulesRoot: path.dirname(scriptPath),
          compatibilityDate: "2026-08-01",
          unsafeDirectSockets: [{ host: "127.0.0.1", port: 0 }],
          bindings: {
            KEEPTRUSTS_POLICY_CONFIG: configText,
            KEEPTRUSTS_MAX_BODY_BYTES: String(1024 * 1024),
            KEEPTRUSTS_AUTH: "optional",
          },
          d1Databases: { DB: "keeptrusts" },
          durableObjects: { RATE_LIMITER: "RateLimiter" },
          ...(noopEvents
            ? { wrappedBindings: { EVENTS: { scriptName: "noop-events" } } }
            : {
                queueProducers: { EVENTS: { queueName: "keeptrusts-events" } },
                queueConsumers: { "keeptrusts-events": EVENTS_CONSUMER },
              }),
        },
        { name: "noop-events", modules: true, script: NOOP_EVENTS },
      ],
    });
    await miniflare.ready;
    const url = await miniflare.unsafeGetDirectURL("gateway");
    await applyMigrations(
      await miniflare.getD1Database("DB", "gateway"),
      path.join(ROOT, "d1-migrations"),
    );
    return { miniflare, url };
  });
  const { miniflare, url } = started.value;
  const inspector = await miniflare.getInspectorURL();
  return {
    url: url.href.replace(/\/$/, ""),
    pids: started.pids,
    bundlePath: scriptPath,
    inspectorUrl: new URL("/core:user:gateway", inspector).href,
    close: () => miniflare.dispose(),
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

const workerdBinary = (createRequire(import.meta.url)("workerd") as { default: string }).default;

/** Runs the pass-through worker under `workerd serve` with a plain config: no miniflare at all. */
export async function startBarePassThrough(upstream: string): Promise<Variant> {
  const scriptPath = await bundleWorker("bench/pass-through-worker.ts");
  const directory = path.dirname(scriptPath);
  const port = await freePort();
  const config = path.join(directory, "config.capnp");
  writeFileSync(
    config,
    `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "main", worker = (
      modules = [(name = "worker.js", esModule = embed "${path.basename(scriptPath)}")],
      compatibilityDate = "2026-08-01",
      bindings = [(name = "UPSTREAM_URL", text = ${JSON.stringify(upstream)})],
    )),
    (name = "internet", network = (allow = ["public", "private", "local"])),
  ],
  sockets = [(name = "http", address = "127.0.0.1:${port}", http = (), service = "main")],
);
`,
  );
  const child = spawn(workerdBinary, ["serve", config], { stdio: ["ignore", "ignore", "inherit"] });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      await fetch(`${url}/health`);
      break;
    } catch {
      if (Date.now() > deadline || child.exitCode !== null)
        throw new Error("bare workerd did not start");
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return {
    url,
    pids: child.pid ? [child.pid] : [],
    bundlePath: scriptPath,
    async close() {
      child.kill("SIGTERM");
    },
  };
}
