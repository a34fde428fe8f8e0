import { z } from "zod";

/** A JSON value: what crosses the RPC boundary as request content and trail details. */
export type JsonValue =
  string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

const jsonValue: z.ZodType<JsonValue> = z.json();

/** Who did something to an escalation: a person (by session or key), the gateway, or the system. */
export const actorSchema = z.strictObject({
  type: z.enum(["user", "access_key", "gateway", "system"]),
  id: z.string().min(1).max(200),
});
/** One of the parties in an escalation's trail. */
export type Actor = z.infer<typeof actorSchema>;

/**
 * What the caller may see inside the org: every escalation (`teams: null`, org-wide
 * roles) or only those of the listed teams (team admins). An escalation without a
 * team is visible org-wide only.
 */
export const scopeSchema = z.strictObject({
  teams: z.array(z.string().min(1).max(200)).max(1000).nullable(),
});
/** See {@link scopeSchema}. */
export type Scope = z.infer<typeof scopeSchema>;

const optionalId = z.string().min(1).max(200).nullable();

/** What the gateway hands over when a request is escalated instead of sent upstream. */
export const createInputSchema = z.strictObject({
  id: z.string().regex(/^esc_[0-9a-f]{32}$/, "an escalation id is esc_ and 32 hex digits"),
  orgId: z.string().min(1).max(200),
  teamId: optionalId,
  userId: optionalId,
  keyId: optionalId,
  requestId: z.string().min(1).max(200),
  requestHash: z.string().regex(/^[0-9a-f]{64}$/, "a SHA-256 in hex"),
  endpoint: z.string().min(1).max(50),
  model: z.string().min(1).max(200),
  policy: z.string().min(1).max(200),
  reasonCode: z.string().min(1).max(200),
  reason: z.string().min(1).max(1000),
  config: z.strictObject({
    name: z.string().max(200),
    version: z.string().max(200),
    hash: z.string().max(200),
  }),
  /** The conversation as the policy chain left it (redacted): what the reviewer reads. */
  messages: z.array(jsonValue).min(1).max(10_000),
});
/** See {@link createInputSchema}. */
export type CreateEscalationInput = z.infer<typeof createInputSchema>;

/** A reviewer's decision. */
export const outcomeSchema = z.enum(["allow", "block", "policy_tuning"]);
/** See {@link outcomeSchema}. */
export type Outcome = z.infer<typeof outcomeSchema>;

/** The note every resolution carries: why, for the trail and the config owners. */
export const noteSchema = z.string().trim().min(1, "a resolution needs a note").max(4000);

/** How long a claim lasts unless renewed: 1 ms (tests) to one day. */
export const ttlSchema = z
  .number()
  .int()
  .min(1)
  .max(24 * 60 * 60 * 1000);

/** The default claim lifetime: a reviewer who walks away frees the escalation after this. */
export const DEFAULT_CLAIM_MS = 30 * 60 * 1000;

/** Who retries at the gateway: the escalation must have been made for the same key, team and user. */
export const callerSchema = z.strictObject({
  keyId: optionalId,
  teamId: optionalId,
  userId: optionalId,
});
/** See {@link callerSchema}. */
export type Caller = z.infer<typeof callerSchema>;

/** One row of the DO's `escalations` table. */
export interface EscalationRow extends Record<string, SqlStorageValue> {
  id: string;
  org_id: string;
  team_id: string | null;
  user_id: string | null;
  key_id: string | null;
  request_id: string;
  request_hash: string;
  endpoint: string;
  model: string;
  policy: string;
  reason_code: string;
  reason: string;
  config_name: string;
  config_version: string;
  config_hash: string;
  request: string;
  status: "queued" | "claimed" | "resolved";
  claimed_by: string | null;
  claimed_by_type: string | null;
  claim_expires_at: number | null;
  outcome: Outcome | null;
  note: string | null;
  resolved_by: string | null;
  resolved_at: number | null;
  used_at: number | null;
  used_request_id: string | null;
  created_at: number;
  updated_at: number;
  version: number;
  mirrored_version: number;
}

