import { createMiddleware } from "hono/factory";
import type { GatewayApp } from "../env.ts";

/** Gives every request an id, echoed in `x-keeptrusts-request-id` on every response. */
export function requestId() {
  return createMiddleware<GatewayApp>(async function requestIdMiddleware(c, next) {
    const id = `req_${crypto.randomUUID().replaceAll("-", "")}`;
    c.set("requestId", id);
    await next();
    c.header("x-keeptrusts-request-id", id);
  });
}
