import { InvalidArgumentError, Option, type Command } from "commander";
import { DEFAULT_API_URL } from "./api-client.ts";

/** The options every admin command shares. */
export interface AdminFlags {
  apiUrl?: string;
  json?: boolean;
}

/** Org roles, least to most privileged, as the control API names them. */
export const ORG_ROLES = ["viewer", "member", "admin", "owner"] as const;

/** Checks --api-url is an http(s) URL. */
export function parseApiUrl(value: string): string {
  try {
    const url = new URL(value);
    if (url.protocol === "http:" || url.protocol === "https:") return value;
  } catch {
    // Reported below.
  }
  throw new InvalidArgumentError("expected an http(s) URL, for example http://127.0.0.1:41003");
}

/** Adds --api-url and --json to an admin command. */
export function adminOptions(command: Command): Command {
  return command
    .addOption(
      new Option(
        "--api-url <url>",
        `the control API (default: KEEPTRUSTS_API_URL, the URL of kt login, or ${DEFAULT_API_URL})`,
      ).argParser(parseApiUrl),
    )
    .option("--json", "print the API's JSON answer instead of text, for scripts");
}

/** `a,b` → `["a", "b"]`; refuses empty items. */
export function parseList(value: string): string[] {
  const items = value.split(",").map((item) => item.trim());
  if (items.some((item) => item === ""))
    throw new InvalidArgumentError('expected a comma-separated list, for example "a,b"');
  return items;
}

/** A number above zero. */
export function parsePositiveNumber(value: string): number {
  const number = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || !(number > 0))
    throw new InvalidArgumentError("expected a number above 0, for example 25");
  return number;
}

/** A whole number above zero. */
export function parsePositiveInteger(value: string): number {
  const number = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(number) || number < 1)
    throw new InvalidArgumentError("expected a whole number above 0, for example 60");
  return number;
}

/** A duration the control API accepts: `30d`, `12h`, `90m`, `2w`. */
export function parseDuration(value: string): string {
  if (!/^[1-9]\d{0,3}[mhdw]$/.test(value))
    throw new InvalidArgumentError("expected a duration like 30d, 12h, 90m or 2w");
  return value;
}

/** A timestamp (ms) as `2026-08-01 12:00` UTC, or `-`. */
export function formatTime(milliseconds: number | null | undefined): string {
  if (milliseconds === null || milliseconds === undefined) return "-";
  return new Date(milliseconds).toISOString().slice(0, 16).replace("T", " ");
}

/** One column of a table: its header and how to read a cell from a row. */
export type Column<Row> = [header: string, cell: (row: Row) => string | number | null | undefined];

/** Prints rows as an aligned text table, or `empty` when there are none. */
export function printTable<Row>(rows: Row[], columns: Column<Row>[], empty: string): void {
  if (rows.length === 0) {
    console.log(empty);
    return;
  }
  const cells = rows.map((row) => columns.map(([, cell]) => String(cell(row) ?? "-")));
  const widths = columns.map(([header], index) =>
    Math.max(header.length, ...cells.map((line) => line[index]?.length ?? 0)),
  );
  const line = (values: string[]) =>
    values
      .map((value, index) => value.padEnd(widths[index] ?? 0))
      .join("  ")
      .trimEnd();
  console.log(line(columns.map(([header]) => header)));
  for (const values of cells) console.log(line(values));
}

/** Prints a value as indented JSON (the `--json` output). */
export function printJson(value: unknown): void {
  console.log(JSON.stringify(value, null, 2));
}
