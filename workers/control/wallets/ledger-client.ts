import { z } from "@hono/zod-openapi";
import type { LedgerDO } from "../../../durable-objects/ledger/ledger-do.ts";
import type {
  DecideResult,
  EntryView,
  MoveResult,
  TicketView,
  Visibility,
  WalletView,
} from "../../../durable-objects/ledger/ledger-model.ts";
import { fromMicros, MICROS, toMicros } from "../../../durable-objects/ledger/money.ts";
import { seesWholeOrg } from "../auth/permissions.ts";
import type { Principal } from "../auth/principal.ts";
import type { ControlBindings } from "../env.ts";
import { notFound, Problem } from "../errors.ts";

/**
 * The org's ledger: its LedgerDO, which lives in the gateway worker and is bound
 * here through `script_name`. `wrangler types` cannot see a class of another
 * worker, so this is the one place that names its type.
 */
export function ledgerOf(env: ControlBindings, orgId: string): DurableObjectStub<LedgerDO> {
  const namespace = env.LEDGER as DurableObjectNamespace<LedgerDO>;
  return namespace.get(namespace.idFromName(orgId));
}

/**
 * What the caller may see: the whole org for owners, admins and viewers;
 * members see their own wallet and tickets and those of their teams.
 */
export function visibilityOf(principal: Principal): Visibility {
  if (seesWholeOrg(principal)) return { teams: null, userId: principal.userId };
  return { teams: [...principal.teamRoles.keys()], userId: principal.userId };
}

/** Who acted, for the ledger's entries and the tickets' decisions. */
export function actorOf(principal: Principal): string {
  return principal.userId ?? principal.keyId ?? "unknown";
}

/** An amount of money in the API: a positive decimal in currency units, at most micro precision. */
export const Amount = z
  .number()
  .positive()
  .max(1_000_000_000)
  .refine((value) => toMicros(value) >= 1, `at least ${1 / MICROS}`);

/** An ISO 4217 currency code. */
export const Currency = z.string().regex(/^[A-Z]{3}$/, "use an ISO 4217 code like USD");

/** A client's idempotency key: the same key moves the money once. */
export const IdempotencyKey = z
  .string()
  .regex(/^[\w.:-]{1,100}$/, "1-100 letters, digits, or . _ : -");

/** A wallet as the API shows it. */
export const Wallet = z
  .object({
    id: z.string(),
    scope: z.enum(["org", "team", "user"]),
    owner_id: z.string(),
    currency: z.string(),
    balance: z.number(),
    held: z.number(),
    alert_thresholds: z.array(z.number()),
    alerts_fired: z.array(z.number()),
    created_at: z.number(),
    updated_at: z.number(),
  })
  .openapi("Wallet");

/** A ledger entry as the API shows it. */
export const LedgerEntry = z
  .object({
    seq: z.number().int(),
    wallet_id: z.string(),
    kind: z.enum(["allocation", "topup", "hold", "settle", "release", "refund"]),
    amount: z.number(),
    delta: z.number(),
    balance_after: z.number(),
    idempotency_key: z.string(),
    hold_id: z.string().nullable(),
    request_id: z.string().nullable(),
    ticket_id: z.string().nullable(),
    actor: z.string().nullable(),
    detail: z.record(z.string(), z.unknown()).nullable(),
    created_at: z.number(),
  })
  .openapi("LedgerEntry");

/** A cost ticket as the API shows it. */
export const CostTicket = z
  .object({
    id: z.string(),
    status: z.enum(["pending", "approved", "funded", "denied", "used"]),
    scope: z.enum(["org", "team", "user"]),
    wallet_id: z.string(),
    team_id: z.string().nullable(),
    user_id: z.string().nullable(),
    key_id: z.string().nullable(),
    model: z.string(),
    request_id: z.string(),
    amount: z.number(),
    available: z.number(),
    currency: z.string(),
    overdraft_limit: z.number(),
    note: z.string().nullable(),
    decided_by: z.string().nullable(),
    decided_at: z.number().nullable(),
    used_request_id: z.string().nullable(),
    used_at: z.number().nullable(),
    created_at: z.number(),
    updated_at: z.number(),
  })
  .openapi("CostTicket");

/** A wallet in currency units. */
export function showWallet(wallet: WalletView): z.infer<typeof Wallet> {
  return {
    ...wallet,
    balance: fromMicros(wallet.balance),
    held: fromMicros(wallet.held),
    alert_thresholds: wallet.alert_thresholds.map(fromMicros),
    alerts_fired: wallet.alerts_fired.map(fromMicros),
  };
}

/** An entry in currency units. */
export function showEntry(entry: EntryView): z.infer<typeof LedgerEntry> {
  return {
    ...entry,
    amount: fromMicros(entry.amount),
    delta: fromMicros(entry.delta),
    balance_after: fromMicros(entry.balance_after),
  };
}

/** A ticket in currency units. */
export function showTicket(ticket: TicketView): z.infer<typeof CostTicket> {
  return {
    ...ticket,
    amount: fromMicros(ticket.amount),
    available: fromMicros(ticket.available),
    overdraft_limit: fromMicros(ticket.overdraft_limit),
  };
}

/** A refused money move as the control API's problem. */
export function moveProblem(failure: Exclude<MoveResult, { ok: true }>): Problem {
  switch (failure.error) {
    case "invalid":
      return new Problem(400, "invalid_request", "Invalid request", failure.message);
    case "currency_mismatch":
      return new Problem(
        409,
        "currency_mismatch",
        "Currency mismatch",
        `this org's wallets are in ${failure.currency}`,
      );
    case "insufficient_balance":
      return new Problem(
        409,
        "insufficient_balance",
        "Insufficient balance",
        `the source wallet has ${fromMicros(failure.available)} available`,
      );
    case "no_wallet":
      return new Problem(
        409,
        "no_wallet",
        "No wallet",
        `there is no ${failure.scope} wallet to take this from; top it up first`,
      );
  }
}

/** A refused ticket decision as the control API's problem. */
export function decideProblem(
  failure: Exclude<DecideResult, { ok: true }> | Exclude<MoveResult, { ok: true }>,
): Problem {
  switch (failure.error) {
    case "not_found":
      return notFound("cost ticket");
    case "not_pending":
      return new Problem(
        409,
        "ticket_decided",
        "Ticket already decided",
        `this cost ticket is ${failure.status}`,
      );
    default:
      return moveProblem(failure);
  }
}
