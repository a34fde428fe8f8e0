import type { z } from "zod";
import type {
  CloseResult,
  HoldResult,
  holdInputSchema,
  releaseInputSchema,
  settleInputSchema,
} from "./ledger-model.ts";
import { DEFAULT_HOLD_TTL_MS } from "./ledger-model.ts";
import type { LedgerStore, WalletRow } from "./ledger-store.ts";
import { openTicket, usableTicket, useTicket, type Caller } from "./ledger-tickets.ts";
import { costOf, dayOf } from "./money.ts";

type Hold = z.infer<typeof holdInputSchema>;
type Settle = z.infer<typeof settleInputSchema>;
type Release = z.infer<typeof releaseInputSchema>;

/** A hold row of the DO's SQLite. */
export interface HoldRow extends Record<string, SqlStorageValue> {
  id: string;
  wallet_id: string | null;
  amount: number;
  overdraft: number;
  status: "held" | "settled" | "released" | "expired";
  team_id: string | null;
  user_id: string | null;
  key_id: string | null;
  model: string;
  currency: string;
  priced: number;
  counters: string;
  ticket_id: string | null;
  cost: number | null;
  expires_at: number;
  created_at: number;
  closed_at: number | null;
}

function holdRow(store: LedgerStore, id: string): HoldRow | undefined {
  return store.sql.exec<HoldRow>("SELECT * FROM holds WHERE id = ?", id).toArray()[0];
}

/** The wallets of the cascade that exist, in order: the user's, the team's, the org's. */
function cascade(store: LedgerStore, orgId: string, caller: Caller): WalletRow[] {
  const wallets = [
    caller.userId ? store.walletFor({ scope: "user", ownerId: caller.userId }) : undefined,
    caller.teamId ? store.walletFor({ scope: "team", ownerId: caller.teamId }) : undefined,
    store.walletFor({ scope: "org", ownerId: orgId }),
  ];
  return wallets.filter((wallet): wallet is WalletRow => wallet !== undefined);
}

/** Checks the limits that do not depend on a wallet; returns the counters the hold will add to. */
function checkLimits(
  store: LedgerStore,
  input: Hold,
  now: number,
): { ok: true; counters: string[] } | Exclude<HoldResult, { ok: true }> {
  const { limits, amount } = input;
  const counters: string[] = [];
  if (limits.perRequest !== null && amount > limits.perRequest)
    return {
      ok: false,
      error: "cost_limit_exceeded",
      limit: "request",
      max: limits.perRequest,
      spent: 0,
      needed: amount,
    };
  if (input.keyId) {
    const id = `key:${input.keyId}:${dayOf(now)}`;
    counters.push(id);
    const { spent, held } = store.counter(id);
    if (limits.keyDailyBudget !== null && spent + held + amount > limits.keyDailyBudget)
      return {
        ok: false,
        error: "daily_budget_exceeded",
        limit: limits.keyDailyBudget,
        spent: spent + held,
        needed: amount,
      };
  }
  if (limits.session) {
    const id = `session:${limits.session.id}`;
    counters.push(id);
    const { spent, held } = store.counter(id);
    if (spent + held + amount > limits.session.limit)
      return {
        ok: false,
        error: "cost_limit_exceeded",
        limit: "session",
        max: limits.session.limit,
        spent: spent + held,
        needed: amount,
      };
  }
  return { ok: true, counters };
}

/**
 * Reserves the estimated maximum cost of a request (run inside `transactionSync`).
 * Limits first (key daily budget, cost-check), then the cascade: the first
 * wallet with enough balance pays. When none can, a retry naming an approved
 * ticket may take the ticket's wallet below zero by the approved overdraft;
 * otherwise a cost ticket is opened and the refusal names it. Idempotent by hold id.
 */
