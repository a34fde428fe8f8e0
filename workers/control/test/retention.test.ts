import {
  createExecutionContext,
  createScheduledController,
  waitOnExecutionContext,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { newId } from "../../db/api-key.ts";
import { createDb } from "../../db/client.ts";
import { signManifest, verifyManifest } from "../exports/evidence-format.ts";
import { digestStreamHash } from "../exports/export-stream.ts";
import { applyRetention } from "../exports/retention.ts";
import { openPrivateKey, orgSigningKey, sealPrivateKey } from "../exports/signing-key.ts";
import { verifyPacket } from "../exports/verify-packet.ts";
import worker from "../index.ts";
import { call, json, newOrg } from "./control.ts";
import { sampleEvent, seed } from "./event-fixtures.ts";

const DAY = 86_400_000;

async function liveIds(orgId: string): Promise<string[]> {
  const rows = await env.DB.prepare(
    "SELECT request_id FROM decision_events WHERE org_id = ? ORDER BY sequence",
  )
    .bind(orgId)
    .all<{ request_id: string }>();
  return rows.results.map((row) => row.request_id);
}

describe("the retention job", () => {
  it("deletes events past their own retention_days (default 90), keeps chains verifiable", async () => {
    const now = Date.now();
    const org = await newOrg("retention");
    const at = (days: number, retentionDays: number | null, name: string) =>
      sampleEvent({
        orgId: org.orgId,
        requestId: `${name}-${newId("req")}`,
        createdAt: now - days * DAY,
        gatewayId: "gw-1",
        retentionDays,
        content: { messages: [{ role: "user", content: name }], answer: null },
      });
    const events = [
      at(100, null, "old-default"),
      at(50, 30, "short"),
      at(49, 365, "long"),
      at(40, 30, "short-again"),
      at(1 / 24, null, "recent"),
    ];
    const lonely = sampleEvent({
      orgId: org.orgId,
      createdAt: now - 100 * DAY,
      gatewayId: "gw-idle",
      content: { messages: [], answer: "kept until the next event" },
    });
    await seed([...events, lonely]);
    const report = await applyRetention(env.DB, now);
    expect(report).toMatchObject({ deleted: 3, scrubbed: 1, prunedLinks: 2, more: false });
    const ids = events.map((event) => event.request_id);
    // The idle gateway's only event is its chain's tail: kept, its content scrubbed.
    expect(await liveIds(org.orgId)).toEqual(
      expect.arrayContaining([ids[2], ids[4], lonely.request_id]),
    );
    expect(await liveIds(org.orgId)).toHaveLength(3);
    const tail = await env.DB.prepare("SELECT content FROM decision_events WHERE request_id = ?")
      .bind(lonely.request_id)
      .first<{ content: string | null }>();
    expect(tail?.content).toBeNull();
    // Only the link between the two remaining events is kept.
    const links = await env.DB.prepare(
      "SELECT sequence FROM event_chain_links WHERE chain_id = ? ORDER BY sequence",
    )
      .bind(`${org.orgId}:gw-1`)
      .all<{ sequence: number }>();
    expect(links.results).toEqual([{ sequence: 4 }]);
    expect(await applyRetention(env.DB, now)).toMatchObject({ deleted: 0, prunedLinks: 0 });

    const created = await json<{ evidence_url: string }>("POST", "/v1/exports", {
      key: org.ownerKey,
      body: { from: now - 60 * DAY, to: now, evidence: true, filters: { gateway_id: "gw-1" } },
    });
    const response = await call("GET", created.evidence_url, { key: org.ownerKey });
    const lines = new TextDecoder()
      .decode(await response.arrayBuffer())
      .trimEnd()
      .split("\n");
    const result = await verifyPacket(lines, { hash: digestStreamHash });
    expect(result.problems).toEqual([]);
    expect(result.summary).toMatchObject({ events: 2, links: 1 });
    expect(lines.some((line) => line.includes('"reason":"deleted"'))).toBe(true);
  });

  it("stops at its bounds and says there is more", async () => {
    const org = await newOrg("retention-bounds");
    const old = Date.now() - 200 * DAY;
    await seed(
      [0, 1, 2, 3].map((index) =>
        sampleEvent({ orgId: org.orgId, createdAt: old + index, gatewayId: "gw-b" }),
      ),
    );
    const first = await applyRetention(env.DB, Date.now(), { batchSize: 1, maxBatches: 1 });
    expect(first).toMatchObject({ deleted: 1, more: true });
    await applyRetention(env.DB);
    expect(await liveIds(org.orgId)).toHaveLength(1);
  });

  it("runs from the control worker's scheduled handler", async () => {
    const org = await newOrg("retention-cron");
    await seed([
      sampleEvent({ orgId: org.orgId, createdAt: Date.now() - 120 * DAY, gatewayId: "gw-c" }),
      sampleEvent({ orgId: org.orgId, createdAt: Date.now() - 1000, gatewayId: "gw-c" }),
    ]);
    const context = createExecutionContext();
    await worker.scheduled(createScheduledController({ cron: "17 3 * * *" }), env, context);
    await waitOnExecutionContext(context);
    expect(await liveIds(org.orgId)).toHaveLength(1);
  });
});

describe("org signing keys", () => {
  it("are sealed under the signing secret, bound to their org and key id", async () => {
    const jwk = { kty: "OKP", crv: "Ed25519", x: "public", d: "private" };
    const sealed = await sealPrivateKey(jwk, "org_a:kid", "a-long-signing-secret-for-tests");
    expect(sealed).toMatch(/^v1\./);
    expect(sealed).not.toContain("private");
    expect(await openPrivateKey(sealed, "org_a:kid", "a-long-signing-secret-for-tests")).toEqual(
      jwk,
    );
    await expect(
      openPrivateKey(sealed, "org_b:kid", "a-long-signing-secret-for-tests"),
    ).rejects.toThrow();
    await expect(openPrivateKey(sealed, "org_a:kid", "another-secret")).rejects.toThrow();
    await expect(openPrivateKey(sealed, "org_a:kid", undefined)).rejects.toThrow(/SIGNING_SECRET/);
    const plain = await sealPrivateKey(jwk, "org_a:kid", undefined);
    expect(plain).toMatch(/^plain\./);
    expect(await openPrivateKey(plain, "org_a:kid", undefined)).toEqual(jwk);
  });

  it("are made once per org and sign manifests that verify with the published key", async () => {
    const org = await newOrg("signing");
    const db = createDb(env.DB);
    const key = await orgSigningKey(db, org.orgId, "a-long-signing-secret-for-tests");
    expect(key.protection).toBe("sealed");
    expect((await orgSigningKey(db, org.orgId, "a-long-signing-secret-for-tests")).kid).toBe(
      key.kid,
    );
    const jws = await signManifest('{"type":"manifest"}', key.privateKey, key.kid);
    const published = await json<{ keys: Array<{ kid: string; key_protection: string }> }>(
      "GET",
      "/v1/exports/signing-key",
      { key: org.ownerKey },
    );
    expect(published.keys).toMatchObject([{ kid: key.kid, key_protection: "sealed" }]);
    expect(published.keys[0]).not.toHaveProperty("d");
    const publicKey = published.keys[0] as unknown as JsonWebKey;
    expect(await verifyManifest('{"type":"manifest"}', jws, publicKey)).toBe(true);
    expect(await verifyManifest('{"type":"manifest" }', jws, publicKey)).toBe(false);
  });
});
