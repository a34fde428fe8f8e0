import { createMiddleware } from "hono/factory";
import { resolveConfig } from "../config/control-plane-config.ts";
import type { GatewayApp } from "../env.ts";

/**
 * Resolves the config this request runs under, once, before any route: a request
 * finishes on the version it started with even if a new one is rolled out meanwhile.
 */
export function policyConfig() {
  return createMiddleware<GatewayApp>(async function policyConfigMiddleware(c, next) {
    const resolved = await resolveConfig(c.env, c.get("grant"), (work) =>
      c.executionCtx.waitUntil(work),
    );
    c.set("config", resolved.loaded);
    if (resolved.shadow) c.set("shadow", resolved.shadow);
    await next();
  });
}
