import { createMiddleware } from "hono/factory";
import { keyKind } from "../../db/api-key.ts";
import type { Identity } from "../../policy/index.ts";
import type { GatewayApp } from "../env.ts";
import { GatewayError } from "../errors.ts";
import { verifyEndUserToken } from "../identity/end-user-token.ts";
import { resolveGatewayKey, touchGatewayKey } from "../identity/gateway-keys.ts";

const MINUTE_MS = 60_000;

function unauthorized(code: string, message: string): GatewayError {
  return new GatewayError(401, code, message, { type: "authentication_error" });
}

/**
 * Who is calling: a gateway key (`Authorization: Bearer kt_gk_…`) resolves to the
 * org, team, user and role it was issued for, with its model allowlist and
 * requests-per-minute limit. An app may name its own end user with a signed token
 * (`x-keeptrusts-user-token`) from an issuer the org registered. With
 * `KEEPTRUSTS_AUTH=optional` a request without a gateway key runs anonymously;
 * any other bearer (a provider key by mistake) is never forwarded.
 */
export function keyAuth() {
  return createMiddleware<GatewayApp>(async function keyAuthMiddleware(c, next) {
    const required = c.env.KEEPTRUSTS_AUTH !== "optional";
    const header = c.req.header("authorization");
    const bearer = header?.match(/^Bearer\s+(\S+)$/i)?.[1];
    let identity: Identity = {};
    if (bearer && keyKind(bearer) === "gateway") {
      const now = Date.now();
      const grant = await resolveGatewayKey(c.env.DB, bearer, now);
      if (!grant) throw unauthorized("invalid_api_key", "the gateway key is not valid");
      if (grant.revokedAt !== null)
        throw unauthorized("key_revoked", "the gateway key was revoked");
      if (grant.expiresAt !== null && grant.expiresAt <= now)
        throw unauthorized("key_expired", "the gateway key has expired");
      if (grant.rpmLimit !== null) {
        const limiter = c.env.RATE_LIMITER.get(c.env.RATE_LIMITER.idFromName(grant.keyId));
        const decision = await limiter.hit(grant.rpmLimit, MINUTE_MS);
        if (!decision.allowed) {
          throw new GatewayError(
            429,
            "rate_limit_exceeded",
            `this key allows ${grant.rpmLimit} requests per minute`,
            {
              type: "rate_limit_error",
              headers: { "retry-after": String(decision.retryAfterSeconds) },
            },
          );
        }
      }
      const touch = touchGatewayKey(c.env.DB, grant.keyId, now);
      if (touch) c.executionCtx.waitUntil(touch);
      identity = {
        orgId: grant.orgId,
        keyId: grant.keyId,
        role: grant.role,
        ...(grant.teamId
          ? {
              teamId: grant.teamId,
              teams: [grant.teamId, ...(grant.teamName ? [grant.teamName] : [])],
            }
          : {}),
        ...(grant.userId ? { userId: grant.userId } : {}),
      };
      c.set("grant", grant);
    } else if (required) {
      throw bearer
        ? unauthorized(
            "invalid_api_key",
            "send a Keeptrusts gateway key (kt_gk_…), not a provider key",
          )
        : unauthorized("missing_api_key", "send a gateway key: Authorization: Bearer kt_gk_…");
    }
    const userToken = c.req.header("x-keeptrusts-user-token");
    if (userToken !== undefined) {
      if (!identity.orgId)
        throw unauthorized(
          "invalid_user_token",
          "an end-user token needs a gateway key that names the org",
        );
      const endUser = await verifyEndUserToken(c.env.DB, identity.orgId, userToken);
      if (!endUser)
        throw unauthorized(
          "invalid_user_token",
          "the end-user token is forged, expired or from an issuer this org has not registered",
        );
      identity = { ...identity, userId: endUser.userId };
    }
    c.set("identity", identity);
    await next();
  });
}

/** 403 when the key restricts models and this one is not among them. */
export function assertModelAllowed(
  models: readonly string[] | null | undefined,
  model: string,
): void {
  if (models && !models.includes(model)) {
    throw new GatewayError(
      403,
      "model_not_allowed",
      `this key may use ${models.join(", ")}, not ${model}`,
      { type: "permission_error", param: "model" },
    );
  }
}
