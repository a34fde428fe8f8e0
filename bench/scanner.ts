import {
  compileChain,
  outputScanner,
  parseConfig,
  runInput,
  StreamWindow,
  type CompiledChain,
  type PolicyContext,
} from "../workers/policy/index.ts";
import { PII_TYPES } from "../workers/policy/detect/pii-patterns.ts";
import { CLINICAL_NOTE, repeatTo } from "./scanner-texts.ts";
import { median } from "./stats.ts";
import { chainOnConfig, MODEL, uniqueId, USER_PROMPT } from "./workload.ts";

/**
 * Throughput of the pure policy engine, in this Node process: each
 * content-scanning policy alone, then the bench's whole chain, on its input
 * phase (`runInput` over one user message) and, where it has one, its output
 * path (the StreamWindow holdback over the output scanner, fed in small deltas
 * as a provider stream would). The same text density at every size, so MB/s must
 * stay flat from 16 KB to 1 MiB: the linearity column (time per byte at 1 MiB ÷
 * at 16 KB) says whether it does. Every input run gets a text of its own (a
 * unique id up front), so a cache keyed by the text (prompt-injection keeps one
 * for texts up to 32 KB) cannot answer.
 */

/** The prompt sizes measured, smallest first. */
export const SCANNER_SIZES = [
  { label: "1 KB", bytes: 1024 },
  { label: "16 KB", bytes: 16 * 1024 },
  { label: "1 MiB", bytes: 1024 * 1024 },
] as const;

/** Linearity compares time per byte at these two sizes (indexes into {@link SCANNER_SIZES}). */
export const LINEARITY_SIZES = { from: 1, to: 2 } as const;

/** Above this ratio of time per byte (1 MiB ÷ 16 KB) a row is NOT LINEAR and the bench fails. */
export const LINEARITY_LIMIT = 1.5;

/** Characters per streamed delta (a few tokens, as providers send them). */
export const DELTA_CHARS = 16;

/** The phases a row measures: `runInput`, or the StreamWindow over the output scanner. */
export type ScannerPhase = "input" | "stream";

/** One size of one row. */
export interface ScannerCell {
  label: string;
  /** UTF-8 bytes of the text (the texts are ASCII: equal to its characters). */
  bytes: number;
  /** MB/s, MB = 10^6 bytes. */
  mbps: number;
  /** What the policy found in the text, to show it did real work. */
  findings: number;
}

/** One policy (or the whole chain) in one phase, at every size. */
export interface ScannerRow {
  subject: string;
  /** Which text it scanned. */
  text: string;
  phase: ScannerPhase;
  cells: ScannerCell[];
  /** Time per byte at 1 MiB ÷ time per byte at 16 KB: ≈ 1 is linear. */
  linearity: number;
  /** The first measurement was over {@link LINEARITY_LIMIT}: both sizes were measured again, the lower ratio kept. */
  remeasured: boolean;
}

/** What one group of rows measures: a chain (one policy, or the whole chain) and its text. */
export interface ScannerSubject {
  name: string;
  /** The text's name in the table. */
  text: string;
  /** The text, repeated to each size. */
  unit: string;
  /** The gateway config (YAML) whose chain is measured. */
  config: string;
  /** The text holds what this policy looks for: no findings means it did not run for real. */
  finds: boolean;
}

const UPSTREAM = "http://127.0.0.1:9";

/** A config whose chain is `policy` alone, with `settings` (YAML lines) under `policy.<id>`. */
function singlePolicyConfig(policy: string, settings: readonly string[]): string {
  return [
    "pack:",
    `  name: bench-${policy}`,
    "providers:",
    "  targets:",
    "    - id: fake-provider",
    "      provider: openai",
    `      model: ${MODEL}`,
    `      base_url: ${UPSTREAM}`,
    "policies:",
    "  chain:",
    `    - ${policy}`,
    "policy:",
    `  ${policy}:`,
    ...settings.map((line) => `    ${line}`),
    "",
  ].join("\n");
}

const PII_PROMPT = "PII prompt";

