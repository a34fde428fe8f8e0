import { DurableObject } from "cloudflare:workers";
import { z } from "zod";
import { mirrorEscalation } from "./escalation-mirror.ts";
import { COLUMNS, SCHEMA, UPSERT } from "./escalation-tables.ts";
import {
  actorSchema,
  callerSchema,
  createInputSchema,
  DEFAULT_CLAIM_MS,
  noteSchema,
  outcomeSchema,
  parseInput,
  scopeSchema,
  ttlSchema,
  viewOf,
  type Actor,
  type Caller,
  type CreateEscalationInput,
  type CreateResult,
  type EscalationDetail,
  type EscalationRow,
  type Outcome,
  type RedeemResult,
  type Scope,
  type TrailDetail,
  type TrailEntry,
  type TransitionResult,
} from "./escalation-model.ts";
import {
  claimRule,
  expireRule,
  redeemRule,
  releaseRule,
  resolveRule,
  visible,
  type Change,
  type TrailDraft,
} from "./escalation-rules.ts";

/** The bindings the EscalationDO needs: the D1 database it mirrors into. */
export interface EscalationEnv {
  DB: D1Database;
}

const escalationId = z.string().min(1).max(200);
const showInput = z.strictObject({ id: escalationId, scope: scopeSchema });
const releaseInput = showInput.extend({ actor: actorSchema });
const claimInput = releaseInput.extend({ ttlMs: ttlSchema });
const resolveInput = releaseInput.extend({ outcome: outcomeSchema, note: noteSchema });
const redeemInput = z.strictObject({
  id: escalationId,
  caller: callerSchema,
  requestHash: z.string().max(200),
  requestId: z.string().min(1).max(200),
});

/** How soon a failed D1 mirror write is tried again (by the alarm). */
const MIRROR_RETRY_MS = 30_000;
/** How many escalations one alarm mirrors at most; the next alarm takes the rest. */
const MIRROR_BATCH = 50;

interface TrailRow extends Record<string, SqlStorageValue> {
  seq: number;
  actor_type: TrailEntry["actor_type"];
  actor_id: string;
  action: TrailEntry["action"];
  detail: string | null;
  created_at: number;
}

type Rule<Failure> = (row: EscalationRow, now: number) => Change | Failure;

/**
 * The review queue of one org (one object per org, named by the org id). Every
 * transition runs as a pure rule inside one `transactionSync`: read the row,
 * decide, write the row and its trail entries. That makes a claim a
 * compare-and-set (two reviewers racing get one winner), a resolution final and
 * the trail complete. Claims carry an expiry swept by the alarm. After each
 * transition the row and trail are mirrored to D1 for listing; a failed mirror
 * is retried by the alarm, and the mirror only ever moves forward.
 */
