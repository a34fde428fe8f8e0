import { createServer } from "node:net";
import path from "node:path";
import { Log, LogLevel, Miniflare } from "miniflare";
import { bundleWorker, ROOT } from "./bundle-gateway.ts";
import { applyMigrations } from "./migrations.ts";

/** How to run the control worker on this machine. */
export interface ControlRunOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** Where local D1 state lives (the gateway's folder, to share its database); `false` keeps it in memory. */
  persistTo: string | false;
  /** KEEPTRUSTS_PUBLIC_URL, used in invite links; defaults to the address it listens on. */
  publicUrl?: string;
  /** Signs session tokens; a random one (sessions end with the process) when absent. */
  sessionSecret?: string;
  /** Lets `kt init --bootstrap-token` create an org while others exist. */
  bootstrapToken?: string;
}

/** A running control worker. */
export interface RunningControl {
  url: URL;
  miniflare: Miniflare;
  close(): Promise<void>;
}

/** A port nobody listens on right now, so the public URL can name it before the worker starts. */
function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function randomSecret(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64url");
}

/**
 * Runs the control worker (the `/v1` API of `kt`, the console and managed
 * gateways) under workerd through miniflare, with migrations applied: the same
 * code `wrangler deploy` ships. Used by `npm start` and the CLI's tests.
 */
export async function startControl(options: ControlRunOptions): Promise<RunningControl> {
  const scriptPath = await bundleWorker("workers/control/index.ts");
  const port = options.port === 0 ? await freePort(options.host) : options.port;
  const host = options.host.includes(":") ? `[${options.host}]` : options.host;
  const miniflare = new Miniflare({
    modules: true,
    scriptPath,
    modulesRoot: path.dirname(scriptPath),
    compatibilityDate: "2026-08-01",
    cf: false,
    host: options.host,
    port,
    log: new Log(LogLevel.WARN),
    bindings: {
      KEEPTRUSTS_PUBLIC_URL: options.publicUrl ?? `http://${host}:${port}`,
      KEEPTRUSTS_SESSION_SECRET: options.sessionSecret ?? randomSecret(),
      ...(options.bootstrapToken ? { KEEPTRUSTS_BOOTSTRAP_TOKEN: options.bootstrapToken } : {}),
    },
    d1Databases: { DB: "keeptrusts" },
    ...(options.persistTo ? { d1Persist: path.join(options.persistTo, "d1") } : {}),
  });
  let url: URL;
  try {
    url = await miniflare.ready;
    await applyMigrations(await miniflare.getD1Database("DB"), path.join(ROOT, "d1-migrations"));
  } catch (error) {
    await miniflare.dispose().catch(() => undefined);
    throw error;
  }
  return { url, miniflare, close: () => miniflare.dispose() };
}
