import type { z } from "zod";
import type {
  allocateInputSchema,
  DecideResult,
  decideTicketSchema,
  MoveResult,
  topUpInputSchema,
} from "./ledger-model.ts";
import { entryView, walletView, type LedgerStore } from "./ledger-store.ts";
import { decideTicket } from "./ledger-tickets.ts";

type TopUp = z.infer<typeof topUpInputSchema>;
type Allocate = z.infer<typeof allocateInputSchema>;
type Decide = z.infer<typeof decideTicketSchema>;

/** The answer for a move already made under this idempotency key: what it wrote, nothing new. */
function replay(store: LedgerStore, keys: string[]): MoveResult | undefined {
  const entries = keys.map((key) => store.entryByKey(key));
  if (entries.some((entry) => entry === undefined)) return undefined;
  const found = entries.filter((entry) => entry !== undefined);
  const wallets = found
    .map((entry) => store.wallet(entry.wallet_id))
    .filter((wallet) => wallet !== undefined);
  return {
    ok: true,
    duplicate: true,
    entries: found.map(entryView),
    wallets: wallets.map(walletView),
  };
}

/** The org's currency: set by its first wallet; every wallet of the org uses it. */
function currencyCheck(
  store: LedgerStore,
  currency: string,
): { ok: false; error: "currency_mismatch"; currency: string } | undefined {
  const current = store.meta("currency");
  if (current !== undefined && current !== currency)
    return { ok: false, error: "currency_mismatch", currency: current };
  return undefined;
}

/**
 * New money into a wallet (run inside `transactionSync`): an admin's top-up, or
 * one collected by a payment provider. Creates the wallet on first use; the
 * org's first wallet fixes its currency. Idempotent by key.
 */
export function topUp(store: LedgerStore, input: TopUp, now: number): MoveResult {
  const key = `topup:${input.idempotencyKey}`;
  const done = replay(store, [key]);
  if (done) return done;
  const mismatch = currencyCheck(store, input.currency);
  if (mismatch) return mismatch;
  if (!store.meta("org_id")) store.setMeta("org_id", input.orgId);
  store.setMeta("currency", input.currency);
  const wallet = store.ensureWallet(input.to, input.currency, now);
  const after = store.post(
    wallet,
    {
      kind: "topup",
      amount: input.amount,
      delta: input.amount,
      heldDelta: 0,
      idempotencyKey: key,
      ticketId: input.ticketId,
      actor: input.actor,
      detail: { source: input.source, ...(input.reference ? { reference: input.reference } : {}) },
    },
    now,
  );
  const entry = store.entryByKey(key);
  return {
    ok: true,
    duplicate: false,
    entries: entry ? [entryView(entry)] : [],
    wallets: [walletView(after)],
  };
}

/**
 * Moves credit down the cascade (run inside `transactionSync`): debits the
 * source wallet, which must cover it, and credits the target, created on first
 * use. Both entries share the idempotency key (`:from`, `:to`), so a retried
 * allocation moves the money once.
 */
export function allocate(store: LedgerStore, input: Allocate, now: number): MoveResult {
  const keys = [`allocate:${input.idempotencyKey}:from`, `allocate:${input.idempotencyKey}:to`];
  const done = replay(store, keys);
  if (done) return done;
  const mismatch = currencyCheck(store, input.currency);
  if (mismatch) return mismatch;
  const source = store.walletFor(input.from);
  if (!source) return { ok: false, error: "no_wallet", scope: input.from.scope };
  if (source.balance < input.amount)
    return { ok: false, error: "insufficient_balance", available: Math.max(0, source.balance) };
  const target = store.ensureWallet(input.to, input.currency, now);
  const detail = {
    from: { scope: input.from.scope, owner_id: input.from.ownerId },
    to: { scope: input.to.scope, owner_id: input.to.ownerId },
  };
  const [fromKey, toKey] = keys as [string, string];
  const debited = store.post(
    source,
    {
      kind: "allocation",
      amount: input.amount,
      delta: -input.amount,
      heldDelta: 0,
      idempotencyKey: fromKey,
      actor: input.actor,
      detail,
    },
    now,
  );
  const credited = store.post(
    target,
    {
      kind: "allocation",
      amount: input.amount,
      delta: input.amount,
      heldDelta: 0,
      idempotencyKey: toKey,
      actor: input.actor,
      detail,
    },
    now,
  );
  const entries = keys.map((key) => store.entryByKey(key)).filter((entry) => entry !== undefined);
  return {
    ok: true,
    duplicate: false,
    entries: entries.map(entryView),
    wallets: [walletView(debited), walletView(credited)],
  };
}

/**
 * Funds a pending cost ticket (run inside `transactionSync`): tops up the wallet
 * that ran out, by `amount` or by what the request lacked, and marks the ticket
 * funded, together. The retry then pays through the cascade.
 */
export function fundTicket(
  store: LedgerStore,
  input: Decide,
  now: number,
): DecideResult | MoveResult {
  const ticket = store.ticket(input.ticketId);
  const wallet = ticket ? store.wallet(ticket.wallet_id) : undefined;
  if (!ticket || !wallet) return { ok: false, error: "not_found" };
  if (ticket.status !== "pending")
    return { ok: false, error: "not_pending", status: ticket.status };
  const lacking = Math.max(1, ticket.amount - Math.max(0, wallet.balance));
  const moved = topUp(
    store,
    {
      orgId: input.orgId,
      to: { scope: wallet.scope, ownerId: wallet.owner_id },
      amount: input.amount ?? lacking,
      currency: wallet.currency,
      idempotencyKey: input.idempotencyKey ?? `fund:${ticket.id}`,
      actor: input.actor,
      source: "manual",
      reference: null,
      ticketId: ticket.id,
    },
    now,
  );
  if (!moved.ok) return moved;
  return decideTicket(
    store,
    ticket.id,
    { status: "funded", actor: input.actor, note: input.note, overdraftLimit: 0 },
    now,
  );
}
