import type { ScannerRow } from "./scanner.ts";
import { renderScanners } from "./scanner-report.ts";
import {
  fixed,
  formatSpread,
  median,
  pairedDeltas,
  pairedRatios,
  spread,
  type Spread,
} from "./stats.ts";
import { TARGET_NAMES, type TargetName } from "./targets.ts";

/** The four scenarios of every rep. */
export const SCENARIOS = [
  { id: "json-c1", stream: false, connections: 1 },
  { id: "json-c32", stream: false, connections: 32 },
  { id: "stream-c1", stream: true, connections: 1 },
  { id: "stream-c32", stream: true, connections: 32 },
] as const;
/** One of the {@link SCENARIOS} ids. */
export type ScenarioId = (typeof SCENARIOS)[number]["id"];

/** One (rep, scenario, target) measurement. Times in ms, CPU in ms per request. */
export interface Measurement {
  ok: number;
  failed: number;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  ttftP50: number;
  ttftP99: number;
  totalP50: number;
  workerdCpuPerRequest: number;
  providerCpuPerRequest: number;
  clientCpuPerRequest: number;
}

/** Memory of one workerd process over the run, in MiB. */
export interface MemoryRecord {
  target: TargetName;
  idle: number;
  afterWarmup: number;
  peak: number;
  end: number;
}

/** One workerd target over the whole run, after its deferred work has drained. */
export interface WholeRunRecord {
  target: TargetName;
  /** 2xx answers in the reps (all four scenarios). */
  requests: number;
  /** workerd CPU from the end of the warm-up to the end of the drain ÷ requests. */
  cpuPerRequest: number;
  /** Gateways: decision events written to D1 only after the last rep ended (the backlog). */
  eventsBehindAtEndOfLoad: number;
  eventsStored: number;
  /**
   * 2xx answers the clients counted over the whole run, preflight and warm-up included. Requests
   * still in flight when a run stops are served (and recorded) but not counted, so stored may
   * exceed this by up to 33 per rep.
   */
  eventsExpected: number;
  drainSeconds: number;
}

/** Everything one run measured, plus how it was run. */
export interface RunReport {
  header: Record<string, string>;
  /** results[scenario][target][rep] */
  results: Record<ScenarioId, Record<TargetName, Measurement[]>>;
  memory: MemoryRecord[];
  wholeRun: WholeRunRecord[];
  /** Policy-engine throughput: each content-scanning policy alone, then the whole chain. */
  scanners: ScannerRow[];
}

type Field = keyof Measurement;

const series = (report: RunReport, scenario: ScenarioId, target: TargetName, field: Field) =>
  report.results[scenario][target].map((measurement) => measurement[field]);

function deltaVsDirect(report: RunReport, scenario: ScenarioId, target: TargetName, field: Field) {
  return spread(
    pairedDeltas(
      series(report, scenario, target, field),
      series(report, scenario, "direct", field),
    ),
  );
}

function table(head: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  return [line(head), line(head.map(() => "---")), ...rows.map(line)].join("\n");
}

/** The headline figures, for the verdict against the targets. */
export function headline(report: RunReport): { addedP50: Spread; throughputRatio: Spread } {
  return {
    addedP50: deltaVsDirect(report, "json-c1", "gateway-on", "p50"),
    throughputRatio: spread(
      pairedRatios(
        series(report, "json-c32", "gateway-on", "requestsPerSecond"),
        series(report, "json-c32", "pass-through", "requestsPerSecond"),
      ),
    ),
  };
}

function latencySection(report: RunReport): string {
  const rows = TARGET_NAMES.map((target) => {
    const isDirect = target === "direct";
    return [
      target,
      formatSpread(spread(series(report, "json-c1", target, "p50")), 3),
      formatSpread(spread(series(report, "json-c1", target, "p99")), 3),
      isDirect ? "–" : formatSpread(deltaVsDirect(report, "json-c1", target, "p50"), 3),
      isDirect ? "–" : formatSpread(deltaVsDirect(report, "json-c1", target, "p99"), 3),
    ];
  });
  return table(
    ["target", "p50 ms", "p99 ms", "added p50 ms (paired)", "added p99 ms (paired)"],
    rows,
  );
}

function throughputSection(report: RunReport): string {
  const rows = TARGET_NAMES.map((target) => [
    target,
    formatSpread(spread(series(report, "json-c32", target, "requestsPerSecond")), 0),
    formatSpread(
      spread(
        pairedRatios(
          series(report, "json-c32", target, "requestsPerSecond"),
          series(report, "json-c32", "pass-through", "requestsPerSecond"),
        ),
      ),
      3,
    ),
    formatSpread(spread(series(report, "json-c32", target, "p50")), 2),
    formatSpread(spread(series(report, "json-c32", target, "p99")), 2),
  ]);
  return table(["target", "req/s", "÷ pass-through (paired)", "p50 ms", "p99 ms"], rows);
}

