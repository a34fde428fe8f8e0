import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { call, json, newMember, newOrg, unique } from "./control.ts";
import { queueOf, seedEscalation } from "./escalation-fixtures.ts";

interface Escalation {
  id: string;
  status: string;
  team_id: string | null;
  claimed_by: string | null;
  outcome: string | null;
  reason_code: string;
  created_at: number;
}
interface Detail extends Escalation {
  request: { messages: Array<{ content: string }> };
  trail: Array<{ seq: number; actor_id: string; action: string; created_at: number }>;
  event: { request_id: string; verdict: string } | null;
}
interface Problem {
  code: string;
  detail: string;
}

let org: Awaited<ReturnType<typeof newOrg>>;
let reviewerA: Awaited<ReturnType<typeof newMember>>;
let reviewerB: Awaited<ReturnType<typeof newMember>>;

beforeAll(async () => {
  org = await newOrg("review");
  reviewerA = await newMember(org.ownerKey, "admin", "reviewer-a");
  reviewerB = await newMember(org.ownerKey, "admin", "reviewer-b");
}, 60_000);

const claim = (id: string, key: string, body?: unknown) =>
  call("POST", `/v1/escalations/${id}/claim`, { key, ...(body ? { body } : {}) });
const resolve = (id: string, key: string, outcome = "allow", note = "checked the request") =>
  call("POST", `/v1/escalations/${id}/resolve`, { key, body: { outcome, note } });

describe("claims", () => {
  it("two reviewers racing for the same escalation: exactly one winner, 50 times over", async () => {
    for (let round = 0; round < 50; round += 1) {
      const id = await seedEscalation(org.orgId);
      const answers = await Promise.all([claim(id, reviewerA.key), claim(id, reviewerB.key)]);
      const statuses = answers.map((answer) => answer.status).sort();
      expect(statuses, `round ${round}`).toEqual([200, 409]);
      const won = answers.find((answer) => answer.status === 200);
      const lost = answers.find((answer) => answer.status === 409);
      const owner = ((await won?.json()) as Escalation).claimed_by;
      const winner = owner === reviewerA.userId ? reviewerA : reviewerB;
      const problem = (await lost?.json()) as Problem;
      expect(problem.code).toBe("escalation_claimed");
      expect(problem.detail).toContain(winner.email);
      expect(problem.detail).toContain(winner.userId);
    }
  }, 60_000);

  it("renews for the owner, releases only for the owner, then lets the next reviewer in", async () => {
    const id = await seedEscalation(org.orgId);
    expect((await claim(id, reviewerA.key, { ttl_seconds: 120 })).status).toBe(200);
    expect((await claim(id, reviewerA.key)).status).toBe(200);
    const stolen = await call("POST", `/v1/escalations/${id}/release`, { key: reviewerB.key });
    expect(stolen.status).toBe(409);
    expect(((await stolen.json()) as Problem).detail).toContain(reviewerA.email);
    const released = await json<Escalation>("POST", `/v1/escalations/${id}/release`, {
      key: reviewerA.key,
      expect: 200,
    });
    expect(released).toMatchObject({ status: "queued", claimed_by: null });
    expect((await claim(id, reviewerB.key)).status).toBe(200);
  });
});

describe("resolutions", () => {
  it("resolve twice: one success, one 409; racing resolves: one winner", async () => {
    const id = await seedEscalation(org.orgId);
    const first = await resolve(id, reviewerA.key, "block", "not for this vendor");
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({ status: "resolved", outcome: "block" });
    const second = await resolve(id, reviewerA.key, "allow", "on second thought");
    expect(second.status).toBe(409);
    expect(((await second.json()) as Problem).code).toBe("escalation_resolved");
    expect((await claim(id, reviewerB.key)).status).toBe(409);

    for (let round = 0; round < 10; round += 1) {
      const racing = await seedEscalation(org.orgId);
      const answers = await Promise.all([
        resolve(racing, reviewerA.key, "allow"),
        resolve(racing, reviewerB.key, "block"),
      ]);
      expect(answers.map((answer) => answer.status).sort()).toEqual([200, 409]);
    }
  }, 60_000);

  it("belongs to the claim's owner while it holds", async () => {
    const id = await seedEscalation(org.orgId);
    await claim(id, reviewerA.key);
    const taken = await resolve(id, reviewerB.key);
    expect(taken.status).toBe(409);
    expect(((await taken.json()) as Problem).code).toBe("escalation_claimed");
    expect((await resolve(id, reviewerA.key, "policy_tuning", "rule too wide")).status).toBe(200);
  });
});

