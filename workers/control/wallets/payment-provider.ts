import type { TopUpInput } from "../../../durable-objects/ledger/ledger-model.ts";

/** Money a payment provider confirmed it collected, ready to credit a wallet. */
export interface CollectedPayment {
  /** The provider's own id of the payment: the top-up's idempotency key, so a replayed webhook credits once. */
  paymentId: string;
  /** Micro-units of `currency`. */
  amount: number;
  currency: string;
  /** The wallet it pays into. */
  to: TopUpInput["to"];
}

/**
 * Where top-up money comes from. Today only `manual` exists: an admin records a
 * top-up (`POST /v1/wallets/top-up`) that was paid outside the system. A
 * self-service provider (a card checkout) implements the two steps below: start
 * a checkout for a wallet, then turn the provider's signed webhook into a
 * {@link CollectedPayment}; the control API credits it with `LedgerDO.topUp`
 * under the payment id, so the ledger stays the only place money enters.
 */
export interface PaymentProvider {
  /** The provider's name, recorded as the top-up's `source`. */
  readonly name: string;
  /** Starts a checkout and returns where to send the payer; absent for `manual`. */
  checkout?(request: {
    orgId: string;
    to: TopUpInput["to"];
    amount: number;
    currency: string;
    returnUrl: string;
  }): Promise<{ url: string }>;
  /** Verifies a webhook and returns the payment it confirms, or null when it confirms none. */
  confirm?(request: Request): Promise<CollectedPayment | null>;
}

/** Admin top-ups: money paid outside the system, recorded by someone with `spend:write`. */
export const manualPayments: PaymentProvider = { name: "manual" };

/** The top-up of a collected payment, as the ledger takes it. */
export function topUpOf(
  orgId: string,
  provider: PaymentProvider,
  payment: CollectedPayment,
  actor: string,
): TopUpInput {
  return {
    orgId,
    to: payment.to,
    amount: payment.amount,
    currency: payment.currency,
    idempotencyKey: `${provider.name}:${payment.paymentId}`,
    actor,
    source: provider.name,
    reference: payment.paymentId,
    ticketId: null,
  };
}
