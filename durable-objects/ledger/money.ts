/**
 * Money and prices as the ledger counts them. Pure: used by the LedgerDO, the
 * gateway's metering and the control API alike, so a cost is computed one way.
 *
 * Amounts are integer micro-units of the currency (1 USD = 1,000,000 micros), so
 * sums are exact. Prices are micro-units per million tokens, which makes a cost
 * `tokens × price / 1,000,000` micros, rounded up to the next micro.
 */

/** Micro-units in one unit of currency. */
export const MICROS = 1_000_000;

/** The largest amount one API call may move: 1,000,000,000 units of currency. */
export const MAX_AMOUNT_MICROS = 1_000_000_000 * MICROS;

/** Currency units (a decimal from the API) to micros. */
export function toMicros(amount: number): number {
  return Math.round(amount * MICROS);
}

/** Micros to currency units (for answers). */
export function fromMicros(micros: number): number {
  return micros / MICROS;
}

/** A price per million tokens, in micros: 2.50 USD per million input tokens is `input: 2_500_000`. */
export interface Price {
  currency: string;
  input: number;
  output: number;
  /** Cached prompt tokens; null means they cost the input price. */
  cachedInput: number | null;
}

/** Token counts of one request, as the provider reported them or as estimated. */
export interface TokenUsage {
  promptTokens: number;
  /** Prompt tokens served from the provider's cache (part of `promptTokens`). */
  cachedTokens: number;
  completionTokens: number;
}

/** What the usage costs at this price, in micros, rounded up. */
export function costOf(usage: TokenUsage, price: Price): number {
  const cached = Math.min(Math.max(0, usage.cachedTokens), usage.promptTokens);
  const fresh = usage.promptTokens - cached;
  const total =
    fresh * price.input +
    cached * (price.cachedInput ?? price.input) +
    usage.completionTokens * price.output;
  return Math.ceil(total / MICROS);
}

/** A price in currency units per million tokens (how people and configs write it) to micros. */
export function priceFromUnits(units: {
  currency: string;
  input_per_million: number;
  output_per_million: number;
  cached_input_per_million?: number | null;
}): Price {
  return {
    currency: units.currency,
    input: toMicros(units.input_per_million),
    output: toMicros(units.output_per_million),
    cachedInput:
      units.cached_input_per_million === undefined || units.cached_input_per_million === null
        ? null
        : toMicros(units.cached_input_per_million),
  };
}

/** Characters per token of the estimate (English-like text with common BPE tokenizers). */
const CHARS_PER_TOKEN = 4;
/** Tokens each message adds for its role and separators. */
const TOKENS_PER_MESSAGE = 4;

/**
 * A tokenizer estimate, for when a provider reports no usage and for the size
 * of a hold: about four characters a token, plus a few tokens per message.
 * Figures computed with it are marked `estimated`.
 */
export function estimateTokens(text: string, messages = 0): number {
  if (text.length === 0 && messages === 0) return 0;
  return Math.ceil(text.length / CHARS_PER_TOKEN) + messages * TOKENS_PER_MESSAGE;
}

/** The UTC day of a time, `YYYY-MM-DD`: the period of gateway-key daily budgets. */
export function dayOf(time: number): string {
  return new Date(time).toISOString().slice(0, 10);
}
