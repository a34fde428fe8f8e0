import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { generateKey, hashKey, keyPrefix, newId } from "../../db/api-key.ts";
import { chat, gateway, storedEvent } from "./gateway.ts";

const v1 = `pack: {name: support, version: "1.0.0"}
providers:
  targets: [{id: m, provider: mock, model: mock-echo}]
policies:
  chain: [pii-detector]
`;
const v2 = `pack: {name: support, version: "2.0.0"}
providers:
  targets: [{id: m, provider: mock, model: mock-echo}]
policies:
  chain: [pii-detector]
policy:
  pii-detector: {action: block}
`;

async function controlPlane() {
  const orgId = newId("org");
  const configurationId = newId("cfg");
  const gatewayId = newId("gw");
  const now = Date.now();
  await env.DB.batch([
    env.DB.prepare("INSERT INTO orgs (id, name, created_at) VALUES (?, ?, ?)").bind(
      orgId,
      orgId,
      now,
    ),
    env.DB.prepare(
      "INSERT INTO configurations (id, org_id, name, status, active_version, created_at, updated_at) VALUES (?, ?, ?, 'active', '1.0.0', ?, ?)",
    ).bind(configurationId, orgId, `support-${orgId}`, now, now),
    env.DB.prepare(
      "INSERT INTO configuration_versions (id, configuration_id, org_id, version, yaml, sha256, created_by, created_at) VALUES (?, ?, ?, '1.0.0', ?, 'h1', 'test', ?)",
    ).bind(newId("cfv"), configurationId, orgId, v1, now),
    env.DB.prepare(
      "INSERT INTO configuration_versions (id, configuration_id, org_id, version, yaml, sha256, created_by, created_at) VALUES (?, ?, ?, '2.0.0', ?, 'h2', 'test', ?)",
    ).bind(newId("cfv"), configurationId, orgId, v2, now),
    env.DB.prepare(
      "INSERT INTO gateways (id, org_id, name, kind, configuration_id, desired_version, created_at) VALUES (?, ?, ?, 'hosted', ?, '1.0.0', ?)",
    ).bind(gatewayId, orgId, gatewayId, configurationId, now),
  ]);
  return { orgId, configurationId, gatewayId };
}

const ask = { model: "mock-echo", messages: [{ role: "user", content: "mail ann@example.com" }] };
const fallback = "providers:\n  targets: [{id: m, provider: mock, model: mock-echo}]\n";

describe("the hosted gateway serves what the control plane rolled out to it", () => {
  it("switches version on a rollout without a redeploy, and reports what it runs", async () => {
    const { gatewayId } = await controlPlane();
    const gw = gateway(fallback, {
      KEEPTRUSTS_GATEWAY_ID: gatewayId,
      KEEPTRUSTS_CONFIG_CACHE_MS: "0",
    });
    const before = await chat(gw, ask);
    expect(before.status).toBe(200);
    expect(before.headers.get("x-keeptrusts-verdict")).toBe("redact");
    await env.DB.prepare("UPDATE gateways SET desired_version = '2.0.0' WHERE id = ?")
      .bind(gatewayId)
      .run();
    const after = await chat(gw, ask);
    expect(after.status).toBe(403);
    const health = (await (await gw.fetch("/health")).json()) as {
      config: { version: string; source: string };
    };
    expect(health.config).toMatchObject({ version: "2.0.0", source: "control-plane" });
    await gw.settle();
    const row = await env.DB.prepare(
      "SELECT running_version, last_seen_at FROM gateways WHERE id = ?",
    )
      .bind(gatewayId)
      .first<{ running_version: string; last_seen_at: number }>();
    expect(row?.last_seen_at).toBeGreaterThan(0);
    expect(["1.0.0", "2.0.0"]).toContain(row?.running_version);
  });

  it("switches under concurrent load with no failed request", async () => {
    const { gatewayId } = await controlPlane();
    const gw = gateway(fallback, {
      KEEPTRUSTS_GATEWAY_ID: gatewayId,
      KEEPTRUSTS_CONFIG_CACHE_MS: "0",
    });
    const statuses: number[] = [];
    const wave = () =>
      Promise.all(
        Array.from({ length: 25 }, () =>
          chat(gw, ask).then((response) => statuses.push(response.status)),
        ),
      );
    const first = wave();
    await env.DB.prepare("UPDATE gateways SET desired_version = '2.0.0' WHERE id = ?")
      .bind(gatewayId)
      .run();
    await Promise.all([first, wave()]);
    await wave();
    expect(statuses).toHaveLength(75);
    // v1 redacts (200), v2 blocks (403): every answer is one of the two versions, never a failure.
    expect(statuses.every((status) => status === 200 || status === 403)).toBe(true);
    expect(statuses.slice(-25).every((status) => status === 403)).toBe(true);
  });

  it("records a shadow version's verdict beside the enforced one, without enforcing it", async () => {
    const { gatewayId } = await controlPlane();
    await env.DB.prepare("UPDATE gateways SET shadow_version = '2.0.0' WHERE id = ?")
      .bind(gatewayId)
      .run();
    const gw = gateway(fallback, {
      KEEPTRUSTS_GATEWAY_ID: gatewayId,
      KEEPTRUSTS_CONFIG_CACHE_MS: "0",
    });
    const response = await chat(gw, ask);
    expect(response.status).toBe(200);
    await gw.settle();
    const event = await storedEvent(response.headers.get("x-keeptrusts-request-id") ?? "");
    expect(event).toMatchObject({
      verdict: "redact",
      config_version: "1.0.0",
      shadow_version: "2.0.0",
      shadow_verdict: "block",
      gateway_id: gatewayId,
    });
  });

  it("runs the configuration a gateway key is bound to, and refuses one with no active version", async () => {
    const { orgId, configurationId } = await controlPlane();
    const key = generateKey("gateway");
    await env.DB.prepare(
      "INSERT INTO api_keys (id, org_id, kind, name, prefix, hash, role, configuration, created_at) VALUES (?, ?, 'gateway', ?, ?, ?, 'member', ?, ?)",
    )
      .bind(
        newId("key"),
        orgId,
        newId("k"),
        keyPrefix(key),
        await hashKey(key),
        configurationId,
        Date.now(),
      )
      .run();
    const gw = gateway(fallback, { KEEPTRUSTS_CONFIG_CACHE_MS: "0" });
    const bound = await chat(gw, ask, { authorization: `Bearer ${key}` });
    expect(bound.headers.get("x-keeptrusts-verdict")).toBe("redact");
    await env.DB.prepare("UPDATE configurations SET active_version = NULL WHERE id = ?")
      .bind(configurationId)
      .run();
    const none = await chat(gw, ask, { authorization: `Bearer ${key}` });
    expect(none.status).toBe(503);
    expect(((await none.json()) as { error: { code: string } }).error.code).toBe("invalid_config");
  });

  it("keeps versions immutable in the database", async () => {
    const { configurationId } = await controlPlane();
    await expect(
      env.DB.prepare("UPDATE configuration_versions SET yaml = 'x' WHERE configuration_id = ?")
        .bind(configurationId)
        .run(),
    ).rejects.toThrow(/immutable/);
    await expect(
      env.DB.prepare("DELETE FROM configuration_versions WHERE configuration_id = ?")
        .bind(configurationId)
        .run(),
    ).rejects.toThrow(/immutable/);
  });
});
