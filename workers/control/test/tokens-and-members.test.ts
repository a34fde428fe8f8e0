import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { generateKey, hashKey, keyPrefix, newId } from "../../db/api-key.ts";
import { call, json, newMember, newOrg, unique } from "./control.ts";

const DAY_MS = 86_400_000;

/** The fields of a token answer these tests read. */
interface Token {
  id: string;
  prefix: string;
  scopes: string[] | null;
  created_at: number;
  expires_at: number | null;
  revoked_at: number | null;
  key?: string;
}

async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

async function storedKey(id: string): Promise<Record<string, unknown> | null> {
  return env.DB.prepare("SELECT * FROM api_keys WHERE id = ?").bind(id).first();
}

async function team(
  ownerKey: string,
  name = unique("team"),
): Promise<{ id: string; name: string }> {
  return json("POST", "/v1/teams", { key: ownerKey, body: { name } });
}

/** An access key for a user, written straight to D1 (as if they had signed in and made one). */
async function insertKey(userId: string, role: string): Promise<string> {
  const key = generateKey("access");
  await env.DB.prepare(
    "INSERT INTO api_keys (id, org_id, kind, name, prefix, hash, user_id, role, created_at) SELECT ?, org_id, 'access', ?, ?, ?, user_id, ?, ? FROM memberships WHERE user_id = ? LIMIT 1",
  )
    .bind(newId("key"), unique("k"), keyPrefix(key), await hashKey(key), role, Date.now(), userId)
    .run();
  return key;
}

const status = async (method: string, path: string, key: string, body?: unknown) =>
  (await call(method, path, { key, body })).status;