describe("the trail and the detail", () => {
  it("shows the redacted request, every transition (who, when, what) and the related event", async () => {
    const requestId = `req_${unique("escalated").replaceAll("-", "_")}`;
    const id = await seedEscalation(org.orgId, { requestId });
    await env.DB.prepare(
      `INSERT INTO decision_events (request_id, created_at, org_id, config_name, config_version, config_hash,
        endpoint, model, stream, verdict, status, error_code, blocked_by, policies, policy_ms)
       VALUES (?, ?, ?, 'sample', '1.0.0', 'h', 'chat.completions', 'gpt-test', 0, 'escalate', 403,
        'pending_review', 'human-oversight', '[]', 0.5)`,
    )
      .bind(requestId, Date.now(), org.orgId)
      .run();
    const started = Date.now();
    await claim(id, reviewerA.key);
    await call("POST", `/v1/escalations/${id}/release`, { key: reviewerA.key });
    await claim(id, reviewerB.key);
    await resolve(id, reviewerB.key, "allow", "the summary is needed for care");
    const detail = await json<Detail>("GET", `/v1/escalations/${id}`, { key: org.ownerKey });
    expect(detail.request.messages[0]?.content).toBe("Patient [NAME_1] needs a summary");
    expect(detail.event).toMatchObject({ request_id: requestId, verdict: "escalate" });
    expect(detail.trail.map((entry) => [entry.action, entry.actor_id])).toEqual([
      ["create", "anonymous"],
      ["claim", reviewerA.userId],
      ["release", reviewerA.userId],
      ["claim", reviewerB.userId],
      ["resolve", reviewerB.userId],
    ]);
    expect(detail.trail.slice(1).every((entry) => entry.created_at >= started)).toBe(true);
    const mirrored = await env.DB.prepare(
      "SELECT action, actor_id FROM escalation_trail WHERE escalation_id = ? ORDER BY seq",
    )
      .bind(id)
      .all();
    expect(mirrored.results.map((row) => [row.action, row.actor_id])).toEqual(
      detail.trail.map((entry) => [entry.action, entry.actor_id]),
    );
    const audit = await json<{ data: Array<{ action: string }> }>(
      "GET",
      `/v1/audit?resource_id=${id}`,
      { key: org.ownerKey },
    );
    expect(audit.data.map((entry) => entry.action).sort()).toEqual([
      "escalation.claim",
      "escalation.claim",
      "escalation.release",
      "escalation.resolve",
    ]);
    expect(
      (await call("GET", `/v1/escalations/esc_${"0".repeat(32)}`, { key: org.ownerKey })).status,
    ).toBe(404);
  });
});

