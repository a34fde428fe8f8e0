import type { TargetConfig } from "../../policy/index.ts";
import { priceFromUnits, type Price } from "../../../durable-objects/ledger/money.ts";

/** How long a price read from D1 is reused in this isolate: an edit is seen within this time. */
export const PRICE_CACHE_MS = 60_000;
const MAX_CACHED = 5_000;

interface Cached {
  price: Price | null;
  until: number;
}
const cache = new Map<string, Cached>();

interface PricingRow {
  currency: string;
  input_micros: number;
  output_micros: number;
  cached_input_micros: number | null;
}

/** The price a config's target carries (`pricing:`), which overrides the pricing table. */
function configPrice(target: TargetConfig): Price | null {
  if (!target.pricing) return null;
  return priceFromUnits({ currency: "USD", ...target.pricing });
}

/**
 * What a target costs for an org: the config's `pricing` if it sets one, else
 * the newest row of the pricing table in effect (the org's own rows before the
 * defaults, an exact model before the provider's `*`). Null when no price is
 * known. Table reads are cached in the isolate for {@link PRICE_CACHE_MS}.
 */
export async function priceOf(
  database: D1Database,
  orgId: string | undefined,
  target: TargetConfig,
  now = Date.now(),
): Promise<Price | null> {
  const fromConfig = configPrice(target);
  if (fromConfig) return fromConfig;
  const key = `${orgId ?? ""}\n${target.provider}\n${target.model}`;
  const cached = cache.get(key);
  if (cached && cached.until > now) return cached.price;
  const row = await database
    .prepare(
      `SELECT currency, input_micros, output_micros, cached_input_micros FROM pricing
       WHERE provider = ?1 AND model IN (?2, '*') AND (org_id = ?3 OR org_id IS NULL) AND effective_from <= ?4
       ORDER BY (org_id IS NULL), (model = '*'), effective_from DESC LIMIT 1`,
    )
    .bind(target.provider, target.model, orgId ?? null, now)
    .first<PricingRow>();
  const price: Price | null = row
    ? {
        currency: row.currency,
        input: row.input_micros,
        output: row.output_micros,
        cachedInput: row.cached_input_micros,
      }
    : null;
  if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value as string);
  cache.set(key, { price, until: now + PRICE_CACHE_MS });
  return price;
}
