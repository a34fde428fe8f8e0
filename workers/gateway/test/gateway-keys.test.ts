import { env } from "cloudflare:workers";
import { exportSPKI, generateKeyPair, SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { generateKey, hashKey, keyPrefix, newId } from "../../db/api-key.ts";
import { chat, gateway, storedEvent } from "./gateway.ts";

const config = `providers:
  targets: [{id: m, provider: mock, model: mock-echo}, {id: o, provider: mock, model: other-model}]
policies:
  chain: [rbac, pii-detector]
policy:
  rbac:
    minimum_role: member
`;

async function org(): Promise<string> {
  const orgId = newId("org");
  await env.DB.prepare("INSERT INTO orgs (id, name, created_at) VALUES (?, ?, ?)")
    .bind(orgId, orgId, Date.now())
    .run();
  return orgId;
}

async function gatewayKey(
  orgId: string,
  fields: {
    role?: string;
    models?: string[];
    rpm?: number;
    expiresAt?: number;
    revoked?: boolean;
    teamId?: string;
  } = {},
): Promise<{ key: string; id: string }> {
  const key = generateKey("gateway");
  const id = newId("key");
  if (fields.teamId)
    await env.DB.prepare("INSERT INTO teams (id, org_id, name, created_at) VALUES (?, ?, ?, ?)")
      .bind(fields.teamId, orgId, fields.teamId, Date.now())
      .run();
  await env.DB.prepare(
    "INSERT INTO api_keys (id, org_id, kind, name, prefix, hash, team_id, role, models, rpm_limit, created_at, expires_at, revoked_at) VALUES (?, ?, 'gateway', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
  )
    .bind(
      id,
      orgId,
      id,
      keyPrefix(key),
      await hashKey(key),
      fields.teamId ?? null,
      fields.role ?? "member",
      fields.models ? JSON.stringify(fields.models) : null,
      fields.rpm ?? null,
      Date.now(),
      fields.expiresAt ?? null,
      fields.revoked ? Date.now() : null,
    )
    .run();
  return { key, id };
}

const ask = { model: "mock-echo", messages: [{ role: "user", content: "hello" }] };
const required = () => gateway(config, { KEEPTRUSTS_AUTH: "required" });

async function errorCode(response: Response): Promise<string> {
  return ((await response.json()) as { error: { code: string } }).error.code;
}

describe("gateway keys", () => {
  it("refuses requests without a gateway key, with a provider key, or with an unknown key", async () => {
    expect(await errorCode(await chat(required(), ask, { authorization: "" }))).toBe(
      "missing_api_key",
    );
    const provider = await chat(required(), ask, { authorization: "Bearer sk-proj-abcdef" });
    expect(provider.status).toBe(401);
    expect(await errorCode(provider)).toBe("invalid_api_key");
    expect(
      await errorCode(
        await chat(required(), ask, { authorization: `Bearer ${generateKey("gateway")}` }),
      ),
    ).toBe("invalid_api_key");
  });

  it("resolves a key to its org, team and role, and records them in the event", async () => {
    const orgId = await org();
    const { key, id } = await gatewayKey(orgId, { teamId: newId("team") });
    const gw = required();
    const response = await chat(gw, ask, { authorization: `Bearer ${key}` });
    expect(response.status).toBe(200);
    await gw.settle();
    const row = await storedEvent(response.headers.get("x-keeptrusts-request-id") ?? "");
    expect(row).toMatchObject({ org_id: orgId, key_id: id });
    expect(row.team_id).toMatch(/^team_/);
    const used = await env.DB.prepare("SELECT last_used_at FROM api_keys WHERE id = ?")
      .bind(id)
      .first<{ last_used_at: number }>();
    expect(used?.last_used_at).toBeGreaterThan(0);
  });

  it("refuses revoked and expired keys", async () => {
    const orgId = await org();
    expect(
      await errorCode(
        await chat(required(), ask, {
          authorization: `Bearer ${(await gatewayKey(orgId, { revoked: true })).key}`,
        }),
      ),
    ).toBe("key_revoked");
    expect(
      await errorCode(
        await chat(required(), ask, {
          authorization: `Bearer ${(await gatewayKey(orgId, { expiresAt: Date.now() - 1 })).key}`,
        }),
      ),
    ).toBe("key_expired");
  });

  it("enforces the key's model allowlist", async () => {
    const { key } = await gatewayKey(await org(), { models: ["other-model"] });
    const response = await chat(required(), ask, { authorization: `Bearer ${key}` });
    expect(response.status).toBe(403);
    expect(await errorCode(response)).toBe("model_not_allowed");
    expect(
      (await chat(required(), { ...ask, model: "other-model" }, { authorization: `Bearer ${key}` }))
        .status,
    ).toBe(200);
  });

  it("enforces the key's requests-per-minute limit with 429 and retry-after", async () => {
    const { key } = await gatewayKey(await org(), { rpm: 3 });
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let index = 0; index < 5; index += 1) {
      const response = await chat(required(), ask, { authorization: `Bearer ${key}` });
      statuses.push(response.status);
      if (response.status === 429) retryAfter = response.headers.get("retry-after");
    }
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
  });

  it("hands the verified identity to rbac: a viewer key is below minimum_role member", async () => {
    const { key } = await gatewayKey(await org(), { role: "viewer" });
    const response = await chat(required(), ask, { authorization: `Bearer ${key}` });
    expect(response.status).toBe(403);
    expect(await errorCode(response)).toBe("policy_blocked");
  });
});

describe("end-user tokens", () => {
  it("attributes a verified end user, and refuses forged, expired or unregistered tokens", async () => {
    const orgId = await org();
    const { key } = await gatewayKey(orgId);
    const { publicKey, privateKey } = await generateKeyPair("RS256");
    const issuer = `https://auth.${orgId}.example`;
    await env.DB.prepare(
      "INSERT INTO end_user_issuers (id, org_id, issuer, audience, public_key_pem, created_at) VALUES (?, ?, ?, ?, ?, ?)",
    )
      .bind(newId("iss"), orgId, issuer, "my-app", await exportSPKI(publicKey), Date.now())
      .run();
    const sign = (signer: CryptoKey, claims: { iss?: string; aud?: string; exp?: string }) =>
      new SignJWT({})
        .setProtectedHeader({ alg: "RS256" })
        .setSubject("end-user-42")
        .setIssuer(claims.iss ?? issuer)
        .setAudience(claims.aud ?? "my-app")
        .setIssuedAt()
        .setExpirationTime(claims.exp ?? "5m")
        .sign(signer);
    const gw = required();
    const response = await chat(gw, ask, {
      authorization: `Bearer ${key}`,
      "x-keeptrusts-user-token": await sign(privateKey, {}),
    });
    expect(response.status).toBe(200);
    await gw.settle();
    expect((await storedEvent(response.headers.get("x-keeptrusts-request-id") ?? "")).user_id).toBe(
      "end-user-42",
    );

    const forger = await generateKeyPair("RS256");
    for (const token of [
      await sign(forger.privateKey, {}),
      await sign(privateKey, { exp: "-1m" }),
      await sign(privateKey, { aud: "other-app" }),
      await sign(privateKey, { iss: "https://unknown.example" }),
      "not-a-jwt",
    ]) {
      const refused = await chat(required(), ask, {
        authorization: `Bearer ${key}`,
        "x-keeptrusts-user-token": token,
      });
      expect(refused.status).toBe(401);
      expect(await errorCode(refused)).toBe("invalid_user_token");
    }
  });
});