describe("tokens", () => {
  it("creates a gateway key with every field, shows it once and stores only its SHA-256", async () => {
    const { ownerKey } = await newOrg();
    const support = await team(ownerKey);
    const created = await json<Token>("POST", "/v1/tokens", {
      key: ownerKey,
      body: {
        type: "gateway",
        name: "support-bot",
        team_id: support.name,
        configuration: "support-config",
        models: ["gpt-4o-mini", "mock-echo"],
        daily_budget: 25,
        knowledge_assets: ["handbook", "faq"],
        rpm_limit: 60,
        expires_in: "30d",
      },
    });
    expect(created).toMatchObject({
      type: "gateway",
      name: "support-bot",
      role: "admin",
      scopes: null,
      team_id: support.id,
      configuration: "support-config",
      models: ["gpt-4o-mini", "mock-echo"],
      daily_budget: 25,
      knowledge_assets: ["handbook", "faq"],
      rpm_limit: 60,
      revoked_at: null,
    });
    expect(created.expires_at).toBe(created.created_at + 30 * DAY_MS);
    const key = created.key ?? "";
    expect(key).toMatch(/^kt_gk_[A-Za-z0-9]{40}$/);
    expect(created.prefix).toBe(key.slice(0, 10));
    const row = await storedKey(created.id);
    expect(row?.hash).toBe(await sha256(key));
    expect(JSON.stringify(row)).not.toContain(key.slice(10));

    const listed = await call("GET", "/v1/tokens?include_revoked=true", { key: ownerKey });
    const text = await listed.text();
    expect(text).not.toContain(key.slice(10));
    const entries = (JSON.parse(text) as { data: Token[] }).data;
    expect(entries.find((entry) => entry.id === created.id)).toMatchObject({
      prefix: created.prefix,
    });
    for (const entry of entries) expect(entry).not.toHaveProperty("key");
  });

  it("rotates: a new key shown once, the old one stops authenticating at once", async () => {
    const { ownerKey } = await newOrg();
    const created = await json<Token>("POST", "/v1/tokens", {
      key: ownerKey,
      body: { type: "access", name: "automation", role: "admin" },
    });
    const oldKey = created.key ?? "";
    expect(await status("GET", "/v1/me", oldKey)).toBe(200);
    const rotated = await json<Token>("POST", `/v1/tokens/${created.id}/rotate`, {
      key: ownerKey,
      expect: 200,
    });
    const newKey = rotated.key ?? "";
    expect(rotated.id).toBe(created.id);
    expect(newKey).toMatch(/^kt_ak_[A-Za-z0-9]{40}$/);
    expect(newKey).not.toBe(oldKey);
    expect(rotated.prefix).toBe(newKey.slice(0, 10));
    expect((await storedKey(created.id))?.hash).toBe(await sha256(newKey));
    expect(await status("GET", "/v1/me", oldKey)).toBe(401);
    expect(await status("GET", "/v1/me", newKey)).toBe(200);
  });

  it("revokes: the key stops working, leaves the default list and cannot be rotated", async () => {
    const { ownerKey } = await newOrg();
    const created = await json<Token>("POST", "/v1/tokens", {
      key: ownerKey,
      body: { type: "access", name: "short-lived", role: "viewer" },
    });
    const revoked = await json<Token>("DELETE", `/v1/tokens/${created.id}`, { key: ownerKey });
    expect(revoked.revoked_at).toEqual(expect.any(Number));
    expect(await status("GET", "/v1/me", created.key ?? "")).toBe(401);
    const active = await json<{ data: Token[] }>("GET", "/v1/tokens", { key: ownerKey });
    expect(active.data.map((entry) => entry.id)).not.toContain(created.id);
    const all = await json<{ data: Token[] }>("GET", "/v1/tokens?include_revoked=true", {
      key: ownerKey,
    });
    expect(all.data.map((entry) => entry.id)).toContain(created.id);
    expect(await status("POST", `/v1/tokens/${created.id}/rotate`, ownerKey)).toBe(409);
    expect(await status("DELETE", `/v1/tokens/${created.id}`, ownerKey)).toBe(200);
  });

  it("refuses an expired access key", async () => {
    const { ownerKey } = await newOrg();
    const created = await json<Token>("POST", "/v1/tokens", {
      key: ownerKey,
      body: { type: "access", name: "expiring", role: "viewer", expires_in: "1h" },
    });
    expect(await status("GET", "/v1/me", created.key ?? "")).toBe(200);
    await env.DB.prepare("UPDATE api_keys SET expires_at = ? WHERE id = ?")
      .bind(Date.now() - 1, created.id)
      .run();
    expect(await status("GET", "/v1/me", created.key ?? "")).toBe(401);
  });

  it("lets a member create gateway keys only for their own teams, with a role up to their own", async () => {
    const { ownerKey } = await newOrg();
    const member = await newMember(ownerKey, "member");
    const mine = await team(ownerKey);
    const other = await team(ownerKey);
    await json("POST", `/v1/teams/${mine.id}/members`, {
      key: ownerKey,
      body: { email: member.email },
    });
    const gateway = (body: Record<string, unknown>) =>
      call("POST", "/v1/tokens", {
        key: member.key,
        body: { type: "gateway", name: unique("k"), ...body },
      });
    const created = await gateway({ team_id: mine.id });
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ role: "member", team_id: mine.id });
    expect((await gateway({ team_id: mine.id, role: "viewer" })).status).toBe(201);
    expect((await gateway({ team_id: other.id })).status).toBe(404);
    expect((await gateway({ team_id: other.name })).status).toBe(404);
    const above = await gateway({ team_id: mine.id, role: "admin" });
    expect(above.status).toBe(403);
    expect(await above.json()).toMatchObject({ code: "forbidden" });
    expect(
      await status("POST", "/v1/tokens", member.key, {
        type: "access",
        name: unique("k"),
        role: "owner",
      }),
    ).toBe(403);
  });

  it("narrows an access key by its scopes, and a scoped key cannot mint a broader one", async () => {
    const { ownerKey } = await newOrg();
    const readOnly = await json<Token>("POST", "/v1/tokens", {
      key: ownerKey,
      body: { type: "access", name: "teams-reader", role: "admin", scopes: ["teams:read"] },
    });
    const reader = readOnly.key ?? "";
    expect(await status("GET", "/v1/teams", reader)).toBe(200);
    const refused = await call("POST", "/v1/teams", { key: reader, body: { name: "nope" } });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({
      code: "forbidden",
      detail: "this needs the teams:write permission",
    });
    expect(
      (await json<{ permissions: string[] }>("GET", "/v1/me", { key: reader })).permissions,
    ).toEqual(["teams:read"]);
    expect(await status("GET", "/v1/members", reader)).toBe(403);

    const minter = await json<Token>("POST", "/v1/tokens", {
      key: ownerKey,
      body: {
        type: "access",
        name: "minter",
        role: "admin",
        scopes: ["tokens:read", "tokens:write"],
      },
    });
    const wider = await call("POST", "/v1/tokens", {
      key: minter.key,
      body: { type: "access", name: "wider", scopes: ["teams:write"] },
    });
    expect(wider.status).toBe(403);
    const unscoped = await json<Token>("POST", "/v1/tokens", {
      key: minter.key,
      body: { type: "access", name: "unscoped" },
    });
    expect(unscoped.scopes).toEqual(["tokens:read", "tokens:write"]);
    expect(await status("POST", "/v1/teams", unscoped.key ?? "", { name: "nope" })).toBe(403);
  });
});

