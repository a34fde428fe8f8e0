import type { HoldRefusal } from "../../../durable-objects/ledger/ledger-model.ts";
import { fromMicros } from "../../../durable-objects/ledger/money.ts";
import { GatewayError } from "../errors.ts";

/** The header that names a cost ticket: in the 402 of a refused request, and on its retry. */
export const COST_TICKET_HEADER = "x-keeptrusts-cost-ticket";

const money = (micros: number, currency: string) =>
  `${fromMicros(micros)
    .toFixed(6)
    .replace(/0{1,4}$/, "")} ${currency}`;

/** What a refusal is blamed on in the decision event (`blocked_by`). */
export function blamed(refusal: HoldRefusal): string {
  switch (refusal.error) {
    case "cost_limit_exceeded":
      return "cost-check";
    case "daily_budget_exceeded":
      return "daily_budget";
    default:
      return "wallet";
  }
}

/**
 * The public answer for each reason the ledger refused a hold: 402 when money
 * (or a budget) ran out, with the cost ticket to retry with; 403 when the
 * request cannot be billed or its ticket was refused; 404 for an unknown ticket.
 */
export function refusalError(refusal: HoldRefusal, currency: string): GatewayError {
  switch (refusal.error) {
    case "invalid":
      // Everything sent was checked or computed here: the ledger refusing it is our bug.
      throw new Error(`the ledger refused a hold: ${refusal.message}`);
    case "insufficient_balance":
      return new GatewayError(
        402,
        "insufficient_balance",
        `the ${refusal.scope} wallet cannot cover this request (up to ${money(refusal.needed, refusal.currency)}; ${money(refusal.available, refusal.currency)} available). Cost ticket ${refusal.ticketId} asks an admin to approve or fund it; then retry with ${COST_TICKET_HEADER}: ${refusal.ticketId}`,
        {
          type: "insufficient_quota",
          headers: { [COST_TICKET_HEADER]: refusal.ticketId },
          extra: {
            cost_ticket_id: refusal.ticketId,
            scope: refusal.scope,
            needed: fromMicros(refusal.needed),
            available: fromMicros(refusal.available),
            currency: refusal.currency,
          },
        },
      );
    case "daily_budget_exceeded":
      return new GatewayError(
        402,
        "daily_budget_exceeded",
        `this key's daily budget of ${money(refusal.limit, currency)} is spent or held (${money(refusal.spent, currency)} so far; this request needs up to ${money(refusal.needed, currency)})`,
        {
          type: "insufficient_quota",
          extra: {
            limit: fromMicros(refusal.limit),
            spent: fromMicros(refusal.spent),
            needed: fromMicros(refusal.needed),
            currency,
          },
        },
      );
    case "cost_limit_exceeded":
      return new GatewayError(
        402,
        "cost_limit_exceeded",
        refusal.limit === "request"
          ? `this request may cost up to ${money(refusal.needed, currency)}, above the ${money(refusal.max, currency)} per request that cost-check allows; lower max_tokens`
          : `this session has spent or holds ${money(refusal.spent, currency)} of the ${money(refusal.max, currency)} cost-check allows; this request needs up to ${money(refusal.needed, currency)}`,
        {
          type: "insufficient_quota",
          extra: {
            limit: refusal.limit,
            max: fromMicros(refusal.max),
            spent: fromMicros(refusal.spent),
            needed: fromMicros(refusal.needed),
            currency,
          },
        },
      );
    case "not_priced":
      return new GatewayError(
        403,
        "model_not_priced",
        "this model has no price, so its spend cannot be limited; an admin adds one with kt pricing set",
        { type: "permission_error", param: "model" },
      );
    case "currency_mismatch":
      return new GatewayError(
        403,
        "model_not_priced",
        `this model has no price in ${refusal.currency}, the currency of this org's wallets; an admin adds one with kt pricing set`,
        { type: "permission_error", param: "model" },
      );
    case "ticket_not_found":
      return new GatewayError(
        404,
        "cost_ticket_not_found",
        `no cost ticket ${refusal.ticketId} for this caller`,
        { type: "not_found_error", extra: { cost_ticket_id: refusal.ticketId } },
      );
    case "ticket_pending":
      return new GatewayError(
        402,
        "cost_ticket_pending",
        `cost ticket ${refusal.ticketId} has not been approved or funded yet`,
        { type: "insufficient_quota", extra: { cost_ticket_id: refusal.ticketId } },
      );
    case "ticket_denied":
      return new GatewayError(
        403,
        "cost_ticket_denied",
        `cost ticket ${refusal.ticketId} was denied`,
        { type: "permission_error", extra: { cost_ticket_id: refusal.ticketId } },
      );
    case "ticket_used":
      return new GatewayError(
        403,
        "cost_ticket_used",
        `cost ticket ${refusal.ticketId} let one request through, and it has been sent already`,
        { type: "permission_error", extra: { cost_ticket_id: refusal.ticketId } },
      );
  }
}
