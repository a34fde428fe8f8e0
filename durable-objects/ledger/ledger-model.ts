import { z } from "zod";
import { MAX_AMOUNT_MICROS } from "./money.ts";

/** The levels of the wallet cascade, most specific first. */
export const WALLET_SCOPES = ["user", "team", "org"] as const;
/** One of {@link WALLET_SCOPES}. */
export type WalletScope = (typeof WALLET_SCOPES)[number];

/** What each ledger entry records. */
export const ENTRY_KINDS = ["allocation", "topup", "hold", "settle", "release", "refund"] as const;
/** One of {@link ENTRY_KINDS}. */
export type EntryKind = (typeof ENTRY_KINDS)[number];

/** Where a cost ticket is in its life. */
export const TICKET_STATUSES = ["pending", "approved", "funded", "denied", "used"] as const;
/** One of {@link TICKET_STATUSES}. */
export type TicketStatus = (typeof TICKET_STATUSES)[number];

/** A value of an entry's detail: a scalar or a flat object of scalars (what RPC carries simply). */
export type JsonValue =
  string | number | boolean | null | { [key: string]: string | number | boolean | null };

/** How long a hold lives unless settled or released: then the alarm returns its credit. */
export const DEFAULT_HOLD_TTL_MS = 15 * 60_000;

const id = z.string().min(1).max(200);
const micros = z.number().int().min(0).max(MAX_AMOUNT_MICROS);
const positiveMicros = micros.min(1);
const currency = z.string().regex(/^[A-Z]{3}$/);
const tokens = z.number().int().min(0).max(100_000_000);

/** A price per million tokens in micros (see money.ts). */
export const priceSchema = z.strictObject({
  currency,
  input: micros,
  output: micros,
  cachedInput: micros.nullable(),
});

/** `hold`: reserve the estimated maximum cost of a request before the upstream call. */
export const holdInputSchema = z.strictObject({
  orgId: id,
  /** The request id: one hold per request, so a repeated hold is the same hold. */
  holdId: id,
  teamId: id.nullable(),
  userId: id.nullable(),
  keyId: id.nullable(),
  model: z.string().min(1).max(200),
  /** The estimated maximum cost (prompt + max output tokens at the dearest candidate price). */
  amount: micros,
  currency,
  /** False when no price is known for the model: the amount is then 0. */
  priced: z.boolean(),
  ttlMs: z
    .number()
    .int()
    .min(1_000)
    .max(24 * 3_600_000)
    .optional(),
  /** A cost ticket named by the retry (`x-keeptrusts-cost-ticket`). */
  ticketId: id.optional(),
  limits: z.strictObject({
    /** The gateway key's daily budget. */
    keyDailyBudget: positiveMicros.nullable(),
    /** `cost-check` max_cost_per_request. */
    perRequest: positiveMicros.nullable(),
    /** `cost-check` max_cost_per_session, with the session it counts. */
    session: z.strictObject({ id, limit: positiveMicros }).nullable(),
  }),
});
/** The input of `hold`. */
export type HoldInput = z.input<typeof holdInputSchema>;

/** The token counts a settle charges for. */
export const usageSchema = z.strictObject({
  promptTokens: tokens,
  cachedTokens: tokens,
  completionTokens: tokens,
});

/** `settle`: charge the real cost of a request and release the rest of its hold. */
export const settleInputSchema = z.strictObject({
  orgId: id,
  holdId: id,
  usage: usageSchema,
  /** True when the usage is a tokenizer estimate (the provider reported none). */
  estimated: z.boolean(),
  /** The price of the target that answered; null when none is known. */
  price: priceSchema.nullable(),
  provider: z.string().min(1).max(100),
  model: z.string().min(1).max(200),
});
/** The input of `settle`. */
export type SettleInput = z.input<typeof settleInputSchema>;

/** `release`: give a hold back in full (the upstream call failed, nothing was spent). */
export const releaseInputSchema = z.strictObject({
  orgId: id,
  holdId: id,
  reason: z.string().min(1).max(200),
});
/** The input of `release`. */
export type ReleaseInput = z.input<typeof releaseInputSchema>;

/** A wallet named by its level and owner (the org id, a team id or a user id). */
export const walletRefSchema = z.strictObject({ scope: z.enum(WALLET_SCOPES), ownerId: id });
/** A wallet named by its level and owner. */
export type WalletRef = z.infer<typeof walletRefSchema>;

/** `topUp`: new money into a wallet (admin, or a payment provider once one is wired). */
export const topUpInputSchema = z.strictObject({
  orgId: id,
  to: walletRefSchema,
  amount: positiveMicros,
  currency,
  idempotencyKey: id,
  actor: id,
  /** Who collected the money: `manual` for an admin top-up. */
  source: z.string().min(1).max(50),
  reference: z.string().max(200).nullable(),
  ticketId: id.nullable(),
});
/** The input of `topUp`. */
export type TopUpInput = z.input<typeof topUpInputSchema>;

/** `allocate`: move credit down the cascade, from the org (or a team) to a team or a user. */
export const allocateInputSchema = z.strictObject({
  orgId: id,
  from: walletRefSchema,
  to: walletRefSchema,
  amount: positiveMicros,
  currency,
  idempotencyKey: id,
  actor: id,
});
/** The input of `allocate`. */
export type AllocateInput = z.input<typeof allocateInputSchema>;

