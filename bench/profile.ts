import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Miniflare } from "miniflare";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { profileIsolate, summarizeProfile, type ProfileRow } from "./inspector.ts";
import { runLoad } from "./load.ts";
import { benchPieces } from "./micro.ts";
import { rssMiB, totalCpuMs, withNewWorkerd } from "./proc.ts";
import { fixed } from "./stats.ts";
import { runStreamLoad } from "./stream-client.ts";
import { spawnFakeProvider, startBenchWorker, startPassThrough } from "./targets.ts";
import { startBarePassThrough, startGatewayVariant, type Variant } from "./variants.ts";
import { chainOffConfig, chainOnConfig, JSON_BODY, STREAM_BODY } from "./workload.ts";

/**
 * `node bench/profile.ts`: where a gateway request's time goes. Not part of the
 * headline run (the variants run one after the other, not interleaved): it
 * (1) splits the per-request CPU of workerd between miniflare's own workers,
 * the decision-event queue and the gateway code, by starting variants that lack
 * one of them; (2) records a DevTools CPU profile of the gateway isolate under
 * load, summarised per source module and function; (3) times the pure pieces in
 * Node. Writes bench/.tmp/profile.md.
 */

const HERE = path.dirname(fileURLToPath(import.meta.url));
const { values: flags } = parseArgs({
  options: {
    seconds: { type: "string" },
    quick: { type: "boolean", default: false },
    "variants-only": { type: "boolean", default: false },
  },
});
const seconds = Number(flags.seconds ?? (flags.quick ? 1 : 5));
const log = (line: string) => process.stderr.write(`${line}\n`);

interface VariantFigures {
  name: string;
  requestsPerSecond: number;
  cpuPerRequest: number;
  p50: number;
  p99: number;
  streamCpuPerRequest: number;
  rssIdle: number;
  rssAfter: number;
}

async function measureVariant(
  name: string,
  variant: Variant,
  streams = true,
): Promise<VariantFigures> {
  const url = `${variant.url}/v1/chat/completions`;
  const rss = () => variant.pids.reduce((sum, pid) => sum + rssMiB(pid), 0);
  const rssIdle = rss();
  const check = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON_BODY,
  });
  if (check.status !== 200)
    throw new Error(`${name} answered ${check.status}: ${(await check.text()).slice(0, 300)}`);
  await check.body?.cancel();
  const load = (connections: number, duration: number) =>
    runLoad("autocannon", {
      url,
      body: JSON_BODY,
      connections,
      seconds: duration,
      maxRequests: 400_000,
    });
  await load(32, Math.min(2, seconds));
  let before = totalCpuMs(variant.pids);
  const c32 = await load(32, seconds);
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const cpuPerRequest = (totalCpuMs(variant.pids) - before) / Math.max(1, c32.ok);
  const c1 = await load(1, seconds);
  let streamCpuPerRequest = Number.NaN;
  if (streams) {
    before = totalCpuMs(variant.pids);
    const stream = await runStreamLoad({
      url,
      body: STREAM_BODY,
      connections: 32,
      seconds,
      maxStreams: 400_000,
    });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    streamCpuPerRequest = (totalCpuMs(variant.pids) - before) / Math.max(1, stream.ok);
  }
  const figures = {
    name,
    requestsPerSecond: c32.requestsPerSecond,
    cpuPerRequest,
    p50: c1.p50,
    p99: c1.p99,
    streamCpuPerRequest,
    rssIdle,
    rssAfter: rss(),
  };
  log(
    `${name}: ${fixed(figures.requestsPerSecond, 0)} req/s, ${fixed(cpuPerRequest, 3)} ms CPU/req, p50 c=1 ${fixed(c1.p50, 3)} ms, ${fixed(streamCpuPerRequest, 3)} ms CPU/stream`,
  );
  return figures;
}

function rowsTable(rows: ProfileRow[], key: "selfPercent" | "totalPercent", limit: number) {
  const sorted = [...rows].sort((a, b) => b[key] - a[key]).slice(0, limit);
  return [
    "| function | module | self % | total % |",
    "| --- | --- | --- | --- |",
    ...sorted.map(
      (row) =>
        `| ${row.name || "–"} | ${row.module || "–"} | ${fixed(row.selfPercent, 1)} | ${fixed(row.totalPercent, 1)} |`,
    ),
  ].join("\n");
}

