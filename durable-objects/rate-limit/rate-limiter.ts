import { DurableObject } from "cloudflare:workers";

/** The answer of one rate-limit check. */
export interface RateDecision {
  allowed: boolean;
  remaining: number;
  /** Seconds until the oldest counted request leaves the window (when refused). */
  retryAfterSeconds: number;
}

/**
 * A sliding-window request counter for one gateway key. One object per key
 * serialises every check, so concurrent requests can never exceed the limit.
 * Counts live in memory: if the object is evicted the window restarts, which can
 * only ever let a burst of at most one window through, never refuse wrongly.
 */
export class RateLimiter extends DurableObject {
  private hits: number[] = [];

  /** Counts one request if it fits in `limit` per `windowMs`; refuses it otherwise. */
  hit(limit: number, windowMs: number): RateDecision {
    if (!Number.isInteger(limit) || limit < 1 || !Number.isFinite(windowMs) || windowMs <= 0) {
      throw new RangeError("limit must be a positive integer and windowMs positive");
    }
    const now = Date.now();
    const start = now - windowMs;
    let first = 0;
    while (first < this.hits.length && (this.hits[first] ?? 0) <= start) first += 1;
    if (first > 0) this.hits = this.hits.slice(first);
    if (this.hits.length >= limit) {
      const oldest = this.hits[0] ?? now;
      return {
        allowed: false,
        remaining: 0,
        retryAfterSeconds: Math.max(1, Math.ceil((oldest + windowMs - now) / 1000)),
      };
    }
    this.hits.push(now);
    return { allowed: true, remaining: limit - this.hits.length, retryAfterSeconds: 0 };
  }
}
