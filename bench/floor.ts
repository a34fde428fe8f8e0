import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import type { Miniflare } from "miniflare";
import { startGateway } from "../cli/runtime/start-gateway.ts";
import { runLoad } from "./load.ts";
import { totalCpuMs, withNewWorkerd } from "./proc.ts";
import { fixed, formatSpread, pairedRatios, spread } from "./stats.ts";
import { spawnFakeProvider, startBenchWorker, startPassThrough } from "./targets.ts";
import { chainOnConfig, JSON_BODY } from "./workload.ts";

/**
 * `node bench/floor.ts`: can any governing gateway keep 80 % of the
 * pass-through's throughput here? Three targets, interleaved rep → target like
 * the headline run, non-streamed at c=32: the pass-through; the **chain floor**
 * (bench/chain-floor-worker.ts: the pass-through plus parsing both bodies and the
 * chain-on policies, nothing else); and the gateway with the chain on, as
 * `kt gateway run` serves it. Writes bench/.tmp/floor.md.
 */

const HERE = path.dirname(fileURLToPath(import.meta.url));
const { values: flags } = parseArgs({
  options: {
    reps: { type: "string", default: "5" },
    seconds: { type: "string", default: "8" },
  },
});
const reps = Number(flags.reps);
const seconds = Number(flags.seconds);
/** The gateway's queue consumer stores a run's last events within ~1 s of its end. */
const SETTLE_MS = 1500;
const log = (line: string) => process.stderr.write(`${line}\n`);

interface FloorTarget {
  name: string;
  url: string;
  pids: number[];
  close(): Promise<void>;
}

async function miniflareTarget(
  name: string,
  start: () => Promise<Miniflare>,
): Promise<FloorTarget> {
  const { value, pids } = await withNewWorkerd(start);
  const url = (await value.unsafeGetDirectURL()).href.replace(/\/$/, "");
  return { name, url, pids, close: () => value.dispose() };
}

async function main(): Promise<void> {
  const provider = await spawnFakeProvider();
  const upstream = `http://127.0.0.1:${provider.port}`;
  const targets: FloorTarget[] = [];
  try {
    targets.push(await miniflareTarget("pass-through", () => startPassThrough(upstream)));
    targets.push(
      await miniflareTarget("chain floor", () =>
        startBenchWorker("bench/chain-floor-worker.ts", {
          UPSTREAM_URL: upstream,
          KEEPTRUSTS_POLICY_CONFIG: chainOnConfig(upstream),
        }),
      ),
    );
    const gateway = await withNewWorkerd(() =>
      startGateway({
        host: "127.0.0.1",
        port: 0,
        configText: chainOnConfig(upstream),
        persistTo: false,
        environment: {},
      }),
    );
    targets.push({
      name: "gateway-on",
      url: gateway.value.url.href.replace(/\/$/, ""),
      pids: gateway.pids,
      close: () => gateway.value.close(),
    });
    const load = (target: FloorTarget, duration: number) =>
      runLoad("autocannon", {
        url: `${target.url}/v1/chat/completions`,
        body: JSON_BODY,
        connections: 32,
        seconds: duration,
        maxRequests: 400_000,
      });
    for (const target of targets) await load(target, 2);
    const rates = new Map(targets.map((target) => [target.name, [] as number[]]));
    const cpu = new Map(targets.map((target) => [target.name, [] as number[]]));
    for (let rep = 0; rep < reps; rep++) {
      for (let index = 0; index < targets.length; index++) {
        const target = targets[(index + rep) % targets.length] as FloorTarget;
        const before = totalCpuMs(target.pids);
        const result = await load(target, seconds);
        await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
        if (result.failed > 0) throw new Error(`${target.name}: ${result.failed} failed`);
        rates.get(target.name)?.push(result.requestsPerSecond);
        cpu.get(target.name)?.push((totalCpuMs(target.pids) - before) / result.ok);
        log(
          `rep ${rep + 1}/${reps} ${target.name.padEnd(12)} ${fixed(result.requestsPerSecond, 0)} req/s`,
        );
      }
    }
    const base = rates.get("pass-through") ?? [];
    const baseCpu = spread(cpu.get("pass-through") ?? []).median;
    const rows = targets.map((target) => {
      const cpuMedian = spread(cpu.get(target.name) ?? []).median;
      return `| ${target.name} | ${formatSpread(spread(rates.get(target.name) ?? []), 0)} | ${formatSpread(spread(pairedRatios(rates.get(target.name) ?? [], base)), 3)} | ${fixed(cpuMedian, 3)} | ${fixed(cpuMedian / baseCpu, 2)} |`;
    });
    const markdown = [
      `# Chain floor (${new Date().toISOString()}, ${reps} reps × ${seconds} s, non-streamed c=32)`,
      "",
      "| target | req/s | ÷ pass-through (paired) | workerd CPU ms/req | CPU ÷ pass-through |",
      "| --- | --- | --- | --- | --- |",
      ...rows,
      "",
    ].join("\n");
    mkdirSync(path.join(HERE, ".tmp"), { recursive: true });
    writeFileSync(path.join(HERE, ".tmp", "floor.md"), markdown);
    process.stdout.write(markdown);
  } finally {
    await Promise.allSettled(targets.map((target) => target.close()));
    provider.child.kill("SIGTERM");
  }
}

await main();