/** Which wallets, tickets and entries a caller may see: null teams means the whole org. */
export const visibilitySchema = z.strictObject({
  teams: z.array(id).max(1000).nullable(),
  userId: id.nullable(),
});
/** Which wallets, tickets and entries a caller may see. */
export type Visibility = z.infer<typeof visibilitySchema>;

/** `approveTicket`, `denyTicket`, `fundTicket`: an admin's decision on a cost ticket. */
export const decideTicketSchema = z.strictObject({
  orgId: id,
  ticketId: id,
  actor: id,
  note: z.string().max(1000).nullable(),
  /** approve: how far below zero the retried request may take the wallet. */
  overdraftLimit: micros.optional(),
  /** fund: the top-up that lets the retry pay; its idempotency key. */
  amount: positiveMicros.optional(),
  idempotencyKey: id.optional(),
});
/** The input of the ticket decisions. */
export type DecideTicketInput = z.input<typeof decideTicketSchema>;

/** One wallet as the ledger holds it (amounts in micros). */
export interface WalletView {
  id: string;
  scope: WalletScope;
  owner_id: string;
  currency: string;
  /** What can still be spent: credit minus open holds. */
  balance: number;
  /** Reserved by open holds. */
  held: number;
  alert_thresholds: number[];
  /** Thresholds the balance is below now (each alerted once when crossed). */
  alerts_fired: number[];
  created_at: number;
  updated_at: number;
}

/** One ledger entry (amounts in micros). */
export interface EntryView {
  seq: number;
  wallet_id: string;
  kind: EntryKind;
  /** The money the entry is about (a hold's size, a settle's cost, …). */
  amount: number;
  /** Its change to the wallet's balance: the deltas of a wallet sum to its balance. */
  delta: number;
  balance_after: number;
  idempotency_key: string;
  hold_id: string | null;
  request_id: string | null;
  ticket_id: string | null;
  actor: string | null;
  detail: { [key: string]: JsonValue } | null;
  created_at: number;
}

/** One cost ticket (amounts in micros). */
export interface TicketView {
  id: string;
  status: TicketStatus;
  /** The level of the cascade that ran out (the caller's most specific wallet). */
  scope: WalletScope;
  wallet_id: string;
  team_id: string | null;
  user_id: string | null;
  key_id: string | null;
  model: string;
  request_id: string;
  /** The hold the request needed. */
  amount: number;
  /** What the wallets of the cascade had between them when it was refused. */
  available: number;
  currency: string;
  overdraft_limit: number;
  note: string | null;
  decided_by: string | null;
  decided_at: number | null;
  used_request_id: string | null;
  used_at: number | null;
  created_at: number;
  updated_at: number;
}

/** An RPC input the ledger refused as malformed. */
export interface Invalid {
  ok: false;
  error: "invalid";
  message: string;
}

/** Why a hold was refused. */
export type HoldRefusal =
  | Invalid
  | {
      ok: false;
      error: "insufficient_balance";
      ticketId: string;
      scope: WalletScope;
      needed: number;
      available: number;
      currency: string;
    }
  | { ok: false; error: "daily_budget_exceeded"; limit: number; spent: number; needed: number }
  | {
      ok: false;
      error: "cost_limit_exceeded";
      limit: "request" | "session";
      max: number;
      spent: number;
      needed: number;
    }
  | { ok: false; error: "not_priced" }
  | { ok: false; error: "currency_mismatch"; currency: string }
  | {
      ok: false;
      error: "ticket_not_found" | "ticket_pending" | "ticket_denied" | "ticket_used";
      ticketId: string;
    };

/** The answer to `hold`. */
export type HoldResult =
  | {
      ok: true;
      /** False while the org has no wallet: requests are priced and recorded, not limited. */
      metered: boolean;
      walletId: string | null;
      scope: WalletScope | null;
      amount: number;
    }
  | HoldRefusal;

/** The answer to `settle` and `release`. */
export type CloseResult =
  | {
      ok: true;
      /** The real cost; null when the request had no price. */
      cost: number | null;
      /** What the wallet paid (the cost, unless the wallet could not cover more than the hold). */
      charged: number;
      /** Cost the wallet could not cover (the hold was too small or had expired). */
      uncollected: number;
      /** True when this hold was closed before: nothing changed. */
      duplicate: boolean;
    }
  | Invalid
  | { ok: false; error: "not_found" };

/** The answer to a money move (top-up, allocation). */
export type MoveResult =
  | { ok: true; duplicate: boolean; entries: EntryView[]; wallets: WalletView[] }
  | Invalid
  | { ok: false; error: "currency_mismatch"; currency: string }
  | { ok: false; error: "insufficient_balance"; available: number }
  | { ok: false; error: "no_wallet"; scope: WalletScope };

/** The answer to a ticket decision. */
export type DecideResult =
  | { ok: true; ticket: TicketView }
  | Invalid
  | { ok: false; error: "not_found" }
  | { ok: false; error: "not_pending"; status: TicketStatus };

/** Parses an RPC input, or says why it is malformed. */
export function parseInput<Schema extends z.ZodType>(
  schema: Schema,
  input: unknown,
): { ok: true; value: z.infer<Schema> } | Invalid {
  const parsed = schema.safeParse(input);
  if (parsed.success) return { ok: true, value: parsed.data };
  const message = parsed.error.issues
    .map((issue) => `${issue.path.map(String).join(".") || "input"}: ${issue.message}`)
    .join("; ");
  return { ok: false, error: "invalid", message };
}