export class EscalationDO extends DurableObject<EscalationEnv> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: EscalationEnv) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(SCHEMA);
  }

  /** Records an escalated request (idempotent by id) and returns it. */
  async create(input: CreateEscalationInput): Promise<CreateResult> {
    const checked = parseInput(createInputSchema, input);
    if (!checked.ok) return checked;
    const parsed = checked.value;
    const row = this.ctx.storage.transactionSync(() => {
      const existing = this.row(parsed.id);
      if (existing) return existing;
      const now = Date.now();
      const created: EscalationRow = {
        id: parsed.id,
        org_id: parsed.orgId,
        team_id: parsed.teamId,
        user_id: parsed.userId,
        key_id: parsed.keyId,
        request_id: parsed.requestId,
        request_hash: parsed.requestHash,
        endpoint: parsed.endpoint,
        model: parsed.model,
        policy: parsed.policy,
        reason_code: parsed.reasonCode,
        reason: parsed.reason,
        config_name: parsed.config.name,
        config_version: parsed.config.version,
        config_hash: parsed.config.hash,
        request: JSON.stringify({ messages: parsed.messages }),
        status: "queued",
        claimed_by: null,
        claimed_by_type: null,
        claim_expires_at: null,
        outcome: null,
        note: null,
        resolved_by: null,
        resolved_at: null,
        used_at: null,
        used_request_id: null,
        created_at: now,
        updated_at: now,
        version: 1,
        mirrored_version: 0,
      };
      const actor: Actor = { type: "gateway", id: parsed.keyId ?? "anonymous" };
      this.write(created, [
        {
          actor_type: actor.type,
          actor_id: actor.id,
          action: "create",
          detail: { request_id: parsed.requestId, policy: parsed.policy, reason: parsed.reason },
          created_at: now,
        },
      ]);
      return created;
    });
    await this.settle([row.id]);
    return { ok: true, escalation: viewOf(row) };
  }

  /** One escalation with its redacted request and trail, or null when absent or out of scope. */
  async show(id: string, scope: Scope): Promise<EscalationDetail | null> {
    const checked = parseInput(showInput, { id, scope });
    if (!checked.ok) return null;
    const row = this.row(checked.value.id);
    if (!row || !visible(row, checked.value.scope)) return null;
    return { ...viewOf(row), request_json: row.request, trail: this.trail(row.id) };
  }

  /** Claims an escalation for `actor` (compare-and-set), for `ttlMs` unless renewed. */
  async claim(
    id: string,
    actor: Actor,
    scope: Scope,
    ttlMs: number = DEFAULT_CLAIM_MS,
  ): Promise<TransitionResult> {
    const checked = parseInput(claimInput, { id, actor, scope, ttlMs });
    if (!checked.ok) return checked;
    const { actor: who, ttlMs: ttl } = checked.value;
    return this.transitionAndSettle(checked.value, (row, now) => claimRule(row, who, now, ttl));
  }

  /** Gives a claim back to the queue; only its owner may. */
  async release(id: string, actor: Actor, scope: Scope): Promise<TransitionResult> {
    const checked = parseInput(releaseInput, { id, actor, scope });
    if (!checked.ok) return checked;
    const who = checked.value.actor;
    return this.transitionAndSettle(checked.value, (row, now) => releaseRule(row, who, now));
  }

  /** Decides an escalation for good, with a note. */
  async resolve(
    id: string,
    actor: Actor,
    scope: Scope,
    outcome: Outcome,
    note: string,
  ): Promise<TransitionResult> {
    const checked = parseInput(resolveInput, { id, actor, scope, outcome, note });
    if (!checked.ok) return checked;
    const { actor: who, outcome: decided, note: why } = checked.value;
    return this.transitionAndSettle(checked.value, (row, now) =>
      resolveRule(row, who, now, decided, why),
    );
  }

  /** The gateway's retry: passes once after `allow`, for the same caller and request hash. */
  async redeem(
    id: string,
    caller: Caller,
    requestHash: string,
    requestId: string,
  ): Promise<RedeemResult> {
    const checked = parseInput(redeemInput, { id, caller, requestHash, requestId });
    if (!checked.ok) return checked;
    const { caller: who, requestHash: hash, requestId: retry } = checked.value;
    const result = this.transition(checked.value.id, { teams: null }, (row, now) =>
      redeemRule(row, who, hash, retry, now),
    );
    if (!result.ok) return result;
    await this.settle([result.row.id]);
    return { ok: true, escalation: viewOf(result.row) };
  }

  /** Sweeps lapsed claims back to the queue and retries mirror writes that failed. */
  override async alarm(): Promise<void> {
    const now = Date.now();
    const lapsed = this.sql
      .exec<{ id: string }>(
        "SELECT id FROM escalations WHERE status = 'claimed' AND claim_expires_at <= ?",
        now,
      )
      .toArray();
    for (const { id } of lapsed) {
      this.transition(id, { teams: null }, (row, at) => expireRule(row, at) ?? { ok: false });
    }
    const pending = this.sql
      .exec<{ id: string }>(
        "SELECT id FROM escalations WHERE mirrored_version < version LIMIT ?",
        MIRROR_BATCH,
      )
      .toArray();
    await this.settle(pending.map((row) => row.id));
  }

  private row(id: string): EscalationRow | undefined {
    return this.sql.exec<EscalationRow>("SELECT * FROM escalations WHERE id = ?", id).toArray()[0];
  }

  private trail(id: string): TrailEntry[] {
    return this.sql
      .exec<TrailRow>(
        "SELECT seq, actor_type, actor_id, action, detail, created_at FROM trail WHERE escalation_id = ? ORDER BY seq",
        id,
      )
      .toArray()
      .map((entry) => ({
        ...entry,
        detail: entry.detail === null ? null : (JSON.parse(entry.detail) as TrailDetail),
      }));
  }

  /** Writes a row and appends its trail entries; callers run it inside `transactionSync`. */
  private write(row: EscalationRow, drafts: readonly TrailDraft[]): void {
    this.sql.exec(UPSERT, ...COLUMNS.map((column) => row[column]));
    let seq = this.sql
      .exec<{ last: number }>(
        "SELECT coalesce(max(seq), 0) AS last FROM trail WHERE escalation_id = ?",
        row.id,
      )
      .one().last;
    for (const draft of drafts) {
      seq += 1;
      this.sql.exec(
        "INSERT INTO trail (escalation_id, seq, actor_type, actor_id, action, detail, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        row.id,
        seq,
        draft.actor_type,
        draft.actor_id,
        draft.action,
        draft.detail === null ? null : JSON.stringify(draft.detail),
        draft.created_at,
      );
    }
  }

  /** Read, decide and write in one synchronous transaction: the compare-and-set. */
  private transition<Failure extends { ok: false }>(
    id: string,
    scope: Scope,
    rule: Rule<Failure>,
  ): { ok: true; row: EscalationRow } | Failure | { ok: false; error: "not_found" } {
    return this.ctx.storage.transactionSync(() => {
      const row = this.row(id);
      if (!row || !visible(row, scope)) return { ok: false as const, error: "not_found" as const };
      const result = rule(row, Date.now());
      if (!result.ok) return result;
      this.write(result.row, result.trail);
      return { ok: true as const, row: result.row };
    });
  }

  private async transitionAndSettle(
    target: { id: string; scope: Scope },
    rule: Rule<Exclude<TransitionResult, { ok: true }>>,
  ): Promise<TransitionResult> {
    const result = this.transition(target.id, target.scope, rule);
    if (!result.ok) return result;
    await this.settle([result.row.id]);
    return { ok: true, escalation: viewOf(result.row) };
  }

  /** Mirrors the given escalations to D1 (failures are retried by the alarm), then re-arms it. */
  private async settle(ids: readonly string[]): Promise<void> {
    for (const id of ids) {
      const row = this.row(id);
      if (!row || row.mirrored_version >= row.version) continue;
      try {
        await mirrorEscalation(this.env.DB, row, this.trail(id));
        this.sql.exec(
          "UPDATE escalations SET mirrored_version = max(mirrored_version, ?) WHERE id = ?",
          row.version,
          id,
        );
      } catch (error) {
        console.error(
          JSON.stringify({
            level: "error",
            escalation_id: id,
            message: "escalation mirror to D1 failed; the alarm retries it",
            error: (error as Error).message,
          }),
        );
      }
    }
    await this.rearm();
  }

  /** Sets the alarm to the next claim expiry, or sooner when a mirror write awaits a retry. */
  private async rearm(): Promise<void> {
    const next = this.sql
      .exec<{ at: number | null }>(
        "SELECT min(claim_expires_at) AS at FROM escalations WHERE status = 'claimed'",
      )
      .one().at;
    const unmirrored =
      this.sql.exec("SELECT 1 FROM escalations WHERE mirrored_version < version LIMIT 1").toArray()
        .length > 0;
    const retry = unmirrored ? Date.now() + MIRROR_RETRY_MS : null;
    const candidates = [next, retry].filter((time): time is number => time !== null);
    const current = await this.ctx.storage.getAlarm();
    if (candidates.length === 0) {
      if (current !== null) await this.ctx.storage.deleteAlarm();
      return;
    }
    const at = Math.min(...candidates);
    if (current !== at) await this.ctx.storage.setAlarm(at);
  }
}