/** What is measured: each content-scanning policy alone, then the whole chain of the gateway bench. */
export const SCANNER_SUBJECTS: readonly ScannerSubject[] = [
  {
    name: "prompt-injection",
    text: PII_PROMPT,
    unit: USER_PROMPT,
    config: singlePolicyConfig("prompt-injection", ["action: block", "threshold: 0.5"]),
    finds: false,
  },
  {
    name: "pii-detector (all types)",
    text: PII_PROMPT,
    unit: USER_PROMPT,
    config: singlePolicyConfig("pii-detector", [
      "action: redact",
      `types: [${PII_TYPES.join(", ")}]`,
    ]),
    finds: true,
  },
  {
    name: "hipaa-phi-detector (hipaa_18)",
    text: "clinical note",
    unit: CLINICAL_NOTE,
    config: singlePolicyConfig("hipaa-phi-detector", ["mode: hipaa_18", "action: redact"]),
    finds: true,
  },
  {
    name: "safety-filter",
    text: PII_PROMPT,
    unit: USER_PROMPT,
    config: singlePolicyConfig("safety-filter", ["apply_to: [input, output]"]),
    finds: false,
  },
  {
    name: "whole chain (injection + pii 3 types + audit)",
    text: PII_PROMPT,
    unit: USER_PROMPT,
    config: chainOnConfig(UPSTREAM),
    finds: true,
  },
];

/** Text of exactly `bytes` ASCII characters, cut from the benchmark prompt repeated. */
export function sampleText(bytes: number): string {
  return repeatTo(USER_PROMPT, bytes);
}

function compiled(subject: ScannerSubject): CompiledChain {
  const parsed = parseConfig(subject.config);
  if (!parsed.ok)
    throw new Error(`bench config of ${subject.name} is invalid: ${JSON.stringify(parsed.errors)}`);
  return compileChain(parsed.config);
}

const CONTEXT: PolicyContext = { identity: {}, model: MODEL };

/** Timed batches per cell at most; at least {@link MIN_BATCHES}, the median is kept. */
const BATCHES = 5;
const MIN_BATCHES = 2;

const timed = (work: () => void): number => {
  const started = performance.now();
  work();
  return performance.now() - started;
};

/**
 * MB/s of `work` over `bytes`: a first call (warm-up and calibration), then
 * batches of about `budgetMs / 5` until `budgetMs` is spent, at least 2; the
 * median batch rate. A first call longer than a batch (the 1 MiB cells, the
 * code already warm from the smaller sizes) counts as a batch itself.
 */
function rate(bytes: number, budgetMs: number, work: () => void): number {
  const mbps = (calls: number, milliseconds: number) =>
    (bytes * calls) / 1e6 / (milliseconds / 1000);
  const first = timed(work);
  const batchMs = budgetMs / BATCHES;
  const rates = first >= batchMs ? [mbps(1, first)] : [];
  let spent = rates.length > 0 ? first : 0;
  const calls = Math.max(1, Math.round(batchMs / Math.max(first, 0.001)));
  while (rates.length < MIN_BATCHES || (spent < budgetMs && rates.length < BATCHES)) {
    const elapsed = timed(() => {
      for (let call = 0; call < calls; call += 1) work();
    });
    spent += elapsed;
    rates.push(mbps(calls, elapsed));
  }
  return median(rates);
}

function streamOnce(chain: CompiledChain, deltas: readonly string[]): number {
  const output = outputScanner(chain, CONTEXT);
  if (!output) throw new Error("the chain has no output scanner");
  const window = new StreamWindow(output.scanner, 0);
  let findings = 0;
  for (const delta of deltas) {
    const step = window.push(delta);
    if (step.blocked)
      throw new Error(`the output path blocked the bench text: ${step.blocked.reason}`);
    findings += step.findings.length;
  }
  const last = window.flush();
  if (last.blocked)
    throw new Error(`the output path blocked the bench text: ${last.blocked.reason}`);
  return findings + last.findings.length;
}

function inputOnce(chain: CompiledChain, content: string): number {
  const outcome = runInput(chain, [{ role: "user", content }], CONTEXT);
  if (outcome.action === "block" || outcome.action === "escalate")
    throw new Error(`the input phase refused the bench text: ${outcome.blockedBy?.reason}`);
  return outcome.decisions.reduce((sum, decision) => sum + decision.findings.length, 0);
}

