import { bodyLimit } from "hono/body-limit";
import { createMiddleware } from "hono/factory";
import type { MiddlewareHandler } from "hono";
import type { GatewayApp } from "../env.ts";
import { GatewayError } from "../errors.ts";

const DEFAULT_LIMIT = 1024 * 1024;
const limiters = new Map<number, MiddlewareHandler>();

function limiterFor(maxSize: number): MiddlewareHandler {
  let limiter = limiters.get(maxSize);
  if (!limiter) {
    limiter = bodyLimit({
      maxSize,
      onError: () => {
        throw new GatewayError(
          413,
          "payload_too_large",
          `request body is larger than ${maxSize} bytes`,
          {
            extra: { limit_bytes: maxSize },
          },
        );
      },
    });
    limiters.set(maxSize, limiter);
  }
  return limiter;
}

/** Refuses bodies over KEEPTRUSTS_MAX_BODY_BYTES (default 1 MiB) with 413 before reading them. */
export function requestBodyLimit() {
  return createMiddleware<GatewayApp>(async function requestBodyLimitMiddleware(c, next) {
    const configured = Number.parseInt(c.env.KEEPTRUSTS_MAX_BODY_BYTES ?? "", 10);
    const limit = Number.isFinite(configured) && configured > 0 ? configured : DEFAULT_LIMIT;
    return limiterFor(limit)(c, next);
  });
}