function cpuSection(report: RunReport): string {
  const rows = TARGET_NAMES.flatMap((target) =>
    (["json-c32", "stream-c32"] as const).map((scenario) => {
      const workerd = median(series(report, scenario, target, "workerdCpuPerRequest"));
      const provider = median(series(report, scenario, target, "providerCpuPerRequest"));
      const client = median(series(report, scenario, target, "clientCpuPerRequest"));
      return [
        target,
        scenario,
        target === "direct" ? "–" : fixed(workerd, 3),
        fixed(provider, 3),
        fixed((target === "direct" ? 0 : workerd) + provider, 3),
        fixed(client, 3),
      ];
    }),
  );
  return table(
    [
      "target",
      "scenario",
      "workerd ms/req",
      "fake provider ms/req",
      "target total ms/req",
      "load client ms/req",
    ],
    rows,
  );
}

function streamSection(report: RunReport): string {
  const rows = TARGET_NAMES.map((target) => {
    const isDirect = target === "direct";
    const ratio = (scenario: ScenarioId) =>
      spread(
        pairedRatios(
          series(report, scenario, target, "totalP50"),
          series(report, scenario, "direct", "totalP50"),
        ).map((value) => (value - 1) * 100),
      );
    return [
      target,
      formatSpread(spread(series(report, "stream-c1", target, "ttftP50")), 3),
      isDirect ? "–" : formatSpread(deltaVsDirect(report, "stream-c1", target, "ttftP50"), 3),
      isDirect ? "–" : formatSpread(deltaVsDirect(report, "stream-c32", target, "ttftP50"), 3),
      formatSpread(spread(series(report, "stream-c1", target, "totalP50")), 2),
      isDirect ? "–" : formatSpread(ratio("stream-c1"), 1),
      isDirect ? "–" : formatSpread(ratio("stream-c32"), 1),
    ];
  });
  return table(
    [
      "target",
      "TTFT p50 c=1 ms",
      "added TTFT c=1 ms",
      "added TTFT c=32 ms",
      "total stream p50 c=1 ms",
      "total vs direct c=1 %",
      "total vs direct c=32 %",
    ],
    rows,
  );
}

function wholeRunSection(report: RunReport): string {
  return table(
    [
      "workerd of",
      "requests in reps",
      "workerd CPU ms/req, whole run",
      "events written after the load stopped",
      "drain s",
      "events stored / 2xx counted",
    ],
    report.wholeRun.map((record) => [
      record.target,
      String(record.requests),
      fixed(record.cpuPerRequest, 3),
      Number.isFinite(record.eventsBehindAtEndOfLoad)
        ? String(record.eventsBehindAtEndOfLoad)
        : "–",
      fixed(record.drainSeconds, 1),
      Number.isFinite(record.eventsStored)
        ? `${record.eventsStored} / ${record.eventsExpected}`
        : "–",
    ]),
  );
}

function memorySection(report: RunReport): string {
  return table(
    ["workerd of", "idle MiB", "after warm-up MiB", "peak MiB", "end of run MiB", "growth MiB"],
    report.memory.map((record) => [
      record.target,
      fixed(record.idle, 1),
      fixed(record.afterWarmup, 1),
      fixed(record.peak, 1),
      fixed(record.end, 1),
      fixed(record.end - record.afterWarmup, 1),
    ]),
  );
}

function failures(report: RunReport): string {
  let failed = 0;
  let ok = 0;
  for (const scenario of Object.values(report.results))
    for (const runs of Object.values(scenario))
      for (const run of runs) {
        failed += run.failed;
        ok += run.ok;
      }
  return `${ok} responses measured, ${failed} failed`;
}

/** Renders the report as Markdown (the part of RESULTS.md the bench regenerates). */
export function renderReport(report: RunReport): string {
  const { addedP50, throughputRatio } = headline(report);
  const p50Ok = addedP50.median < 1;
  const ratioOk = throughputRatio.median > 0.8;
  const header = Object.entries(report.header).map(([key, value]) => `- ${key}: ${value}`);
  return [
    ...header,
    `- ${failures(report)}`,
    "",
    "Cells are the median over reps, with (min…max) across reps. Deltas and ratios are",
    "paired within each rep, then the median is taken.",
    "",
    "**Against the targets** (gateway with the full chain):",
    `- added p50 at c=1: ${formatSpread(addedP50, 3)} ms (target < 1 ms): ${p50Ok ? "met" : "MISSED"}`,
    `- req/s at c=32 ÷ pass-through: ${formatSpread(throughputRatio, 3)} (target > 0.8): ${ratioOk ? "met" : "MISSED"}`,
    "",
    "### Latency at c=1 (non-streamed, ~2.3 KB request)",
    "",
    latencySection(report),
    "",
    "### Throughput at c=32 (non-streamed)",
    "",
    throughputSection(report),
    "",
    "### CPU per request (user+sys from /proc/<pid>/stat ÷ 2xx responses)",
    "",
    "Per scenario, in the run's window (+1.5 s). A gateway under load defers its decision-event",
    "writes to D1, so its window figures miss part of that work: the whole-run table below counts it.",
    "",
    cpuSection(report),
    "",
    "Whole run, all scenarios mixed, from the end of the warm-up until the gateways were quiet",
    "again (every deferred event written):",
    "",
    wholeRunSection(report),
    "",
    "### Streaming (5 content chunks 10 ms apart, then usage and [DONE])",
    "",
    streamSection(report),
    "",
    "### Memory (RSS of each workerd process)",
    "",
    memorySection(report),
    "",
    "### Policy engine throughput (Node, same V8 as workerd; MB = 10^6 bytes)",
    "",
    renderScanners(report.scanners),
    "",
  ].join("\n");
}