/** One cell: the findings of one run, then the rate; input runs each get a text of their own. */
function measureCell(
  chain: CompiledChain,
  subject: ScannerSubject,
  phase: ScannerPhase,
  size: (typeof SCANNER_SIZES)[number],
  budgetMs: number,
): ScannerCell {
  const text = repeatTo(subject.unit, size.bytes);
  const bytes = Buffer.byteLength(text);
  let findings: number;
  let work: () => void;
  if (phase === "input") {
    let counter = 0;
    const fresh = () => {
      counter += 1;
      const id = uniqueId(counter);
      return `${id}\n${text.slice(id.length + 1)}`;
    };
    findings = inputOnce(chain, fresh());
    work = () => inputOnce(chain, fresh());
  } else {
    const deltas: string[] = [];
    for (let start = 0; start < text.length; start += DELTA_CHARS)
      deltas.push(text.slice(start, start + DELTA_CHARS));
    findings = streamOnce(chain, deltas);
    work = () => streamOnce(chain, deltas);
  }
  if (subject.finds && findings === 0)
    throw new Error(`${subject.name} ${phase} found nothing in ${size.label} of ${subject.text}`);
  return { label: size.label, bytes, findings, mbps: rate(bytes, budgetMs, work) };
}

/** Time per byte at the larger linearity size ÷ at the smaller one (= the ratio of their MB/s). */
export function linearityOf(cells: readonly ScannerCell[]): number {
  const from = cells[LINEARITY_SIZES.from];
  const to = cells[LINEARITY_SIZES.to];
  return from && to ? from.mbps / to.mbps : Number.NaN;
}

/** The rows whose time per byte grows faster than the size allows. */
export function superlinear(rows: readonly ScannerRow[]): ScannerRow[] {
  return rows.filter((row) => !(row.linearity <= LINEARITY_LIMIT));
}

function phasesOf(chain: CompiledChain): ScannerPhase[] {
  const phases: ScannerPhase[] = [];
  if (chain.items.some((item) => item.runtime.input)) phases.push("input");
  if (outputScanner(chain, CONTEXT)) phases.push("stream");
  return phases;
}

/**
 * Measures every subject in each of its phases at 1 KB, 16 KB and 1 MiB;
 * `budgetMs` is the time spent per cell (a 1 MiB cell runs at least twice,
 * whatever the budget). A row over {@link LINEARITY_LIMIT} is
 * measured once more at both linearity sizes (a shared machine has hiccups);
 * the lower ratio is kept. `log` hears of each row as it is done.
 */
export function benchScanners(
  budgetMs: number,
  log: (line: string) => void = () => {},
): ScannerRow[] {
  const rows: ScannerRow[] = [];
  for (const subject of SCANNER_SUBJECTS) {
    const chain = compiled(subject);
    for (const phase of phasesOf(chain)) {
      const cells = SCANNER_SIZES.map((size) => measureCell(chain, subject, phase, size, budgetMs));
      let linearity = linearityOf(cells);
      const remeasured = !(linearity <= LINEARITY_LIMIT);
      if (remeasured) {
        const again = cells.map((cell, index) =>
          index === LINEARITY_SIZES.from || index === LINEARITY_SIZES.to
            ? measureCell(chain, subject, phase, SCANNER_SIZES[index] ?? SCANNER_SIZES[0], budgetMs)
            : cell,
        );
        const second = linearityOf(again);
        if (second < linearity) {
          cells.splice(0, cells.length, ...again);
          linearity = second;
        }
      }
      const row = {
        subject: subject.name,
        text: subject.text,
        phase,
        cells,
        linearity,
        remeasured,
      };
      rows.push(row);
      log(
        `  ${subject.name} ${phase}: ${cells.map((cell) => `${cell.label} ${cell.mbps.toFixed(2)} MB/s`).join(", ")}; linearity ${linearity.toFixed(2)}${remeasured ? " (measured twice)" : ""}`,
      );
    }
  }
  return rows;
}