export function placeHold(store: LedgerStore, input: Hold, now: number): HoldResult {
  const existing = holdRow(store, input.holdId);
  if (existing) {
    const wallet = existing.wallet_id ? store.wallet(existing.wallet_id) : undefined;
    return {
      ok: true,
      metered: wallet !== undefined,
      walletId: wallet?.id ?? null,
      scope: wallet?.scope ?? null,
      amount: existing.amount,
    };
  }
  if (!store.meta("org_id")) store.setMeta("org_id", input.orgId);
  const metered = store.metered();
  const currency = store.meta("currency");
  const limited =
    input.limits.keyDailyBudget !== null ||
    input.limits.perRequest !== null ||
    input.limits.session !== null;
  if (!input.priced && (metered || limited)) return { ok: false, error: "not_priced" };
  if (input.priced && currency !== undefined && currency !== input.currency && metered)
    return { ok: false, error: "currency_mismatch", currency };
  const limits = checkLimits(store, input, now);
  if (!limits.ok) return limits;
  const caller: Caller = { teamId: input.teamId, userId: input.userId, keyId: input.keyId };

  let payer: WalletRow | undefined;
  let floor = 0;
  let ticketId: string | null = null;
  if (metered) {
    const wallets = cascade(store, input.orgId, caller);
    payer = wallets.find((wallet) => wallet.balance >= input.amount);
    const ticket = input.ticketId ? usableTicket(store, input.ticketId, caller) : undefined;
    if (!payer && ticket && !ticket.ok) return ticket;
    if (!payer && ticket?.ok) {
      const wallet = store.wallet(ticket.ticket.wallet_id);
      if (wallet && wallet.balance - input.amount >= -ticket.ticket.overdraft_limit) {
        payer = wallet;
        floor = -ticket.ticket.overdraft_limit;
      }
    }
    if (!payer) {
      // A metered org where this caller has no wallet at all: the org's (empty) wallet ran out.
      const first =
        wallets[0] ??
        store.ensureWallet({ scope: "org", ownerId: input.orgId }, currency ?? input.currency, now);
      const available = wallets.reduce((sum, wallet) => sum + Math.max(0, wallet.balance), 0);
      const opened = openTicket(
        store,
        first,
        caller,
        { requestId: input.holdId, model: input.model, amount: input.amount, available },
        now,
      );
      return {
        ok: false,
        error: "insufficient_balance",
        ticketId: opened.id,
        scope: first.scope,
        needed: input.amount,
        available,
        currency: first.currency,
      };
    }
    if (ticket?.ok) {
      ticketId = ticket.ticket.id;
      useTicket(store, ticket.ticket, input.holdId, now);
    }
  }

  store.sql.exec(
    "INSERT INTO holds (id, wallet_id, amount, overdraft, status, team_id, user_id, key_id, model, currency, priced, counters, ticket_id, expires_at, created_at) VALUES (?, ?, ?, ?, 'held', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    input.holdId,
    payer?.id ?? null,
    input.amount,
    payer && floor < 0 ? Math.max(0, input.amount - Math.max(0, payer.balance)) : 0,
    input.teamId,
    input.userId,
    input.keyId,
    input.model,
    input.currency,
    input.priced ? 1 : 0,
    JSON.stringify(limits.counters),
    ticketId,
    now + (input.ttlMs ?? DEFAULT_HOLD_TTL_MS),
    now,
  );
  for (const counter of limits.counters) store.count(counter, 0, input.amount, now);
  if (payer) {
    store.post(
      payer,
      {
        kind: "hold",
        amount: input.amount,
        delta: -input.amount,
        heldDelta: input.amount,
        idempotencyKey: `hold:${input.holdId}`,
        holdId: input.holdId,
        requestId: input.holdId,
        ticketId,
        detail: { model: input.model, ...(floor < 0 ? { overdraft_limit: -floor } : {}) },
      },
      now,
      floor,
    );
  }
  return {
    ok: true,
    metered,
    walletId: payer?.id ?? null,
    scope: payer?.scope ?? null,
    amount: input.amount,
  };
}

/** Returns an open hold's reservation to its wallet and counters (release or expiry). */
function returnHold(
  store: LedgerStore,
  hold: HoldRow,
  status: "released" | "expired",
  reason: string,
  now: number,
): void {
  for (const counter of JSON.parse(hold.counters) as string[])
    store.count(counter, 0, -hold.amount, now);
  const wallet = hold.wallet_id ? store.wallet(hold.wallet_id) : undefined;
  if (wallet)
    store.post(
      wallet,
      {
        kind: "release",
        amount: hold.amount,
        delta: hold.amount,
        heldDelta: -hold.amount,
        idempotencyKey: `release:${hold.id}`,
        holdId: hold.id,
        requestId: hold.id,
        detail: { reason },
      },
      now,
    );
  store.sql.exec("UPDATE holds SET status = ?, closed_at = ? WHERE id = ?", status, now, hold.id);
}

/**
 * Charges the real cost of a request and releases the rest of its hold (run
 * inside `transactionSync`). A cost above the hold is taken from the same wallet
 * as far as its balance goes; what it cannot cover is recorded as uncollected,
 * never pushed below zero. A settle after the hold expired charges the wallet
 * directly. Idempotent: a hold settles once.
 */