async function profileUnderLoad(variant: Variant, stream: boolean): Promise<string> {
  if (!variant.inspectorUrl) throw new Error("variant has no inspector");
  const url = `${variant.url}/v1/chat/completions`;
  const drive = async () => {
    if (stream)
      await runStreamLoad({
        url,
        body: STREAM_BODY,
        connections: 32,
        seconds,
        maxStreams: 400_000,
      });
    else
      await runLoad("autocannon", {
        url,
        body: JSON_BODY,
        connections: 32,
        seconds,
        maxRequests: 400_000,
      });
    // Let the queue consumer write the last batches while still profiling.
    await new Promise((resolve) => setTimeout(resolve, 1500));
  };
  const profile = await profileIsolate(variant.inspectorUrl, drive);
  const summary = summarizeProfile(profile, variant.bundlePath);
  const modules = [...summary.byModule].sort((a, b) => b.totalPercent - a.totalPercent);
  return [
    `${fixed(summary.busyMs, 0)} ms of non-idle samples in the gateway isolate.`,
    "",
    "By source module (total % = samples with the module anywhere on the stack):",
    "",
    "| module | self % | total % |",
    "| --- | --- | --- |",
    ...modules
      .slice(0, 20)
      .map(
        (row) =>
          `| ${row.module || "–"} | ${fixed(row.selfPercent, 1)} | ${fixed(row.totalPercent, 1)} |`,
      ),
    "",
    "Top functions by inclusive time:",
    "",
    rowsTable(summary.byFunction, "totalPercent", 30),
    "",
    "Top functions by self time:",
    "",
    rowsTable(summary.byFunction, "selfPercent", 20),
  ].join("\n");
}

async function main(): Promise<void> {
  const provider = await spawnFakeProvider();
  const upstream = `http://127.0.0.1:${provider.port}`;
  const started: Variant[] = [];
  const sections: string[] = [`# Gateway profile (${new Date().toISOString()})`, ""];
  try {
    const figures: VariantFigures[] = [];
    const run = async (name: string, start: () => Promise<Variant>, streams = true) => {
      const variant = await start();
      started.push(variant);
      figures.push(await measureVariant(name, variant, streams));
      await variant.close();
    };
    const miniflared = async (start: () => Promise<Miniflare>): Promise<Variant> => {
      const { value, pids } = await withNewWorkerd(start);
      const url = (await value.unsafeGetDirectURL()).href.replace(/\/$/, "");
      return { url, pids, bundlePath: "", close: () => value.dispose() };
    };
    await run("pass-through, bare workerd serve", () => startBarePassThrough(upstream));
    await run("pass-through, miniflare (direct socket)", () =>
      miniflared(() => startPassThrough(upstream)),
    );
    // The floor of any gateway that governs: the pass-through plus parsing both bodies and
    // running the chain-on policies, nothing else (bench/chain-floor-worker.ts; no streams).
    await run(
      "chain floor: pass-through + parse + chain on, miniflare",
      () =>
        miniflared(() =>
          startBenchWorker("bench/chain-floor-worker.ts", {
            UPSTREAM_URL: upstream,
            KEEPTRUSTS_POLICY_CONFIG: chainOnConfig(upstream),
          }),
        ),
      false,
    );
    for (const [label, config] of [
      ["gateway chain off", chainOffConfig(upstream)],
      ["gateway chain on", chainOnConfig(upstream)],
    ] as const) {
      await run(`${label}, events to the queue`, () => startGatewayVariant(config, false));
      await run(`${label}, events to a no-op`, () => startGatewayVariant(config, true));
    }
    sections.push(
      "## Per-request CPU of workerd by variant (sequential, one rep: a diagnosis, not a result)",
      "",
      "| variant | req/s c=32 | workerd CPU ms/req | p50 / p99 c=1 ms | workerd CPU ms/stream (c=32) | RSS idle → after MiB |",
      "| --- | --- | --- | --- | --- | --- |",
      ...figures.map(
        (row) =>
          `| ${row.name} | ${fixed(row.requestsPerSecond, 0)} | ${fixed(row.cpuPerRequest, 3)} | ${fixed(row.p50, 3)} / ${fixed(row.p99, 2)} | ${fixed(row.streamCpuPerRequest, 3)} | ${fixed(row.rssIdle, 0)} → ${fixed(row.rssAfter, 0)} |`,
      ),
      "",
    );

    if (flags["variants-only"]) {
      process.stdout.write(`${sections.join("\n")}\n`);
      return;
    }
    const gateway = await startGatewayVariant(chainOnConfig(upstream), false);
    started.push(gateway);
    log("profiling the gateway (chain on), non-streamed c=32…");
    sections.push(
      "## CPU profile: gateway chain on, non-streamed, c=32",
      "",
      await profileUnderLoad(gateway, false),
      "",
    );
    log("profiling the gateway (chain on), streamed c=32…");
    sections.push(
      "## CPU profile: gateway chain on, streamed, c=32",
      "",
      await profileUnderLoad(gateway, true),
      "",
    );
    await gateway.close();

    log("timing the pure pieces in Node…");
    sections.push(
      "## Pure pieces of one request, timed in Node",
      "",
      "| piece | where | µs per request |",
      "| --- | --- | --- |",
      ...benchPieces(flags.quick ? 100 : 500).map(
        (row) => `| ${row.piece} | ${row.where} | ${fixed(row.microseconds, 1)} |`,
      ),
      "",
    );
    const markdown = sections.join("\n");
    mkdirSync(path.join(HERE, ".tmp"), { recursive: true });
    writeFileSync(path.join(HERE, ".tmp", "profile.md"), markdown);
    process.stdout.write(`${markdown}\n`);
  } finally {
    await Promise.allSettled(started.map((variant) => variant.close()));
    provider.child.kill("SIGTERM");
  }
}

await main();
