/**
 * The tamper-evident chain of decision events. Pure: the queue consumer uses it
 * when storing events, and `kt export verify` uses it offline on exported rows.
 */

/** The stored fields an event's hash covers, in export (snake_case) names. */
export const CHAINED_FIELDS = [
  "request_id",
  "created_at",
  "org_id",
  "team_id",
  "user_id",
  "key_id",
  "gateway_id",
  "config_name",
  "config_version",
  "config_hash",
  "endpoint",
  "model",
  "target_id",
  "provider",
  "verdict",
  "status",
  "error_code",
  "blocked_by",
  "policies",
  "prompt_tokens",
  "completion_tokens",
  "total_tokens",
] as const;

/** The chain an event belongs to: one per org and gateway. */
export function chainIdOf(orgId: string | null, gatewayId: string | null): string {
  return `${orgId ?? "local"}:${gatewayId ?? "edge"}`;
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const record = value as Record<string, unknown>;
    // Sorted by UTF-16 code units, as `<` compares; undefined members are left out.
    const keys = Object.keys(record).sort();
    let out = "";
    for (const key of keys) {
      const inner = record[key];
      if (inner === undefined) continue;
      out += `${out ? "," : ""}${JSON.stringify(key)}:${canonical(inner)}`;
    }
    return `{${out}}`;
  }
  return JSON.stringify(value ?? null);
}

/** The chained fields in canonical (sorted) order, each with its `"key":` prefix. */
const SORTED_FIELDS = [...CHAINED_FIELDS]
  .sort()
  .map((field, index) => ({ field, prefix: `${index === 0 ? "" : ","}${JSON.stringify(field)}:` }));

/** Canonical JSON of the chained fields of a row (keys sorted, JSON columns parsed). */
export function chainedJson(row: Record<string, unknown>): string {
  let out = "{";
  for (const { field, prefix } of SORTED_FIELDS) {
    let value = row[field] ?? null;
    if (field === "policies" && typeof value === "string") value = JSON.parse(value);
    out += prefix + canonical(value);
  }
  return `${out}}`;
}

const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, "0"));
const encoder = new TextEncoder();

/** SHA-256 (hex) of the previous hash and this row's canonical JSON. */
export async function chainHash(
  prevHash: string | null,
  row: Record<string, unknown>,
): Promise<string> {
  const digest = new Uint8Array(
    await crypto.subtle.digest("SHA-256", encoder.encode(`${prevHash ?? ""}\n${chainedJson(row)}`)),
  );
  let hex = "";
  for (const byte of digest) hex += HEX[byte];
  return hex;
}