export function settleHold(store: LedgerStore, input: Settle, now: number): CloseResult {
  const hold = holdRow(store, input.holdId);
  if (!hold) return { ok: false, error: "not_found" };
  if (hold.status === "settled" || hold.status === "released")
    return { ok: true, cost: hold.cost, charged: 0, uncollected: 0, duplicate: true };
  const price = input.price && input.price.currency === hold.currency ? input.price : null;
  const cost = price ? costOf(input.usage, price) : null;
  const wallet = hold.wallet_id ? store.wallet(hold.wallet_id) : undefined;
  const open = hold.status === "held";
  const owed = cost ?? 0;
  const fromHold = open && wallet ? Math.min(owed, hold.amount) : 0;
  const extra = wallet ? owed - fromHold : 0;
  const collected = wallet ? Math.min(extra, Math.max(0, wallet.balance)) : 0;
  const uncollected = extra - collected;
  for (const counter of JSON.parse(hold.counters) as string[])
    store.count(counter, owed, open ? -hold.amount : 0, now);
  const detail = {
    model: input.model,
    provider: input.provider,
    prompt_tokens: input.usage.promptTokens,
    cached_tokens: input.usage.cachedTokens,
    completion_tokens: input.usage.completionTokens,
    estimated: input.estimated,
    ...(price ? { price } : {}),
    ...(uncollected > 0 ? { uncollected } : {}),
    ...(open ? {} : { after: "expiry" }),
  };
  if (wallet) {
    const after = store.post(
      wallet,
      {
        kind: "settle",
        amount: fromHold + collected,
        delta: -collected,
        heldDelta: -fromHold,
        idempotencyKey: `settle:${hold.id}`,
        holdId: hold.id,
        requestId: hold.id,
        detail,
      },
      now,
      Math.min(0, wallet.balance),
    );
    if (open && hold.amount > fromHold)
      store.post(
        after,
        {
          kind: "release",
          amount: hold.amount - fromHold,
          delta: hold.amount - fromHold,
          heldDelta: -(hold.amount - fromHold),
          idempotencyKey: `release:${hold.id}`,
          holdId: hold.id,
          requestId: hold.id,
          detail: { reason: "settled" },
        },
        now,
      );
  }
  store.sql.exec(
    "UPDATE holds SET status = 'settled', cost = ?, closed_at = ? WHERE id = ?",
    cost,
    now,
    hold.id,
  );
  store.outbox("usage", {
    request_id: hold.id,
    org_id: store.meta("org_id") ?? input.orgId,
    day: dayOf(hold.created_at),
    team_id: hold.team_id,
    user_id: hold.user_id,
    key_id: hold.key_id,
    provider: input.provider,
    model: input.model,
    prompt_tokens: input.usage.promptTokens,
    cached_tokens: input.usage.cachedTokens,
    completion_tokens: input.usage.completionTokens,
    cost,
    charged: fromHold + collected,
    uncollected,
    currency: hold.currency,
    estimated: input.estimated,
    wallet_id: hold.wallet_id,
    created_at: now,
  });
  return { ok: true, cost, charged: fromHold + collected, uncollected, duplicate: false };
}

/** Gives a hold back in full: nothing was spent (run inside `transactionSync`). Idempotent. */
export function releaseHold(store: LedgerStore, input: Release, now: number): CloseResult {
  const hold = holdRow(store, input.holdId);
  if (!hold) return { ok: false, error: "not_found" };
  if (hold.status !== "held")
    return { ok: true, cost: hold.cost, charged: 0, uncollected: 0, duplicate: true };
  returnHold(store, hold, "released", input.reason, now);
  return { ok: true, cost: null, charged: 0, uncollected: 0, duplicate: false };
}

/** Expires the holds whose time is up (the alarm): their credit returns. Returns how many. */
export function expireHolds(store: LedgerStore, now: number, limit: number): number {
  const due = store.sql
    .exec<HoldRow>(
      "SELECT * FROM holds WHERE status = 'held' AND expires_at <= ? ORDER BY expires_at LIMIT ?",
      now,
      limit,
    )
    .toArray();
  for (const hold of due) returnHold(store, hold, "expired", "expired", now);
  return due.length;
}

/** When the next open hold expires, or null. */
export function nextExpiry(store: LedgerStore): number | null {
  return store.sql
    .exec<{ at: number | null }>("SELECT min(expires_at) AS at FROM holds WHERE status = 'held'")
    .one().at;
}
