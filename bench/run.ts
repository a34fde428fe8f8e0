import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { format } from "prettier";
import { hasWrk, runLoad, type LoadTool } from "./load.ts";
import { cpuMs, rssMiB, totalCpuMs, waitForQuiet } from "./proc.ts";
import {
  renderReport,
  SCENARIOS,
  type MemoryRecord,
  type WholeRunRecord,
  type Measurement,
  type RunReport,
  type ScenarioId,
} from "./report.ts";
import { benchScanners, LINEARITY_LIMIT, superlinear, type ScannerRow } from "./scanner.ts";
import { codeVersion, miniflareVersion, writeResults } from "./results-file.ts";
import { renderScanners } from "./scanner-report.ts";
import { runStreamLoad } from "./stream-client.ts";
import {
  startTestbed,
  TARGET_NAMES,
  type Target,
  type TargetName,
  type Testbed,
} from "./targets.ts";
import { JSON_BODY, STREAM_BODY } from "./workload.ts";

/**
 * `npm run bench`: the fake provider direct, a pass-through worker, and the
 * gateway with its chain off and on, all on this machine, interleaved
 * rep → scenario → target so slow drifts of a shared machine hit every target
 * alike. See bench/RESULTS.md for the method and the last full run.
 */

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT_DIR = path.join(HERE, "..");
/** Time the queue consumer may still spend on a run's events after the run (batch timeout is 1 s). */
const SETTLE_MS = 1500;
const MAX_REQUESTS = 400_000;

const { values: flags } = parseArgs({
  options: {
    reps: { type: "string" },
    seconds: { type: "string" },
    "stream-seconds": { type: "string" },
    "warmup-seconds": { type: "string" },
    "scanner-ms": { type: "string" },
    tool: { type: "string" },
    quick: { type: "boolean", default: false },
    out: { type: "string" },
    only: { type: "string" },
    help: { type: "boolean", default: false },
  },
});

if (flags.help) {
  process.stdout.write(
    [
      "usage: node bench/run.ts [--quick] [--reps 5] [--seconds 8] [--stream-seconds 2]",
      "                         [--warmup-seconds 2] [--scanner-ms 1000] [--tool autocannon|wrk]",
      "                         [--out bench/RESULTS.md] [--only scanner]",
      "  --quick   1 rep of 1 s per scenario: a smoke run (writes bench/.tmp/results-quick.md)",
      "  --only scanner   just the policy-engine throughput table (no gateway started): printed,",
      "                   and written to bench/.tmp/scanner.md (or --out); --scanner-ms per cell",
      "",
    ].join("\n"),
  );
  process.exit(0);
}

const quick = flags.quick === true;
const number = (value: string | undefined, fallback: number) =>
  value === undefined ? fallback : Number(value);
const settings = {
  reps: number(flags.reps, quick ? 1 : 5),
  seconds: number(flags.seconds, quick ? 1 : 8),
  streamSeconds: number(flags["stream-seconds"], quick ? 1 : 2),
  warmupSeconds: number(flags["warmup-seconds"], quick ? 0.5 : 2),
  scannerMs: number(flags["scanner-ms"], quick ? 150 : 1000),
  tool: (flags.tool ?? "autocannon") as LoadTool,
};
if (settings.tool !== "autocannon" && settings.tool !== "wrk") {
  throw new Error(`--tool must be autocannon or wrk, not ${settings.tool}`);
}
if (settings.tool === "wrk" && !hasWrk()) throw new Error("--tool wrk: wrk is not installed");
if (flags.only !== undefined && flags.only !== "scanner")
  throw new Error(`--only takes scanner, not ${flags.only}`);
const outFile = flags.out ?? path.join(HERE, quick ? ".tmp/results-quick.md" : "RESULTS.md");

const log = (line: string) => process.stderr.write(`${line}\n`);

/** The bench's linearity check: a policy whose cost per byte grows with the size fails the run, loudly. */
function failIfNotLinear(rows: readonly ScannerRow[]): void {
  const bad = superlinear(rows);
  if (bad.length === 0) return;
  const names = bad.map((row) => `${row.subject} ${row.phase} (${row.linearity.toFixed(2)})`);
  log(
    `\nNOT LINEAR: time per byte at 1 MiB is over ${LINEARITY_LIMIT}× that at 16 KB for ${names.join(", ")}`,
  );
  process.exitCode = 1;
}

