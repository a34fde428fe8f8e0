import { execFile, execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { percentile } from "./stats.ts";

/**
 * Closed-loop HTTP load at a fixed concurrency, bounded in time and in count.
 * autocannon (from npm, always there) is the default; wrk is used when asked for
 * and installed. Latency comes from autocannon's per-response hrtime (its own
 * histogram rounds to whole milliseconds, too coarse for sub-ms deltas).
 */

/** The load tools this bench can drive. */
export type LoadTool = "autocannon" | "wrk";

/** One closed-loop run. */
export interface LoadOptions {
  url: string;
  body: string;
  connections: number;
  seconds: number;
  /** Stops early after this many responses. */
  maxRequests: number;
}

/** What a run measured. Latencies in milliseconds. */
export interface LoadResult {
  ok: number;
  failed: number;
  seconds: number;
  requestsPerSecond: number;
  p50: number;
  p99: number;
}

interface AutocannonTracker extends PromiseLike<unknown> {
  on(
    event: "response",
    listener: (client: unknown, status: number, bytes: number, ms: number) => void,
  ): void;
  on(event: "reqError", listener: (error: Error) => void): void;
  stop(): void;
}

type Autocannon = (options: Record<string, unknown>) => AutocannonTracker;

const autocannon = createRequire(import.meta.url)("autocannon") as Autocannon;

async function runAutocannon(options: LoadOptions): Promise<LoadResult> {
  const latencies = new Float64Array(options.maxRequests);
  let ok = 0;
  let failed = 0;
  const started = performance.now();
  const tracker = autocannon({
    url: options.url,
    method: "POST",
    headers: { "content-type": "application/json" },
    body: options.body,
    connections: options.connections,
    pipelining: 1,
    // Every `[<id>]` in the body becomes a unique id: no two requests carry the same prompt.
    idReplacement: true,
    duration: options.seconds,
    maxOverallRequests: options.maxRequests,
    timeout: 10,
    renderProgressBar: false,
    renderResultsTable: false,
    renderLatencyTable: false,
  });
  tracker.on("response", (_client, status, _bytes, ms) => {
    if (status >= 200 && status < 300 && ok < latencies.length) {
      latencies[ok] = ms;
      ok += 1;
    } else failed += 1;
  });
  tracker.on("reqError", () => {
    failed += 1;
  });
  await tracker;
  const seconds = (performance.now() - started) / 1000;
  const sorted = latencies.subarray(0, ok).sort();
  return {
    ok,
    failed,
    seconds,
    requestsPerSecond: ok / seconds,
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
  };
}

const run = promisify(execFile);

/** True when `wrk` is on the PATH. */
export function hasWrk(): boolean {
  try {
    execFileSync("wrk", ["--version"], { stdio: "ignore" });
    return true;
  } catch (error) {
    // wrk --version exits 1 after printing its version: only a missing binary is a failure.
    return (error as NodeJS.ErrnoException).code !== "ENOENT";
  }
}

function wrkMilliseconds(value: string, unit: string): number {
  const number = Number(value);
  if (unit === "us") return number / 1000;
  if (unit === "s") return number * 1000;
  if (unit === "m") return number * 60_000;
  return number;
}

async function runWrk(options: LoadOptions): Promise<LoadResult> {
  const script = path.join(tmpdir(), `kt-bench-${process.pid}.lua`);
  // Same unique-id rule as autocannon's idReplacement, with the ids of workload.ts uniqueId.
  writeFileSync(
    script,
    [
      'wrk.method = "POST"',
      'wrk.headers["content-type"] = "application/json"',
      `local template = ${JSON.stringify(options.body)}`,
      "local counter = 0",
      'local digits = "0123456789abcdefghijklmnopqrstuvwxyz"',
      "local function id(n)",
      '  local text = ""',
      "  repeat",
      "    local digit = n % 36",
      "    text = string.sub(digits, digit + 1, digit + 1) .. text",
      "    n = math.floor(n / 36)",
      "  until n == 0",
      '  text = "w" .. text',
      '  return text .. string.rep("q", 27 - #text)',
      "end",
      "request = function()",
      "  counter = counter + 1",
      '  local body = string.gsub(template, "%[<id>%]", id(counter))',
      "  return wrk.format(nil, nil, nil, body)",
      "end",
    ].join("\n"),
  );
  const seconds = Math.max(1, Math.round(options.seconds));
  const { stdout } = await run(
    "wrk",
    [
      "-t1",
      `-c${options.connections}`,
      `-d${seconds}s`,
      "--timeout",
      "10s",
      "--latency",
      "-s",
      script,
      options.url,
    ],
    { timeout: (seconds + 30) * 1000 },
  );
  const quantile = (label: string): number => {
    const match = new RegExp(`^\\s*${label}%\\s+([\\d.]+)(us|ms|s)\\s*$`, "m").exec(stdout);
    return match?.[1] && match[2] ? wrkMilliseconds(match[1], match[2]) : Number.NaN;
  };
  const total = /(\d+) requests in ([\d.]+)(us|ms|s|m)/.exec(stdout);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(stdout);
  const errors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(
    stdout,
  );
  const count = Number(total?.[1] ?? 0);
  const failed =
    Number(non2xx?.[1] ?? 0) + (errors ? errors.slice(1).reduce((a, b) => a + Number(b), 0) : 0);
  const elapsed = total?.[2] && total[3] ? wrkMilliseconds(total[2], total[3]) / 1000 : seconds;
  return {
    ok: count - Number(non2xx?.[1] ?? 0),
    failed,
    seconds: elapsed,
    requestsPerSecond: (count - Number(non2xx?.[1] ?? 0)) / elapsed,
    p50: quantile("50"),
    p99: quantile("99"),
  };
}

/** Runs one closed-loop load with the chosen tool. */
export function runLoad(tool: LoadTool, options: LoadOptions): Promise<LoadResult> {
  return tool === "wrk" ? runWrk(options) : runAutocannon(options);
}
