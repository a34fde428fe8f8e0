import { targets, type CompiledChain, type PolicyContext } from "../../policy/index.ts";
import { toMicros } from "../../../durable-objects/ledger/money.ts";

/** The `cost-check` limits that apply to one request, in micros (null: no limit). */
export interface CostLimits {
  perRequest: number | null;
  perSession: number | null;
  currency: string;
}

interface CostCheckSettings {
  max_cost_per_request?: number;
  max_cost_per_session?: number;
  currency: string;
}

const lower = (a: number | null, b: number | undefined): number | null =>
  b === undefined ? a : a === null ? toMicros(b) : Math.min(a, toMicros(b));

/**
 * The limits of the `cost-check` items of the chain that target this caller
 * (enabled, and matching its team, role, user, model): the strictest of each.
 * The ledger enforces them when it places the request's hold.
 */
export function costLimitsOf(chain: CompiledChain, context: PolicyContext): CostLimits {
  let perRequest: number | null = null;
  let perSession: number | null = null;
  let currency = "USD";
  if (!chain.enabled) return { perRequest, perSession, currency };
  for (const item of chain.items) {
    if (item.config.policy !== "cost-check" || !item.config.enabled) continue;
    if (!targets(item.config.targeting, context)) continue;
    const settings = item.config.settings as CostCheckSettings;
    perRequest = lower(perRequest, settings.max_cost_per_request);
    perSession = lower(perSession, settings.max_cost_per_session);
    currency = settings.currency;
  }
  return { perRequest, perSession, currency };
}