describe("listing", () => {
  it("filters by status, time range, team and reason, and pages with a cursor", async () => {
    const listed = await newOrg("listing");
    const team = await json<{ id: string; name: string }>("POST", "/v1/teams", {
      key: listed.ownerKey,
      body: { name: unique("legal") },
    });
    const phi = await seedEscalation(listed.orgId, { teamId: team.id });
    const pii = await seedEscalation(listed.orgId, { reasonCode: "pii,secret" });
    const both = await seedEscalation(listed.orgId, { reasonCode: "phi,pii" });
    await resolve(both, listed.ownerKey, "block", "no");
    await claim(pii, listed.ownerKey);
    // Rows created in the same millisecond may come in either order: compare as sets.
    const ids = async (query: string) =>
      (
        await json<{ data: Escalation[] }>("GET", `/v1/escalations${query}`, {
          key: listed.ownerKey,
        })
      ).data
        .map((row) => row.id)
        .sort();
    const all = await json<{ data: Escalation[] }>("GET", "/v1/escalations", {
      key: listed.ownerKey,
    });
    const times = all.data.map((row) => row.created_at);
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(await ids("")).toEqual([both, pii, phi].sort());
    expect(await ids("?status=queued")).toEqual([phi]);
    expect(await ids("?status=claimed")).toEqual([pii]);
    expect(await ids("?status=resolved")).toEqual([both]);
    expect(await ids(`?team=${team.id}`)).toEqual([phi]);
    expect(await ids(`?team=${team.name}`)).toEqual([phi]);
    expect(await ids("?reason=pii")).toEqual([both, pii].sort());
    expect(await ids("?reason=phi")).toEqual([both, phi].sort());
    expect(await ids("?reason=ph")).toEqual([]);
    expect(await ids(`?from=${Date.now() + 60_000}`)).toEqual([]);
    expect(await ids(`?to=${Date.now() + 60_000}&from=0`)).toHaveLength(3);
    const page = await json<{ data: Escalation[]; next_cursor: string }>(
      "GET",
      "/v1/escalations?limit=2",
      { key: listed.ownerKey },
    );
    expect(page.data.map((row) => row.id)).toEqual(all.data.slice(0, 2).map((row) => row.id));
    expect(await ids(`?limit=2&cursor=${page.next_cursor}`)).toEqual([all.data[2]?.id]);
  });

  it("refuses bad filters with 400", async () => {
    for (const [query, code] of [
      ["?status=open", "invalid_request"],
      ["?reason=PHI", "invalid_request"],
      ["?from=later", "invalid_request"],
      ["?from=10&to=5", "invalid_range"],
      ["?cursor=%%%", "invalid_cursor"],
      ["?limit=0", "invalid_request"],
    ] as const) {
      const response = await call("GET", `/v1/escalations${query}`, { key: org.ownerKey });
      expect(response.status, query).toBe(400);
      expect(((await response.json()) as Problem).code, query).toBe(code);
    }
  });
});

describe("tenancy", () => {
  it("team admins see and act on their teams' escalations only; viewers read; other orgs see nothing", async () => {
    const tenant = await newOrg("tenant");
    const admin = await newMember(tenant.ownerKey, "member", "team-admin");
    const plain = await newMember(tenant.ownerKey, "member", "plain");
    const viewer = await newMember(tenant.ownerKey, "viewer", "auditor");
    const mine = await json<{ id: string }>("POST", "/v1/teams", {
      key: tenant.ownerKey,
      body: { name: unique("mine") },
    });
    const theirs = await json<{ id: string }>("POST", "/v1/teams", {
      key: tenant.ownerKey,
      body: { name: unique("theirs") },
    });
    await json("POST", `/v1/teams/${mine.id}/members`, {
      key: tenant.ownerKey,
      body: { email: admin.email, role: "admin" },
    });
    await json("POST", `/v1/teams/${theirs.id}/members`, {
      key: tenant.ownerKey,
      body: { email: plain.email, role: "member" },
    });
    const ours = await seedEscalation(tenant.orgId, { teamId: mine.id });
    const other = await seedEscalation(tenant.orgId, { teamId: theirs.id });
    const teamless = await seedEscalation(tenant.orgId);
    const list = async (key: string) =>
      (await json<{ data: Escalation[] }>("GET", "/v1/escalations", { key })).data.map(
        (row) => row.id,
      );

    expect(await list(admin.key)).toEqual([ours]);
    expect(await list(plain.key)).toEqual([]);
    expect((await list(viewer.key)).sort()).toEqual([ours, other, teamless].sort());
    for (const id of [other, teamless]) {
      expect((await call("GET", `/v1/escalations/${id}`, { key: admin.key })).status).toBe(404);
      expect((await claim(id, admin.key)).status).toBe(404);
      expect((await resolve(id, admin.key)).status).toBe(404);
    }
    expect((await claim(ours, viewer.key)).status).toBe(403);
    expect((await claim(ours, admin.key)).status).toBe(200);

    expect(await list(org.ownerKey)).not.toContain(ours);
    for (const id of [ours, other, teamless]) {
      expect((await call("GET", `/v1/escalations/${id}`, { key: org.ownerKey })).status).toBe(404);
      expect((await resolve(id, org.ownerKey)).status).toBe(404);
    }
    const stateOf = await queueOf(tenant.orgId).show(other, { teams: null });
    expect(stateOf).toMatchObject({ status: "queued", claimed_by: null });
  });
});