describe("members", () => {
  it("lets only owners touch owners, and never loses the last owner", async () => {
    const { ownerKey, ownerId } = await newOrg();
    const admin = await newMember(ownerKey, "admin");
    const person = await newMember(ownerKey, "member");
    expect(
      await status("PATCH", `/v1/members/${person.userId}`, admin.key, { role: "owner" }),
    ).toBe(403);
    expect(await status("PATCH", `/v1/members/${ownerId}`, admin.key, { role: "admin" })).toBe(403);
    expect(await status("DELETE", `/v1/members/${ownerId}`, admin.key)).toBe(403);
    expect(
      await status("PATCH", `/v1/members/${person.userId}`, admin.key, { role: "viewer" }),
    ).toBe(200);

    const lastOwner = await call("PATCH", `/v1/members/${ownerId}`, {
      key: ownerKey,
      body: { role: "admin" },
    });
    expect(lastOwner.status).toBe(409);
    expect(await lastOwner.json()).toMatchObject({ code: "last_owner" });
    expect(await status("DELETE", `/v1/members/${ownerId}`, ownerKey)).toBe(409);

    expect(await status("PATCH", `/v1/members/${admin.userId}`, ownerKey, { role: "owner" })).toBe(
      200,
    );
    // A promotion does not raise existing keys: the new owner acts as owner with a new key.
    expect(await status("PATCH", `/v1/members/${ownerId}`, admin.key, { role: "admin" })).toBe(403);
    const newOwnerKey = await insertKey(admin.userId, "owner");
    expect(await status("PATCH", `/v1/members/${ownerId}`, newOwnerKey, { role: "admin" })).toBe(
      200,
    );
    const roles = await json<{ data: Array<{ user_id: string; role: string }> }>(
      "GET",
      "/v1/members",
      { key: newOwnerKey },
    );
    expect(roles.data.filter((member) => member.role === "owner").map((m) => m.user_id)).toEqual([
      admin.userId,
    ]);
    expect(await status("DELETE", `/v1/members/${admin.userId}`, newOwnerKey)).toBe(409);
    expect(
      await status("PATCH", `/v1/members/${admin.userId}`, newOwnerKey, { role: "member" }),
    ).toBe(409);
  });

  it("applies a demotion to the member's existing keys at once", async () => {
    const { ownerKey } = await newOrg();
    const admin = await newMember(ownerKey, "admin");
    expect(await status("POST", "/v1/teams", admin.key, { name: unique("t") })).toBe(201);
    await json("PATCH", `/v1/members/${admin.userId}`, { key: ownerKey, body: { role: "viewer" } });
    expect(await status("POST", "/v1/teams", admin.key, { name: unique("t") })).toBe(403);
    expect((await json<{ role: string }>("GET", "/v1/me", { key: admin.key })).role).toBe("viewer");
  });

  it("revokes every key, ends every session and leaves every team of a removed member", async () => {
    const { ownerKey, orgId } = await newOrg();
    const person = await newMember(ownerKey, "member");
    const theirs = await team(ownerKey);
    await json("POST", `/v1/teams/${theirs.id}/members`, {
      key: ownerKey,
      body: { email: person.email },
    });
    const gateway = await json<Token>("POST", "/v1/tokens", {
      key: person.key,
      body: { type: "gateway", name: unique("k"), team_id: theirs.id },
    });
    await env.DB.prepare(
      "INSERT INTO sessions (id, user_id, org_id, refresh_hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)",
    )
      .bind(unique("ses"), person.userId, orgId, unique("hash"), Date.now(), Date.now() + DAY_MS)
      .run();
    await json("DELETE", `/v1/members/${person.userId}`, { key: ownerKey });
    expect(await status("GET", "/v1/me", person.key)).toBe(401);
    expect((await storedKey(gateway.id))?.revoked_at).toEqual(expect.any(Number));
    const live = await env.DB.prepare(
      "SELECT (SELECT COUNT(*) FROM api_keys WHERE user_id = ?1 AND revoked_at IS NULL) + (SELECT COUNT(*) FROM sessions WHERE user_id = ?1 AND revoked_at IS NULL) + (SELECT COUNT(*) FROM team_members WHERE user_id = ?1) AS n",
    )
      .bind(person.userId)
      .first<{ n: number }>();
    expect(live?.n).toBe(0);
    const audit = await json<{ data: Array<{ action: string }> }>(
      "GET",
      `/v1/audit?resource_id=${person.userId}`,
      { key: ownerKey },
    );
    expect(audit.data.map((entry) => entry.action)).toContain("member.remove");
  });
});

