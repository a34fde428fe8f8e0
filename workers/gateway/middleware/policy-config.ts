import { createMiddleware } from "hono/factory";
import { loadConfig } from "../config/loaded-config.ts";
import type { GatewayApp } from "../env.ts";

/**
 * Resolves the config this request runs under, once, before any route: a request
 * finishes on the version it started with even if a new one is rolled out meanwhile.
 */
export function policyConfig() {
  return createMiddleware<GatewayApp>(async function policyConfigMiddleware(c, next) {
    c.set("config", await loadConfig(c.env.KEEPTRUSTS_POLICY_CONFIG));
    await next();
  });
}
