import { Hono } from "hono";
import { resolveConfig } from "../config/control-plane-config.ts";
import type { GatewayApp } from "../env.ts";
import { GatewayError } from "../errors.ts";

/** `GET /health` and `GET /keeptrusts/config`: liveness, and what this gateway runs (no secrets). */
export const status = new Hono<GatewayApp>();

status.get("/health", async (c) => {
  try {
    const { loaded } = await resolveConfig(c.env, undefined, (work) =>
      c.executionCtx.waitUntil(work),
    );
    return c.json({
      status: "ok",
      config: {
        name: loaded.config.pack.name,
        version: loaded.config.pack.version,
        hash: loaded.hash,
        source: loaded.source,
      },
    });
  } catch (error) {
    const message =
      error instanceof GatewayError ? error.message : "configuration could not be loaded";
    return c.json({ status: "invalid_config", message }, 503);
  }
});

status.get("/keeptrusts/config", async (c) => {
  const { loaded, shadow } = await resolveConfig(c.env, undefined, (work) =>
    c.executionCtx.waitUntil(work),
  );
  const { pack, targets, consumerGroups, chain } = loaded.config;
  const environment = c.env as unknown as Record<string, unknown>;
  return c.json({
    pack,
    version: pack.version,
    config_hash: loaded.hash,
    source: loaded.source,
    chain: chain.map((item) => ({
      name: item.name,
      policy: item.policy,
      enabled: item.enabled,
      ...(item.targeting ? { targeting: item.targeting } : {}),
    })),
    targets: targets.map((target) => ({
      id: target.id,
      provider: target.provider,
      model: target.model,
      ...(target.base_url ? { base_url: target.base_url } : {}),
      timeout_ms: target.timeout_ms,
      secret: target.secret_key_ref
        ? typeof environment[target.secret_key_ref.env] === "string"
          ? "configured"
          : "missing"
        : "none",
    })),
    consumer_groups: consumerGroups,
    shadow: shadow ? { version: shadow.config.pack.version, config_hash: shadow.hash } : null,
  });
});
