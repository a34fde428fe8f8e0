import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { call, json } from "./control.ts";
import { PUBLIC_ROUTES, ROUTES, SESSION_PREFIX, type Probe, type RouteRow } from "./route-table.ts";
import { countRows, identifiersOf, populateOrg, snapshotOrg, type World } from "./world.ts";

const METHODS = ["get", "post", "put", "patch", "delete"] as const;
const keyOf = (row: { method: string; path: string }) => `${row.method} ${row.path}`;
const mutating = (row: RouteRow) => row.method !== "GET";

let orgA: World;
let orgB: World;

beforeAll(async () => {
  orgA = await populateOrg("a");
  orgB = await populateOrg("b");
});

/** Sends one probe and checks the answer against what the probe expects. */
async function send(key: string, row: RouteRow, probe: Probe, hidden: string[]): Promise<void> {
  const where = `${row.method} ${probe.path}`;
  const response = await call(row.method, probe.path, { key, body: probe.body });
  const text = await response.text();
  if (probe.expect === "refused") {
    expect([403, 404], `${where} answered ${response.status}: ${text}`).toContain(response.status);
    expect(response.headers.get("content-type"), where).toBe("application/problem+json");
  } else {
    const status = probe.expect === "list" ? 200 : 201;
    expect(response.status, `${where}: ${text}`).toBe(status);
  }
  const echoes = new Set(probe.echoes ?? []);
  for (const value of hidden) {
    if (!echoes.has(value)) expect(text, `${where} leaked ${value}`).not.toContain(value);
  }
}

describe("the route table", () => {
  it("covers every path and method of the OpenAPI document", async () => {
    const document = await json<{ paths: Record<string, Record<string, unknown>> }>(
      "GET",
      "/v1/openapi.json",
    );
    const documented = Object.entries(document.paths).flatMap(([path, operations]) =>
      METHODS.filter((method) => operations[method]).map(
        (method) => `${method.toUpperCase()} ${path}`,
      ),
    );
    const covered = new Set([...ROUTES.map(keyOf), ...PUBLIC_ROUTES]);
    const missing = documented.filter(
      (route) => !covered.has(route) && !route.split(" ")[1]?.startsWith(SESSION_PREFIX),
    );
    expect(missing, "routes with no row in route-table.ts").toEqual([]);
    const stale = [...covered].filter((route) => !documented.includes(route));
    expect(stale, "rows for routes the document does not have").toEqual([]);
    expect(documented.filter((route) => route.endsWith(" /v1/audit"))).toEqual(["GET /v1/audit"]);
  });
});

// Reads first: a `created` probe gives org A a name org B also uses, which A may then list.
const readsFirst = [...ROUTES].sort(
  (first, second) => Number(mutating(first)) - Number(mutating(second)),
);

describe("org A's owner against org B", () => {
  it.each(readsFirst.map((row) => [keyOf(row), row] as const))(
    "%s: refused or own data only, and org B unchanged",
    async (_name, row) => {
      const before = await snapshotOrg(orgB.orgId);
      for (const probe of row.crossOrg(orgA, orgB))
        await send(orgA.owner.key, row, probe, identifiersOf(orgB));
      const after = await snapshotOrg(orgB.orgId);
      expect(countRows(after)).toEqual(countRows(before));
      expect(after).toEqual(before);
    },
  );
});

describe("a member of team X against team Y", () => {
  it.each(ROUTES.map((row) => [keyOf(row), row] as const))(
    "%s: refused or own teams only, and the org unchanged",
    async (_name, row) => {
      const world = orgA;
      const hidden = [
        world.teamY.id,
        world.teamY.name,
        world.gatewayToken.id,
        world.gatewayToken.name,
        world.accessToken.id,
        world.accessToken.name,
        world.colleague.userId,
        world.colleague.email,
        world.invite.id,
        world.invite.email,
        world.issuer.id,
      ];
      const before = await snapshotOrg(world.orgId);
      for (const probe of row.crossTeam(world)) await send(world.member.key, row, probe, hidden);
      expect(countRows(await snapshotOrg(world.orgId))).toEqual(countRows(before));
      expect(await snapshotOrg(world.orgId)).toEqual(before);
    },
  );
});