/** 2xx answers per target over the whole run (preflight, warm-up, reps): one decision event each. */
const expected = new Map<string, number>();
const countServed = (target: string, count: number) =>
  expected.set(target, (expected.get(target) ?? 0) + count);

function servedInReps(results: RunReport["results"], target: TargetName): number {
  let served = 0;
  for (const scenario of SCENARIOS)
    for (const measurement of results[scenario.id][target]) served += measurement.ok;
  return served;
}
const sleep = (milliseconds: number) =>
  new Promise<void>((resolve) => setTimeout(resolve, milliseconds));

/** Checks every target answers, and that the chain really redacts on the gateway. */
async function preflight(testbed: Testbed): Promise<void> {
  for (const target of testbed.targets) {
    const response = await fetch(`${target.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON_BODY,
    });
    const text = await response.text();
    if (response.status !== 200)
      throw new Error(`${target.name} answered ${response.status}: ${text}`);
    if (target.name === "gateway-on") {
      const verdict = response.headers.get("x-keeptrusts-verdict");
      if (verdict !== "redact" || !text.includes("[EMAIL]"))
        throw new Error(`gateway-on did not redact (verdict ${verdict}): ${text}`);
    }
    const stream = await runStreamLoad({
      url: `${target.url}/v1/chat/completions`,
      body: STREAM_BODY,
      connections: 1,
      seconds: 5,
      maxStreams: 1,
    });
    if (stream.ok !== 1) throw new Error(`${target.name} did not stream`);
    countServed(target.name, 2);
  }
}

async function measure(
  testbed: Testbed,
  target: Target,
  scenario: (typeof SCENARIOS)[number],
  seconds: number,
  pending: Promise<void>[],
): Promise<Measurement> {
  const url = `${target.url}/v1/chat/completions`;
  const workerdBefore = totalCpuMs(target.workerdPids);
  const providerBefore = cpuMs(testbed.providerPid);
  const clientBefore = process.cpuUsage();
  const measurement: Measurement = {
    ok: 0,
    failed: 0,
    requestsPerSecond: Number.NaN,
    p50: Number.NaN,
    p99: Number.NaN,
    ttftP50: Number.NaN,
    ttftP99: Number.NaN,
    totalP50: Number.NaN,
    workerdCpuPerRequest: Number.NaN,
    providerCpuPerRequest: Number.NaN,
    clientCpuPerRequest: Number.NaN,
  };
  const started = performance.now();
  if (scenario.stream) {
    const result = await runStreamLoad({
      url,
      body: STREAM_BODY,
      connections: scenario.connections,
      seconds,
      maxStreams: MAX_REQUESTS,
    });
    Object.assign(measurement, {
      ok: result.ok,
      failed: result.failed,
      requestsPerSecond: result.ok / ((performance.now() - started) / 1000),
      ttftP50: result.ttftP50,
      ttftP99: result.ttftP99,
      totalP50: result.totalP50,
    });
  } else {
    const result = await runLoad(settings.tool, {
      url,
      body: JSON_BODY,
      connections: scenario.connections,
      seconds,
      maxRequests: MAX_REQUESTS,
    });
    Object.assign(measurement, {
      ok: result.ok,
      failed: result.failed,
      requestsPerSecond: result.requestsPerSecond,
      p50: result.p50,
      p99: result.p99,
    });
  }
  countServed(target.name, measurement.ok);
  const requests = Math.max(1, measurement.ok);
  const client = process.cpuUsage(clientBefore);
  measurement.clientCpuPerRequest = (client.user + client.system) / 1000 / requests;
  measurement.providerCpuPerRequest = (cpuMs(testbed.providerPid) - providerBefore) / requests;
  // The gateway's queue consumer may still be writing this run's events: read its CPU a
  // little later, while the next target (another process) is already under load.
  pending.push(
    sleep(target.workerdPids.length > 0 ? SETTLE_MS : 0).then(() => {
      measurement.workerdCpuPerRequest =
        (totalCpuMs(target.workerdPids) - workerdBefore) / requests;
    }),
  );
  return measurement;
}

function emptyResults(): RunReport["results"] {
  const results = {} as RunReport["results"];
  for (const scenario of SCENARIOS) {
    results[scenario.id] = {} as RunReport["results"][ScenarioId];
    for (const target of TARGET_NAMES) results[scenario.id][target] = [];
  }
  return results;
}

function describe(line: Measurement, stream: boolean): string {
  const failed = line.failed > 0 ? ` FAILED ${line.failed}` : "";
  if (stream)
    return `${line.ok} streams, TTFT p50 ${line.ttftP50.toFixed(2)} ms, total p50 ${line.totalP50.toFixed(1)} ms${failed}`;
  return `${line.requestsPerSecond.toFixed(0)} req/s, p50 ${line.p50.toFixed(3)} ms, p99 ${line.p99.toFixed(3)} ms${failed}`;
}

async function main(): Promise<void> {
  const began = performance.now();
  log(`starting the fake provider and 3 workerd targets…`);
  const testbed = await startTestbed();
  // Ctrl-C ends what this run started (the workerd children and the fake provider) first.
  for (const signal of ["SIGINT", "SIGTERM"] as const)
    process.once(signal, () => void testbed.close().finally(() => process.exit(130)));
  const memory: MemoryRecord[] = [];
  const sampler = { timer: undefined as ReturnType<typeof setInterval> | undefined };
  try {
    await preflight(testbed);
    const workers = testbed.targets.filter((target) => target.workerdPids.length > 0);
    const rss = (target: Target) => target.workerdPids.reduce((sum, pid) => sum + rssMiB(pid), 0);
    for (const target of workers) {
      const idle = rss(target);
      memory.push({
        target: target.name,
        idle,
        afterWarmup: idle,
        peak: idle,
        end: idle,
      });
    }
    sampler.timer = setInterval(() => {
      workers.forEach((target, index) => {
        const record = memory[index];
        if (record) record.peak = Math.max(record.peak, rss(target));
      });
    }, 250);

    log(`warm-up: ${settings.warmupSeconds} s per target, non-streamed and streamed at c=32`);
    for (const scenario of SCENARIOS.filter((candidate) => candidate.connections > 1))
      for (const target of testbed.targets)
        await measure(testbed, target, scenario, settings.warmupSeconds, []);
    await waitForQuiet(workers.flatMap((target) => target.workerdPids));
    workers.forEach((target, index) => {
      const record = memory[index];
      if (record) record.afterWarmup = rss(target);
    });
    const cpuAtStart = new Map(
      workers.map((target) => [target.name, totalCpuMs(target.workerdPids)]),
    );

    const results = emptyResults();
    for (let rep = 0; rep < settings.reps; rep += 1) {
      const pending: Promise<void>[] = [];
      for (const scenario of SCENARIOS) {
        // Rotate the target order every rep, so no target always runs first or last.
        const order = testbed.targets.map(
          (_, index) => testbed.targets[(index + rep) % testbed.targets.length] as Target,
        );
        for (const target of order) {
          const seconds = scenario.stream ? settings.streamSeconds : settings.seconds;
          const measurement = await measure(testbed, target, scenario, seconds, pending);
          results[scenario.id][target.name][rep] = measurement;
          log(
            `rep ${rep + 1}/${settings.reps} ${scenario.id.padEnd(10)} ${target.name.padEnd(12)} ${describe(measurement, scenario.stream)}`,
          );
        }
      }
      await Promise.all(pending);
    }
    // What the gateways still owe once the load stops: decision events not yet in D1.
    const storedAtEndOfLoad = new Map<string, number>();
    for (const target of workers)
      if (target.countEvents) storedAtEndOfLoad.set(target.name, await target.countEvents());
    const drainMs = await waitForQuiet(workers.flatMap((target) => target.workerdPids));
    clearInterval(sampler.timer);
    workers.forEach((target, index) => {
      const record = memory[index];
      if (record) record.end = rss(target);
    });
    const wholeRun: WholeRunRecord[] = [];
    for (const target of workers) {
      const served = servedInReps(results, target.name);
      const stored = target.countEvents ? await target.countEvents() : Number.NaN;
      wholeRun.push({
        target: target.name,
        requests: served,
        cpuPerRequest:
          (totalCpuMs(target.workerdPids) - (cpuAtStart.get(target.name) ?? 0)) / served,
        eventsBehindAtEndOfLoad: stored - (storedAtEndOfLoad.get(target.name) ?? Number.NaN),
        eventsStored: stored,
        eventsExpected: target.countEvents ? (expected.get(target.name) ?? 0) : Number.NaN,
        drainSeconds: target.countEvents ? drainMs / 1000 : Number.NaN,
      });
    }

    log(`policy engine throughput (${settings.scannerMs} ms per policy, phase and size)…`);
    const scanners = benchScanners(settings.scannerMs, log);
    const minutes = (performance.now() - began) / 60_000;
    const cpu = cpus()[0]?.model ?? "unknown CPU";
    const report: RunReport = {
      header: {
        date: new Date().toISOString(),
        machine: `${cpus().length} cores (${cpu}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, shared by load tool, fake provider and targets`,
        Node: process.version,
        code: codeVersion(ROOT_DIR),
        runtime: `workerd through miniflare ${miniflareVersion(ROOT_DIR)} (no dev proxy, no inspector)`,
        "load tool": `${settings.tool} (c=1 and c=32 non-streamed); bench/stream-client.ts (streams, TTFT)`,
        settings: `${settings.reps} reps × 4 scenarios × 4 targets; ${settings.seconds} s per non-streamed run, ${settings.streamSeconds} s per streamed run; ${settings.warmupSeconds} s warm-up per target at c=32 (streamed and not); policy engine ${settings.scannerMs} ms per cell`,
        command: `node bench/run.ts ${process.argv.slice(2).join(" ")}`.trim(),
        "wall time": `${minutes.toFixed(1)} min`,
      },
      results,
      memory,
      wholeRun,
      scanners,
    };
    const markdown = renderReport(report);
    process.stdout.write(`\n${markdown}\n`);
    await writeResults(outFile, markdown);
    mkdirSync(path.join(HERE, ".tmp"), { recursive: true });
    writeFileSync(
      path.join(HERE, ".tmp", quick ? "last-run-quick.json" : "last-run.json"),
      JSON.stringify(report, null, 2),
    );
    log(`written to ${path.relative(process.cwd(), outFile)}`);
    failIfNotLinear(scanners);
  } finally {
    clearInterval(sampler.timer);
    await testbed.close();
  }
}

/** `--only scanner`: the policy-engine throughput alone, in this process, without the testbed. */
async function scannerOnly(): Promise<void> {
  log(`policy engine throughput (${settings.scannerMs} ms per policy, phase and size)…`);
  const rows = benchScanners(settings.scannerMs, log);
  const text = [
    `- date: ${new Date().toISOString()}`,
    `- machine: ${cpus().length} cores (${cpus()[0]?.model ?? "unknown CPU"}), Node ${process.version}`,
    `- code: ${codeVersion(ROOT_DIR)}`,
    `- command: node bench/run.ts ${process.argv.slice(2).join(" ")}`,
    "",
    renderScanners(rows),
  ].join("\n");
  const markdown = (await format(text, { parser: "markdown" })).trimEnd();
  process.stdout.write(`\n${markdown}\n`);
  const file = flags.out ?? path.join(HERE, ".tmp", "scanner.md");
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `# Policy engine throughput\n\n${markdown}\n`);
  log(`written to ${path.relative(process.cwd(), file)}`);
  failIfNotLinear(rows);
}

if (flags.only === "scanner") {
  await scannerOnly();
} else {
  await main();

  // The wallet step (issue 6): holds + settles per second through one LedgerDO, and what it adds to a request.
  const ledgerArgs = flags.quick ? ["--pairs", "400", "--requests", "50", "--reps", "1"] : [];
  const ledger = spawnSync(
    process.execPath,
    [path.join(path.dirname(fileURLToPath(import.meta.url)), "ledger.ts"), ...ledgerArgs],
    { stdio: "inherit" },
  );
  if (ledger.status !== 0) process.exitCode = ledger.status ?? 1;
}
