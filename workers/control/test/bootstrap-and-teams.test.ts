import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, json, newMember, newOrg, unique } from "./control.ts";

describe("bootstrap", () => {
  it("creates an org, its owner and an owner key shown once, stored only as a hash", async () => {
    const { ownerKey, orgId } = await newOrg();
    expect(ownerKey).toMatch(/^kt_ak_[A-Za-z0-9]{40}$/);
    const stored = await env.DB.prepare("SELECT hash, prefix FROM api_keys WHERE org_id = ?")
      .bind(orgId)
      .first<{ hash: string; prefix: string }>();
    expect(stored?.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(stored)).not.toContain(ownerKey.slice(10));
    const me = await json<{ role: string; org: { id: string } }>("GET", "/v1/me", {
      key: ownerKey,
    });
    expect(me).toMatchObject({ role: "owner", org: { id: orgId } });
  });

  it("refuses a second org without the bootstrap token, and a wrong token", async () => {
    await newOrg();
    const response = await call("POST", "/v1/bootstrap", {
      body: { org: unique("x"), email: `${unique("x")}@example.com` },
    });
    expect(response.status).toBe(409);
    expect(await response.json()).toMatchObject({ code: "already_bootstrapped" });
    const wrong = await call("POST", "/v1/bootstrap", {
      body: { org: unique("x"), email: `${unique("x")}@example.com` },
      headers: { "x-keeptrusts-bootstrap-token": "nope" },
    });
    expect(wrong.status).toBe(403);
  });
});

describe("teams", () => {
  it("creates, lists, renames and deletes teams, and audits each change", async () => {
    const { ownerKey } = await newOrg();
    const team = await json<{ id: string; name: string }>("POST", "/v1/teams", {
      key: ownerKey,
      body: { name: "legal", description: "Legal team" },
    });
    expect(team.name).toBe("legal");
    const duplicate = await call("POST", "/v1/teams", { key: ownerKey, body: { name: "legal" } });
    expect(duplicate.status).toBe(409);
    expect(duplicate.headers.get("content-type")).toBe("application/problem+json");
    await json("PATCH", `/v1/teams/${team.id}`, { key: ownerKey, body: { name: "legal-eu" } });
    const list = await json<{ data: Array<{ name: string }> }>("GET", "/v1/teams", {
      key: ownerKey,
    });
    expect(list.data.map((entry) => entry.name)).toEqual(["legal-eu"]);
    await json("DELETE", `/v1/teams/${team.id}`, { key: ownerKey });
    const audit = await json<{ data: Array<{ action: string }> }>("GET", "/v1/audit", {
      key: ownerKey,
    });
    expect(audit.data.map((entry) => entry.action)).toEqual([
      "team.delete",
      "team.update",
      "team.create",
      "org.bootstrap",
    ]);
  });

  it("lets a team admin manage their team only, and shows members only their teams", async () => {
    const { ownerKey } = await newOrg();
    const alice = await newMember(ownerKey, "member", "alice");
    const bob = await newMember(ownerKey, "member", "bob");
    const mine = await json<{ id: string }>("POST", "/v1/teams", {
      key: ownerKey,
      body: { name: "mine" },
    });
    const other = await json<{ id: string }>("POST", "/v1/teams", {
      key: ownerKey,
      body: { name: "other" },
    });
    await json("POST", `/v1/teams/mine/members`, {
      key: ownerKey,
      body: { email: alice.email, role: "admin" },
    });
    await json("POST", `/v1/teams/${mine.id}/members`, {
      key: alice.key,
      body: { email: bob.email },
    });
    expect(
      (
        await call("POST", `/v1/teams/${other.id}/members`, {
          key: alice.key,
          body: { email: bob.email },
        })
      ).status,
    ).toBe(404);
    const visible = await json<{ data: Array<{ name: string }> }>("GET", "/v1/teams", {
      key: bob.key,
    });
    expect(visible.data.map((entry) => entry.name)).toEqual(["mine"]);
    expect(
      (await call("PATCH", `/v1/teams/${mine.id}`, { key: bob.key, body: { name: "x" } })).status,
    ).toBe(403);
    expect(
      (await call("POST", "/v1/teams", { key: alice.key, body: { name: "new" } })).status,
    ).toBe(403);
  });
});

describe("bad input", () => {
  it("answers problem+json 400 naming each field, and writes nothing", async () => {
    const { ownerKey } = await newOrg();
    const response = await call("POST", "/v1/teams", {
      key: ownerKey,
      body: { name: "", extra: 1 },
    });
    expect(response.status).toBe(400);
    const problem = (await response.json()) as { code: string; errors: Array<{ path: string }> };
    expect(problem.code).toBe("invalid_request");
    expect([...new Set(problem.errors.map((error) => error.path))].sort()).toEqual(["", "name"]);
    expect((await call("POST", "/v1/teams", { key: ownerKey, body: "{not json" })).status).toBe(
      400,
    );
    expect(
      (await call("POST", "/v1/teams", { key: ownerKey, body: { name: "x".repeat(300_000) } }))
        .status,
    ).toBe(413);
    expect((await json<{ data: unknown[] }>("GET", "/v1/teams", { key: ownerKey })).data).toEqual(
      [],
    );
  });

  it("refuses missing, malformed and unknown credentials with 401", async () => {
    expect((await call("GET", "/v1/teams")).status).toBe(401);
    expect(
      (await call("GET", "/v1/teams", { headers: { authorization: "Basic abc" } })).status,
    ).toBe(401);
    expect((await call("GET", "/v1/teams", { key: `kt_ak_${"a".repeat(40)}` })).status).toBe(401);
  });

  it("serves an OpenAPI document generated from the routes", async () => {
    const document = await json<{ openapi: string; paths: Record<string, unknown> }>(
      "GET",
      "/v1/openapi.json",
    );
    expect(document.openapi).toBe("3.1.0");
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining(["/v1/teams", "/v1/tokens", "/v1/members/{userId}", "/v1/audit"]),
    );
  });
});