describe("a viewer", () => {
  it.each(ROUTES.filter(mutating).map((row) => [keyOf(row), row] as const))(
    "%s: 403 and nothing written",
    async (_name, row) => {
      const valid = await row.valid?.(orgA);
      if (!valid) throw new Error(`${keyOf(row)} has no valid call in route-table.ts`);
      const before = await snapshotOrg(orgA.orgId);
      const response = await call(row.method, valid.path, {
        key: orgA.viewer.key,
        body: valid.body,
      });
      expect(response.status, await response.clone().text()).toBe(403);
      expect(await response.json()).toMatchObject({ code: "forbidden" });
      expect(await snapshotOrg(orgA.orgId)).toEqual(before);
    },
  );
});

interface AuditEntry {
  actor_type: string;
  actor_id: string;
  action: string;
  resource_type: string;
  resource_id: string;
  before: unknown;
  after: unknown;
  request_id: string | null;
  created_at: number;
}

describe("the audit log", () => {
  it.each(ROUTES.filter(mutating).map((row) => [keyOf(row), row] as const))(
    "%s writes who, what, when and the ids, readable at GET /v1/audit",
    async (_name, row) => {
      const valid = await row.valid?.(orgA);
      if (!valid) throw new Error(`${keyOf(row)} has no valid call in route-table.ts`);
      const started = Date.now();
      const response = await call(row.method, valid.path, {
        key: orgA.owner.key,
        body: valid.body,
      });
      const answer = (await response.json()) as Record<string, unknown>;
      expect(response.status, JSON.stringify(answer)).toBeLessThan(300);
      const resourceId =
        typeof valid.resourceId === "string" ? valid.resourceId : valid.resourceId(answer);
      const query = new URLSearchParams({ action: valid.action, resource_id: resourceId });
      const audit = await json<{ data: AuditEntry[] }>("GET", `/v1/audit?${query}`, {
        key: orgA.owner.key,
      });
      expect(audit.data).toHaveLength(1);
      const [entry] = audit.data;
      expect(entry).toMatchObject({
        actor_type: "access_key",
        actor_id: orgA.owner.keyId,
        action: valid.action,
        resource_id: resourceId,
        request_id: response.headers.get("x-keeptrusts-request-id"),
      });
      expect(entry?.created_at).toBeGreaterThanOrEqual(started);
      expect(entry?.before ?? entry?.after, "before or after is recorded").not.toBeNull();
    },
  );

  it("records the public routes too: bootstrap as the system, an accepted invite as the user", async () => {
    const bootstrap = await json<{ data: AuditEntry[] }>("GET", "/v1/audit?action=org.bootstrap", {
      key: orgA.owner.key,
    });
    expect(bootstrap.data).toEqual([
      expect.objectContaining({ actor_type: "system", resource_id: orgA.orgId }),
    ]);
    const accepted = await json<{ data: AuditEntry[] }>("GET", "/v1/audit?action=invite.accept", {
      key: orgA.owner.key,
    });
    expect(accepted.data.map((entry) => entry.actor_id)).toEqual(
      expect.arrayContaining([orgA.member.userId, orgA.viewer.userId]),
    );
  });

  it("is never editable: UPDATE and DELETE on audit_log fail in the database itself", async () => {
    const row = await env.DB.prepare("SELECT id FROM audit_log WHERE org_id = ? LIMIT 1")
      .bind(orgA.orgId)
      .first<{ id: string }>();
    expect(row).not.toBeNull();
    const before = await snapshotOrg(orgA.orgId);
    await expect(
      env.DB.prepare("UPDATE audit_log SET action = 'forged' WHERE id = ?").bind(row?.id).run(),
    ).rejects.toThrow(/append-only/);
    await expect(
      env.DB.prepare("DELETE FROM audit_log WHERE id = ?").bind(row?.id).run(),
    ).rejects.toThrow(/append-only/);
    await expect(env.DB.prepare("DELETE FROM audit_log").run()).rejects.toThrow(/append-only/);
    expect(await snapshotOrg(orgA.orgId)).toEqual(before);
  });

  it("shows each org only its own entries", async () => {
    const audit = await json<{ data: AuditEntry[] }>("GET", "/v1/audit?limit=200", {
      key: orgB.owner.key,
    });
    const raw = JSON.stringify(audit);
    for (const value of identifiersOf(orgA)) expect(raw).not.toContain(value);
  });
});
