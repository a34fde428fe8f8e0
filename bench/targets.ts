import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { Log, LogLevel, Miniflare } from "miniflare";
import { bundleWorker } from "../cli/runtime/bundle-gateway.ts";
import { startGateway } from "../cli/runtime/start-gateway.ts";
import { withNewWorkerd } from "./proc.ts";
import { chainOffConfig, chainOnConfig } from "./workload.ts";

/** The names of the targets, in the order the report lists them. */
export const TARGET_NAMES = ["direct", "pass-through", "gateway-off", "gateway-on"] as const;
/** One of {@link TARGET_NAMES}. */
export type TargetName = (typeof TARGET_NAMES)[number];

/** One thing the load is sent to, with the processes whose CPU and memory it costs. */
export interface Target {
  name: TargetName;
  /** Base URL (no trailing slash). */
  url: string;
  /** The workerd process of this target (none for `direct`). */
  workerdPids: number[];
  /** Gateways: how many decision events have reached D1 so far. */
  countEvents?: () => Promise<number>;
}

/** Everything a run started, and how to stop it. */
export interface Testbed {
  targets: Target[];
  providerPid: number;
  providerUrl: string;
  close(): Promise<void>;
}

const HERE = path.dirname(fileURLToPath(import.meta.url));

/** Starts bench/fake-provider.ts as its own Node process, so its CPU is measured apart. */
export async function spawnFakeProvider(): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, [path.join(HERE, "fake-provider.ts"), "--port", "0"], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the fake provider did not start")), 15_000);
    child.once("exit", (code) => reject(new Error(`the fake provider exited (${code})`)));
    lines.once("line", (line) => {
      clearTimeout(timer);
      resolve((JSON.parse(line) as { port: number }).port);
    });
  });
  lines.close();
  return { child, port };
}

/** Runs the pass-through worker under miniflare, exactly as the gateway runs (through a direct socket). */
export function startPassThrough(upstream: string): Promise<Miniflare> {
  return startBenchWorker("bench/pass-through-worker.ts", { UPSTREAM_URL: upstream });
}

/** A bench worker (`entry`, relative to the repository) under miniflare, served like the gateway. */
export async function startBenchWorker(
  entry: string,
  bindings: Record<string, string>,
): Promise<Miniflare> {
  const scriptPath = await bundleWorker(entry);
  const miniflare = new Miniflare({
    modules: true,
    scriptPath,
    modulesRoot: path.dirname(scriptPath),
    compatibilityDate: "2026-08-01",
    cf: false,
    host: "127.0.0.1",
    port: 0,
    unsafeDirectSockets: [{ host: "127.0.0.1", port: 0 }],
    log: new Log(LogLevel.WARN),
    bindings,
  });
  await miniflare.ready;
  return miniflare;
}

const base = (url: URL): string => url.href.replace(/\/$/, "");

/**
 * Starts the fake provider (its own Node process) and the three workerd targets
 * (pass-through, gateway with the chain off, gateway with the chain on), each in
 * its own miniflare instance so each has its own workerd process to measure.
 */
export async function startTestbed(): Promise<Testbed> {
  const provider = await spawnFakeProvider();
  const providerUrl = `http://127.0.0.1:${provider.port}`;
  const closers: Array<() => Promise<void>> = [];
  try {
    const passThrough = await withNewWorkerd(() => startPassThrough(providerUrl));
    closers.push(() => passThrough.value.dispose());
    const gateways: Target[] = [];
    for (const [name, configText] of [
      ["gateway-off", chainOffConfig(providerUrl)],
      ["gateway-on", chainOnConfig(providerUrl)],
    ] as const) {
      const running = await withNewWorkerd(() =>
        startGateway({
          host: "127.0.0.1",
          port: 0,
          configText,
          persistTo: false,
          environment: {},
        }),
      );
      closers.push(() => running.value.close());
      const database = await running.value.miniflare.getD1Database("DB");
      gateways.push({
        name,
        url: base(running.value.url),
        workerdPids: running.pids,
        async countEvents() {
          const row = await database
            .prepare("SELECT count(*) AS n FROM decision_events")
            .first<{ n: number }>();
          return row?.n ?? Number.NaN;
        },
      });
    }
    const passThroughUrl = base(await passThrough.value.unsafeGetDirectURL());
    return {
      targets: [
        { name: "direct", url: providerUrl, workerdPids: [] },
        { name: "pass-through", url: passThroughUrl, workerdPids: passThrough.pids },
        ...gateways,
      ],
      providerPid: provider.child.pid ?? 0,
      providerUrl,
      async close() {
        await Promise.allSettled(closers.map((close) => close()));
        provider.child.kill("SIGTERM");
      },
    };
  } catch (error) {
    await Promise.allSettled(closers.map((close) => close()));
    provider.child.kill("SIGTERM");
    throw error;
  }
}
