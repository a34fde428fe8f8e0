/**
 * The rules of the review queue, as pure functions of (row, command, now). The
 * EscalationDO runs each inside one `transactionSync`, which is what makes them
 * compare-and-set: nothing can change the row between the check and the write.
 */

import type {
  Actor,
  Caller,
  EscalationRow,
  Outcome,
  RedeemError,
  Scope,
  TransitionError,
  TrailDetail,
  TrailEntry,
} from "./escalation-model.ts";

/** A trail entry before the DO numbers it. */
export type TrailDraft = Omit<TrailEntry, "seq">;

/** What a permitted transition changes: the new row and what to append to the trail. */
export interface Change {
  ok: true;
  row: EscalationRow;
  trail: TrailDraft[];
}

/** True when the scope lets the caller see this escalation. */
export function visible(row: EscalationRow, scope: Scope): boolean {
  if (scope.teams === null) return true;
  return row.team_id !== null && scope.teams.includes(row.team_id);
}

/** True while someone holds the claim. */
function activeClaim(row: EscalationRow, now: number): boolean {
  return row.status === "claimed" && row.claim_expires_at !== null && row.claim_expires_at > now;
}

function bump(row: EscalationRow, now: number, fields: Partial<EscalationRow>): EscalationRow {
  return { ...row, ...fields, updated_at: now, version: row.version + 1 };
}

function entry(
  actor: Actor,
  action: TrailDraft["action"],
  now: number,
  detail: TrailDetail = {},
): TrailDraft {
  const hasDetail = Object.keys(detail).length > 0;
  return {
    actor_type: actor.type,
    actor_id: actor.id,
    action,
    detail: hasDetail ? detail : null,
    created_at: now,
  };
}

const SYSTEM: Actor = { type: "system", id: "claim-expiry" };

/** A lapsed claim goes back to the queue, recorded as the system's doing. */
export function expireRule(row: EscalationRow, now: number): Change | null {
  if (row.status !== "claimed" || activeClaim(row, now)) return null;
  return {
    ok: true,
    row: bump(row, now, {
      status: "queued",
      claimed_by: null,
      claimed_by_type: null,
      claim_expires_at: null,
    }),
    trail: [entry(SYSTEM, "expire", now, { previous_owner: row.claimed_by })],
  };
}

function resolvedError(row: EscalationRow): TransitionError {
  return {
    ok: false,
    error: "already_resolved",
    outcome: row.outcome,
    resolvedBy: row.resolved_by,
  };
}

function ownerError(row: EscalationRow): TransitionError {
  return {
    ok: false,
    error: "claimed_by_other",
    owner: row.claimed_by ?? "unknown",
    expiresAt: row.claim_expires_at ?? 0,
  };
}

/** Chains a lapsed claim's expiry in front of the change that follows it. */
function afterExpiry(
  row: EscalationRow,
  now: number,
  next: (current: EscalationRow) => Change | TransitionError,
): Change | TransitionError {
  const expired = expireRule(row, now);
  if (!expired) return next(row);
  const result = next(expired.row);
  return result.ok ? { ...result, trail: [...expired.trail, ...result.trail] } : result;
}

/**
 * Claim: one owner at a time. Refused when resolved, or when someone else holds
 * an unexpired claim (the answer names them). The owner claiming again renews it.
 */
export function claimRule(
  row: EscalationRow,
  actor: Actor,
  now: number,
  ttlMs: number,
): Change | TransitionError {
  if (row.status === "resolved") return resolvedError(row);
  if (activeClaim(row, now) && row.claimed_by !== actor.id) return ownerError(row);
  const renewal = activeClaim(row, now);
  return afterExpiry(row, now, (current) => ({
    ok: true,
    row: bump(current, now, {
      status: "claimed",
      claimed_by: actor.id,
      claimed_by_type: actor.type,
      claim_expires_at: now + ttlMs,
    }),
    trail: [
      entry(actor, "claim", now, {
        expires_at: now + ttlMs,
        ...(renewal ? { renewed: true } : {}),
      }),
    ],
  }));
}

/** Release: only the owner of an unexpired claim gives it back to the queue. */
export function releaseRule(
  row: EscalationRow,
  actor: Actor,
  now: number,
): Change | TransitionError {
  if (row.status === "resolved") return resolvedError(row);
  if (!activeClaim(row, now)) return { ok: false, error: "not_claimed" };
  if (row.claimed_by !== actor.id) return ownerError(row);
  return {
    ok: true,
    row: bump(row, now, {
      status: "queued",
      claimed_by: null,
      claimed_by_type: null,
      claim_expires_at: null,
    }),
    trail: [entry(actor, "release", now)],
  };
}

/**
 * Resolve: final. By the claim's owner, or by anyone when nobody holds a claim
 * (claim and decision in one step). A second resolve is refused, whoever asks.
 */
export function resolveRule(
  row: EscalationRow,
  actor: Actor,
  now: number,
  outcome: Outcome,
  note: string,
): Change | TransitionError {
  if (row.status === "resolved") return resolvedError(row);
  if (activeClaim(row, now) && row.claimed_by !== actor.id) return ownerError(row);
  return afterExpiry(row, now, (current) => ({
    ok: true,
    row: bump(current, now, {
      status: "resolved",
      claimed_by: null,
      claimed_by_type: null,
      claim_expires_at: null,
      outcome,
      note,
      resolved_by: actor.id,
      resolved_at: now,
    }),
    trail: [entry(actor, "resolve", now, { outcome, note })],
  }));
}

/**
 * A retry at the gateway with the escalation id: passes once, for the same key,
 * team and user, with the same request (hash), after an `allow`. Anything else says why not.
 */
export function redeemRule(
  row: EscalationRow,
  caller: Caller,
  requestHash: string,
  requestId: string,
  now: number,
): Change | RedeemError {
  const sameCaller =
    row.key_id === caller.keyId && row.team_id === caller.teamId && row.user_id === caller.userId;
  if (!sameCaller) return { ok: false, error: "not_found" };
  if (row.request_hash !== requestHash) return { ok: false, error: "mismatch" };
  if (row.status !== "resolved") return { ok: false, error: "pending", status: row.status };
  if (row.outcome !== "allow")
    return { ok: false, error: "denied", outcome: row.outcome ?? "block", note: row.note };
  if (row.used_at !== null) return { ok: false, error: "used", usedAt: row.used_at };
  const actor: Actor = { type: "gateway", id: caller.keyId ?? "anonymous" };
  return {
    ok: true,
    row: bump(row, now, { used_at: now, used_request_id: requestId }),
    trail: [entry(actor, "use", now, { request_id: requestId })],
  };
}
