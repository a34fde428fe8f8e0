import {
  compileChain,
  outputScanner,
  parseConfig,
  runInput,
  StreamWindow,
  type CompiledChain,
  type PolicyContext,
} from "../workers/policy/index.ts";
import { median } from "./stats.ts";
import { chainOnConfig, uniqueId, USER_PROMPT } from "./workload.ts";

/**
 * Throughput of the pure policy engine, in this Node process: the input chain
 * (prompt-injection + pii-detector + audit-logger) over one user message, and the
 * output path (the StreamWindow holdback over the composed output scanner) fed in
 * small deltas as a provider stream would. The same text density at every size,
 * so MB/s must stay flat as the size grows: a drop means something is not linear.
 * Every input run gets a text of its own (a unique id up front), so a cache keyed
 * by the text (prompt-injection keeps one for texts up to 32 KB) cannot answer.
 */

/** The prompt sizes measured. */
export const SCANNER_SIZES = [
  { label: "1 KB", bytes: 1024 },
  { label: "16 KB", bytes: 16 * 1024 },
  { label: "1 MiB", bytes: 1024 * 1024 },
] as const;

/** Characters per streamed delta (a few tokens, as providers send them). */
export const DELTA_CHARS = 16;

/** MB/s (10^6 bytes) of one path at one size. */
export interface ScannerResult {
  label: string;
  bytes: number;
  inputMBps: number;
  streamMBps: number;
  /** What the chain found in the text, to show it did real work. */
  inputFindings: number;
  streamFindings: number;
}

/** Text of exactly `bytes` ASCII characters, cut from the benchmark prompt repeated. */
export function sampleText(bytes: number): string {
  const unit = `${USER_PROMPT}\n\n`;
  return unit.repeat(Math.ceil(bytes / unit.length)).slice(0, bytes);
}

function compiledChain(): CompiledChain {
  const parsed = parseConfig(chainOnConfig("http://127.0.0.1:9"));
  if (!parsed.ok) throw new Error(`bench config is invalid: ${JSON.stringify(parsed.errors)}`);
  return compileChain(parsed.config);
}

const CONTEXT: PolicyContext = { identity: {}, model: "bench-model" };

/** Repeats `work` until `budgetMs` has passed (at least twice, at most `maxRounds`), in 3 batches; median rate. */
function rate(bytes: number, budgetMs: number, maxRounds: number, work: () => void): number {
  work();
  const rates: number[] = [];
  for (let batch = 0; batch < 3; batch += 1) {
    let rounds = 0;
    const started = performance.now();
    let elapsed = 0;
    while ((rounds < 2 || elapsed < budgetMs / 3) && rounds < maxRounds) {
      work();
      rounds += 1;
      elapsed = performance.now() - started;
    }
    rates.push((bytes * rounds) / 1e6 / (elapsed / 1000));
  }
  return median(rates);
}

function streamOnce(chain: CompiledChain, deltas: readonly string[]): number {
  const output = outputScanner(chain, CONTEXT);
  if (!output) throw new Error("the bench chain has no output scanner");
  const window = new StreamWindow(output.scanner, 0);
  let findings = 0;
  for (const delta of deltas) {
    const step = window.push(delta);
    if (step.blocked) throw new Error("the output chain blocked the bench text");
    findings += step.findings.length;
  }
  return findings + window.flush().findings.length;
}

/** Measures both paths at 1 KB, 16 KB and 1 MiB; `budgetMs` is the time spent per path and size. */
export function benchScanners(budgetMs: number): ScannerResult[] {
  const chain = compiledChain();
  return SCANNER_SIZES.map(({ label, bytes }) => {
    const text = sampleText(bytes);
    const messages = [{ role: "user", content: text }];
    let counter = 0;
    const freshMessages = () => {
      counter += 1;
      const id = uniqueId(counter);
      return [{ role: "user", content: `${id}${text.slice(id.length)}` }];
    };
    const deltas: string[] = [];
    for (let start = 0; start < text.length; start += DELTA_CHARS)
      deltas.push(text.slice(start, start + DELTA_CHARS));
    const outcome = runInput(chain, messages, CONTEXT);
    if (outcome.action === "block") throw new Error("the input chain blocked the bench text");
    const inputFindings = outcome.decisions.reduce((sum, item) => sum + item.findings.length, 0);
    const streamFindings = streamOnce(chain, deltas);
    return {
      label,
      bytes,
      inputFindings,
      streamFindings,
      inputMBps: rate(bytes, budgetMs, 100_000, () => runInput(chain, freshMessages(), CONTEXT)),
      streamMBps: rate(bytes, budgetMs, 100_000, () => streamOnce(chain, deltas)),
    };
  });
}