/** What a trail entry says beyond who and what: flat values only (ids, outcome, note). */
export type TrailDetail = { [key: string]: string | number | boolean | null };

/** One transition in an escalation's trail. */
export interface TrailEntry {
  seq: number;
  actor_type: Actor["type"];
  actor_id: string;
  action: "create" | "claim" | "release" | "expire" | "resolve" | "use";
  detail: TrailDetail | null;
  created_at: number;
}

/** An escalation as the control API shows it (no request content). */
export interface EscalationView {
  id: string;
  status: EscalationRow["status"];
  team_id: string | null;
  user_id: string | null;
  key_id: string | null;
  request_id: string;
  request_hash: string;
  endpoint: string;
  model: string;
  policy: string;
  reason_code: string;
  reason: string;
  config: { name: string; version: string; hash: string };
  claimed_by: string | null;
  claim_expires_at: number | null;
  outcome: Outcome | null;
  note: string | null;
  resolved_by: string | null;
  resolved_at: number | null;
  used_at: number | null;
  created_at: number;
  updated_at: number;
}

/**
 * An escalation with the redacted request and its whole trail. The request
 * crosses the RPC boundary as JSON text (`{"messages": [...]}`): arbitrary JSON
 * is too deep a type for RPC's type mapping, and the reader parses it once.
 */
export interface EscalationDetail extends EscalationView {
  request_json: string;
  trail: TrailEntry[];
}

/** RPC input that breaks the contract: refused as data, with zod's first complaint. */
export interface InvalidInput {
  ok: false;
  error: "invalid";
  message: string;
}

/** Why a transition was refused: data, not exceptions; the HTTP layer picks the status. */
export type TransitionError =
  | InvalidInput
  | { ok: false; error: "not_found" }
  | { ok: false; error: "already_resolved"; outcome: Outcome | null; resolvedBy: string | null }
  | { ok: false; error: "claimed_by_other"; owner: string; expiresAt: number }
  | { ok: false; error: "not_claimed" };

/** The answer of claim, release and resolve. */
export type TransitionResult = { ok: true; escalation: EscalationView } | TransitionError;

/** Why a retry at the gateway may not pass. */
export type RedeemError =
  | InvalidInput
  | { ok: false; error: "not_found" }
  | { ok: false; error: "mismatch" }
  | { ok: false; error: "pending"; status: "queued" | "claimed" }
  | { ok: false; error: "denied"; outcome: "block" | "policy_tuning"; note: string | null }
  | { ok: false; error: "used"; usedAt: number };

/** The answer of a retry: it passes once, or says why not. */
export type RedeemResult = { ok: true; escalation: EscalationView } | RedeemError;

/** The answer of create. */
export type CreateResult = { ok: true; escalation: EscalationView } | InvalidInput;

/** Parses RPC input, or says in one line why it does not fit. */
export function parseInput<Schema extends z.ZodType>(
  schema: Schema,
  value: unknown,
): { ok: true; value: z.infer<Schema> } | InvalidInput {
  const parsed = schema.safeParse(value);
  if (parsed.success) return { ok: true, value: parsed.data };
  const issue = parsed.error.issues[0];
  const where = issue?.path.map(String).join(".");
  return {
    ok: false,
    error: "invalid",
    message: `${where ? `${where}: ` : ""}${issue?.message ?? "invalid input"}`,
  };
}

/** The public view of a stored row. */
export function viewOf(row: EscalationRow): EscalationView {
  return {
    id: row.id,
    status: row.status,
    team_id: row.team_id,
    user_id: row.user_id,
    key_id: row.key_id,
    request_id: row.request_id,
    request_hash: row.request_hash,
    endpoint: row.endpoint,
    model: row.model,
    policy: row.policy,
    reason_code: row.reason_code,
    reason: row.reason,
    config: { name: row.config_name, version: row.config_version, hash: row.config_hash },
    claimed_by: row.claimed_by,
    claim_expires_at: row.claim_expires_at,
    outcome: row.outcome,
    note: row.note,
    resolved_by: row.resolved_by,
    resolved_at: row.resolved_at,
    used_at: row.used_at,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}
