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
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, inner]) => inner !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, inner]) => `${JSON.stringify(key)}:${canonical(inner)}`).join(",")}}`;
  }
  return JSON.stringify(value ?? null);
}

/** Canonical JSON of the chained fields of a row (keys sorted, JSON columns parsed). */
export function chainedJson(row: Record<string, unknown>): string {
  const picked: Record<string, unknown> = {};
  for (const field of CHAINED_FIELDS) {
    let value = row[field] ?? null;
    if (field === "policies" && typeof value === "string") value = JSON.parse(value);
    picked[field] = value;
  }
  return canonical(picked);
}

/** SHA-256 (hex) of the previous hash and this row's canonical JSON. */
export async function chainHash(
  prevHash: string | null,
  row: Record<string, unknown>,
): Promise<string> {
  const digest = await crypto.subtle.digest(
    "SHA-256",
    new TextEncoder().encode(`${prevHash ?? ""}\n${chainedJson(row)}`),
  );
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}
