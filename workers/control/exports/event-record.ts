/**
 * A decision event as the control API shows it and exports carry it: snake_case
 * columns in a fixed order, each with its type, so CSV can be parsed back into
 * the same values and every row's chain hash recomputed from them. Pure: used by
 * the control worker, by `kt` and by tests.
 */

/** How a column's value is written and read back. */
export type ColumnType = "text" | "integer" | "real" | "boolean" | "json";

/** The exported columns, in order, with their types. */
export const EVENT_COLUMNS = [
  ["request_id", "text"],
  ["created_at", "integer"],
  ["org_id", "text"],
  ["team_id", "text"],
  ["user_id", "text"],
  ["key_id", "text"],
  ["gateway_id", "text"],
  ["config_name", "text"],
  ["config_version", "text"],
  ["config_hash", "text"],
  ["endpoint", "text"],
  ["model", "text"],
  ["target_id", "text"],
  ["provider", "text"],
  ["stream", "boolean"],
  ["verdict", "text"],
  ["status", "integer"],
  ["error_code", "text"],
  ["blocked_by", "text"],
  ["policies", "json"],
  ["attempts", "json"],
  ["policy_ms", "real"],
  ["upstream_ms", "real"],
  ["prompt_tokens", "integer"],
  ["completion_tokens", "integer"],
  ["total_tokens", "integer"],
  ["retention_days", "integer"],
  ["shadow_version", "text"],
  ["shadow_verdict", "text"],
  ["content", "json"],
  ["chain_id", "text"],
  ["sequence", "integer"],
  ["prev_hash", "text"],
  ["hash", "text"],
] as const satisfies ReadonlyArray<readonly [string, ColumnType]>;

/** One exported column name. */
export type EventColumn = (typeof EVENT_COLUMNS)[number][0];
/** A decision event in export form. */
export type EventRecord = Record<EventColumn, unknown>;

/** The stored row, as drizzle reads it (camelCase, JSON columns parsed). */
export interface StoredEvent {
  requestId: string;
  createdAt: number;
  orgId: string | null;
  teamId: string | null;
  userId: string | null;
  keyId: string | null;
  gatewayId: string | null;
  configName: string;
  configVersion: string;
  configHash: string;
  endpoint: string;
  model: string;
  targetId: string | null;
  provider: string | null;
  stream: boolean;
  verdict: string;
  status: number;
  errorCode: string | null;
  blockedBy: string | null;
  policies: unknown;
  attempts: unknown;
  policyMs: number;
  upstreamMs: number | null;
  promptTokens: number | null;
  completionTokens: number | null;
  totalTokens: number | null;
  retentionDays: number | null;
  shadowVersion: string | null;
  shadowVerdict: string | null;
  content: unknown;
  chainId: string | null;
  sequence: number | null;
  prevHash: string | null;
  hash: string | null;
}

const camel = (column: string) =>
  column.replace(/_([a-z])/g, (_match, letter: string) => letter.toUpperCase());

/** The export form of a stored row, keys in {@link EVENT_COLUMNS} order. */
export function toRecord(row: StoredEvent): EventRecord {
  const source = row as unknown as Record<string, unknown>;
  const record: Record<string, unknown> = {};
  for (const [column] of EVENT_COLUMNS) record[column] = source[camel(column)] ?? null;
  return record as EventRecord;
}

const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/;

/**
 * One CSV field (RFC 4180). Null is an empty unquoted field and the empty string
 * a quoted one (`""`), as PostgreSQL's CSV format does, so the two read back apart.
 * Fields with a comma, quote, CR, LF or edge spaces are quoted, quotes doubled.
 */
export function csvField(value: unknown, type: ColumnType): string {
  if (value === null || value === undefined) return "";
  const text =
    type === "json"
      ? JSON.stringify(value)
      : type === "boolean"
        ? value
          ? "true"
          : "false"
        : String(value);
  return text === "" || NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The CSV header line of an export (CRLF-terminated, as RFC 4180 says). */
export function csvHeader(): string {
  return `${EVENT_COLUMNS.map(([column]) => column).join(",")}\r\n`;
}

/** One record as a CSV line (CRLF-terminated). */
export function csvLine(record: EventRecord): string {
  return `${EVENT_COLUMNS.map(([column, type]) => csvField(record[column], type)).join(",")}\r\n`;
}

/** A parsed CSV field: its text and whether it was quoted (to tell null from ""). */
export interface CsvCell {
  text: string;
  quoted: boolean;
}

/** Parses RFC 4180 CSV text into rows of cells (quoted fields may span lines). */
export function parseCsv(text: string): CsvCell[][] {
  const rows: CsvCell[][] = [];
  let row: CsvCell[] = [];
  let index = 0;
  while (index < text.length) {
    let cell: CsvCell;
    if (text[index] === '"') {
      let value = "";
      index += 1;
      for (;;) {
        const quote = text.indexOf('"', index);
        if (quote < 0) throw new Error("unterminated quoted CSV field");
        value += text.slice(index, quote);
        if (text[quote + 1] === '"') {
          value += '"';
          index = quote + 2;
        } else {
          index = quote + 1;
          break;
        }
      }
      cell = { text: value, quoted: true };
    } else {
      let end = index;
      while (end < text.length && !",\r\n".includes(text[end] ?? "")) end += 1;
      cell = { text: text.slice(index, end), quoted: false };
      index = end;
    }
    row.push(cell);
    const next = text[index];
    if (next === ",") index += 1;
    else if (next === "\r" || next === "\n" || next === undefined) {
      index += next === "\r" && text[index + 1] === "\n" ? 2 : next === undefined ? 0 : 1;
      rows.push(row);
      row = [];
    } else throw new Error(`unexpected character after a CSV field at offset ${index}`);
  }
  if (row.length > 0) rows.push(row);
  return rows;
}

function typed(cell: CsvCell, type: ColumnType): unknown {
  if (!cell.quoted && cell.text === "") return null;
  switch (type) {
    case "text":
      return cell.text;
    case "integer":
    case "real":
      return Number(cell.text);
    case "boolean":
      return cell.text === "true";
    case "json":
      return JSON.parse(cell.text) as unknown;
  }
}

/** Reads an export's CSV back into records with their original types. */
export function recordsFromCsv(text: string): EventRecord[] {
  const [header, ...rows] = parseCsv(text);
  const expected = EVENT_COLUMNS.map(([column]) => column).join(",");
  if (header?.map((cell) => cell.text).join(",") !== expected)
    throw new Error("the CSV header is not an event export's");
  return rows.map((cells) => {
    const record: Record<string, unknown> = {};
    EVENT_COLUMNS.forEach(([column, type], index) => {
      record[column] = typed(cells[index] ?? { text: "", quoted: false }, type);
    });
    return record as EventRecord;
  });
}