describe("invites", () => {
  async function invite(ownerKey: string, body: Record<string, unknown>) {
    const created = await json<{ id: string; accept_url: string }>("POST", "/v1/invites", {
      key: ownerKey,
      body,
    });
    const url = new URL(created.accept_url);
    return { ...created, url, token: url.searchParams.get("token") ?? "" };
  }

  it("accepts through the link, once, into the team it names", async () => {
    const { ownerKey, orgId } = await newOrg();
    const legal = await team(ownerKey);
    const email = `${unique("Invitee")}@Example.com`;
    const sent = await invite(ownerKey, { email, role: "viewer", team: legal.name });
    expect(sent.url.origin + sent.url.pathname).toBe(
      `${env.KEEPTRUSTS_PUBLIC_URL}/v1/invites/accept`,
    );
    const joined = await json<{ org_id: string; user_id: string; role: string }>(
      "POST",
      "/v1/invites/accept",
      { body: { token: sent.token, name: "Ann", password: "correct horse battery" }, expect: 200 },
    );
    expect(joined).toMatchObject({ org_id: orgId, role: "viewer" });
    const user = await env.DB.prepare("SELECT email, password_hash FROM users WHERE id = ?")
      .bind(joined.user_id)
      .first<{ email: string; password_hash: string }>();
    expect(user).toMatchObject({ email: email.toLowerCase() });
    expect(user?.password_hash).toMatch(/^pbkdf2\$/);
    const members = await json<{ data: Array<{ user_id: string }> }>(
      "GET",
      `/v1/teams/${legal.id}/members`,
      { key: ownerKey },
    );
    expect(members.data.map((member) => member.user_id)).toContain(joined.user_id);

    const again = await call("POST", "/v1/invites/accept", { body: { token: sent.token } });
    expect(again.status).toBe(404);
    expect(await again.json()).toMatchObject({ code: "invite_invalid" });
  });

  it("refuses an expired or revoked invite, and lets only owners invite owners", async () => {
    const { ownerKey } = await newOrg();
    const expired = await invite(ownerKey, { email: `${unique("late")}@example.com` });
    await env.DB.prepare("UPDATE invites SET expires_at = ? WHERE id = ?")
      .bind(Date.now() - 1, expired.id)
      .run();
    expect(
      (await call("POST", "/v1/invites/accept", { body: { token: expired.token } })).status,
    ).toBe(404);
    const revoked = await invite(ownerKey, { email: `${unique("gone")}@example.com` });
    await json("DELETE", `/v1/invites/${revoked.id}`, { key: ownerKey });
    expect(
      (await call("POST", "/v1/invites/accept", { body: { token: revoked.token } })).status,
    ).toBe(404);
    const admin = await newMember(ownerKey, "admin");
    expect(
      await status("POST", "/v1/invites", admin.key, {
        email: `${unique("o")}@example.com`,
        role: "owner",
      }),
    ).toBe(403);
  });

  it("lets a person of another org join with the same account", async () => {
    const first = await newOrg();
    const second = await newOrg();
    const sent = await invite(second.ownerKey, { email: first.ownerEmail, role: "member" });
    const joined = await json<{ user_id: string }>("POST", "/v1/invites/accept", {
      body: { token: sent.token },
      expect: 200,
    });
    expect(joined.user_id).toBe(first.ownerId);
  });

  it("lets a team be deleted while an invite still names it", async () => {
    const { ownerKey } = await newOrg();
    const doomed = await team(ownerKey);
    const sent = await invite(ownerKey, { email: `${unique("p")}@example.com`, team: doomed.id });
    expect(await status("DELETE", `/v1/teams/${doomed.id}`, ownerKey)).toBe(200);
    const joined = await call("POST", "/v1/invites/accept", { body: { token: sent.token } });
    expect(joined.status).toBe(200);
  });
});
