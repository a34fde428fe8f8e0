import {
  LINEARITY_LIMIT,
  LINEARITY_SIZES,
  SCANNER_SIZES,
  superlinear,
  type ScannerRow,
} from "./scanner.ts";
import { fixed } from "./stats.ts";

/** The markdown of the policy-engine throughput: the table, then the linearity verdict. */

const FROM = SCANNER_SIZES[LINEARITY_SIZES.from].label;
const TO = SCANNER_SIZES[LINEARITY_SIZES.to].label;

function linearityCell(row: ScannerRow): string {
  const value = `${fixed(row.linearity, 2)}${row.remeasured ? "²" : ""}`;
  return row.linearity <= LINEARITY_LIMIT ? value : `**${value} NOT LINEAR**`;
}

/** One line per policy and phase: MB/s at each size, the linearity ratio, findings at the largest size. */
export function scannerTable(rows: readonly ScannerRow[]): string {
  const head = [
    "policy",
    "phase",
    "text",
    ...SCANNER_SIZES.map((size) => `${size.label} MB/s`),
    `time/byte ${TO} ÷ ${FROM}`,
    `findings in ${TO}`,
  ];
  const line = (cells: readonly string[]) => `| ${cells.join(" | ")} |`;
  return [
    line(head),
    line(head.map(() => "---")),
    ...rows.map((row) =>
      line([
        row.subject,
        row.phase,
        row.text,
        ...row.cells.map((cell) => fixed(cell.mbps, cell.mbps < 10 ? 2 : 1)),
        linearityCell(row),
        fixed(row.cells[row.cells.length - 1]?.findings ?? Number.NaN, 0),
      ]),
    ),
  ].join("\n");
}

/** The sentence under the table: linear everywhere, or which rows are not. */
export function scannerVerdict(rows: readonly ScannerRow[]): string {
  const bad = superlinear(rows);
  const twice = rows.some((row) => row.remeasured)
    ? ` ² measured twice (the first ratio was over ${LINEARITY_LIMIT}); the lower ratio is shown.`
    : "";
  if (bad.length === 0)
    return `Linear: every row's time per byte at ${TO} is within ${LINEARITY_LIMIT}× its time per byte at ${FROM}.${twice}`;
  const names = bad.map((row) => `${row.subject} ${row.phase}`).join(", ");
  return `**NOT LINEAR** (time per byte at ${TO} over ${LINEARITY_LIMIT}× that at ${FROM}): ${names}.${twice}`;
}

/** Table and verdict, as they go into RESULTS.md or on stdout for `--only scanner`. */
export function renderScanners(rows: readonly ScannerRow[]): string {
  return `${scannerTable(rows)}\n\n${scannerVerdict(rows)}`;
}
