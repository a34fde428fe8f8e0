import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { newId } from "../../db/api-key.ts";
import { chainHash } from "../../db/event-chain.ts";
import { call, json, newOrg } from "./control.ts";
import { managedGateway, sampleEvent, seed, sha256 } from "./event-fixtures.ts";
import { sampleYaml } from "./route-table-configurations.ts";
import { populateOrg, type World } from "./world.ts";

interface Summary {
  request_id: string;
  created_at: number;
  verdict: string;
  team_id: string | null;
  user_id: string | null;
  gateway_id: string | null;
  org_id: string;
  sequence: number;
  prev_hash: string | null;
  hash: string;
}
interface Page {
  data: Summary[];
  next_cursor: string | null;
}

const HOUR = 3_600_000;
let world: World;
let base: number;
let ids: Record<string, string>;

beforeAll(async () => {
  world = await populateOrg("events");
  base = Date.now() - 10 * HOUR;
  ids = {
    memberOwn: newId("req"),
    teamX: newId("req"),
    colleague: newId("req"),
    blocked: newId("req"),
    other: newId("req"),
  };
  const org = world.orgId;
  await seed([
    sampleEvent({
      orgId: org,
      requestId: ids.memberOwn!,
      createdAt: base,
      userId: world.member.userId,
    }),
    sampleEvent({
      orgId: org,
      requestId: ids.teamX!,
      createdAt: base + HOUR,
      teamId: world.teamX.id,
      model: "gpt-x",
    }),
    sampleEvent({
      orgId: org,
      requestId: ids.colleague!,
      createdAt: base + 2 * HOUR,
      teamId: world.teamY.id,
      userId: world.colleague.userId,
    }),
    sampleEvent({
      orgId: org,
      requestId: ids.blocked!,
      createdAt: base + 3 * HOUR,
      verdict: "block",
      gatewayId: world.gateway.id,
      configVersion: "2.0.0",
      policies: [
        { policy: "pii-detector", phase: "input", action: "allow", findings: [] },
        {
          policy: "secrets",
          phase: "input",
          action: "block",
          reason: "an API key",
          findings: [{ type: "api_key", category: "secret" }],
        },
      ],
    }),
    sampleEvent({ orgId: org, requestId: ids.other!, createdAt: base + 4 * HOUR }),
  ]);
});

const list = (key: string, query = "") => json<Page>("GET", `/v1/events${query}`, { key });

describe("GET /v1/events", () => {
  it("lists newest first and pages with an opaque cursor that never repeats or skips", async () => {
    // The seeded events only: the world's own (made just now) are later than these.
    const upTo = `to=${base + 5 * HOUR}`;
    const first = await list(world.owner.key, `?limit=2&${upTo}`);
    expect(first.data.map((event) => event.request_id)).toEqual([ids.other, ids.blocked]);
    expect(first.next_cursor).toEqual(expect.any(String));
    const seen = [...first.data];
    let cursor = first.next_cursor;
    while (cursor) {
      const page = await list(world.owner.key, `?limit=2&${upTo}&cursor=${cursor}`);
      seen.push(...page.data);
      cursor = page.next_cursor;
    }
    expect(seen.map((event) => event.request_id)).toEqual([
      ids.other,
      ids.blocked,
      ids.colleague,
      ids.teamX,
      ids.memberOwn,
    ]);
    expect(first.data[0]).not.toHaveProperty("content");
  });

  it("filters by time range, verdict, policy, team, user, model, gateway, config version and request id", async () => {
    const only = async (query: string) =>
      (
        await list(
          world.owner.key,
          `${query}${query.includes("to=") ? "" : `&to=${base + 5 * HOUR}`}`,
        )
      ).data.map((event) => event.request_id);
    expect(await only(`?from=${base + HOUR}&to=${base + 3 * HOUR}`)).toEqual([
      ids.colleague,
      ids.teamX,
    ]);
    expect(await only(`?from=${new Date(base + 3 * HOUR).toISOString()}`)).toEqual([
      ids.other,
      ids.blocked,
    ]);
    expect(await only("?verdict=block")).toEqual([ids.blocked]);
    expect(await only(`?from=${base}&to=${base}`)).toEqual([]);
    expect(await only("?policy=secrets")).toEqual([ids.blocked]);
    expect(await only(`?team_id=${world.teamY.id}`)).toEqual([ids.colleague]);
    expect(await only(`?user_id=${world.member.userId}`)).toEqual([ids.memberOwn]);
    expect(await only("?model=gpt-x")).toEqual([ids.teamX]);
    expect(await only(`?gateway_id=${world.gateway.id}`)).toEqual([ids.blocked]);
    expect(await only("?config_version=2.0.0")).toEqual([ids.blocked]);
    expect(await only(`?request_id=${ids.teamX}`)).toEqual([ids.teamX]);
    expect(await only("?verdict=block&model=gpt-x")).toEqual([]);
  });

  it("refuses bad filters and cursors with a clear 400", async () => {
    const expectProblem = async (query: string, code: string) => {
      const response = await call("GET", `/v1/events${query}`, { key: world.owner.key });
      expect(response.status, query).toBe(400);
      expect(await response.json()).toMatchObject({ code });
    };
    await expectProblem(`?from=${base + HOUR}&to=${base}`, "invalid_range");
    await expectProblem("?cursor=not-a-cursor", "invalid_cursor");
    await expectProblem("?verdict=maybe", "invalid_request");
    await expectProblem("?from=yesterday", "invalid_request");
  });

  it("shows members their own events and their administered teams', viewers the whole org, other orgs nothing", async () => {
    const sorted = (page: Page) => page.data.map((event) => event.request_id).sort();
    // The member is admin of team X; the colleague is a plain member of team Y.
    expect(sorted(await list(world.member.key))).toEqual(
      [ids.memberOwn, ids.teamX, world.events.member].sort(),
    );
    expect(sorted(await list(world.colleague.key))).toEqual(
      [ids.colleague, world.events.colleague].sort(),
    );
    expect((await list(world.viewer.key)).data).toHaveLength(7);
    const stranger = await newOrg("stranger");
    expect((await list(stranger.ownerKey)).data).toEqual([]);
    const response = await call("GET", `/v1/events/${ids.teamX}`, { key: stranger.ownerKey });
    expect(response.status).toBe(404);
    const hidden = await call("GET", `/v1/events/${ids.colleague}`, { key: world.member.key });
    expect(hidden.status).toBe(404);
  });
});

describe("GET /v1/events/{id}", () => {
  it("shows the policy path, the configuration version it ran under and its escalation", async () => {
    const yaml = sampleYaml("3.1.4");
    const pushed = await json<{ configuration: { id: string; name: string } }>(
      "POST",
      "/v1/configurations",
      {
        key: world.owner.key,
        body: { name: world.configuration.name, yaml },
      },
    );
    const requestId = newId("req");
    await seed([
      sampleEvent({
        orgId: world.orgId,
        requestId,
        verdict: "escalate",
        configVersion: "3.1.4",
        configHash: await sha256(yaml),
        policies: [
          { policy: "pii-detector", phase: "input", action: "allow", findings: [] },
          {
            policy: "human-review",
            phase: "input",
            action: "escalate",
            reason: "phi",
            findings: [{ type: "mrn", category: "phi" }],
          },
        ],
        content: { messages: [{ role: "user", content: "[REDACTED]" }], answer: null },
      }),
    ]);
    const escalationId = newId("esc");
    await env.DB.prepare(
      `INSERT INTO escalations (id, org_id, request_id, request_hash, endpoint, model, policy, reason_code, reason,
        config_name, config_version, config_hash, status, created_at, updated_at, version)
       VALUES (?, ?, ?, 'h', 'chat.completions', 'mock-echo', 'human-review', 'phi', 'phi', 'sample', '3.1.4', 'x', 'queued', ?, ?, 1)`,
    )
      .bind(escalationId, world.orgId, requestId, Date.now(), Date.now())
      .run();
    const event = await json<Record<string, unknown>>("GET", `/v1/events/${requestId}`, {
      key: world.viewer.key,
    });
    expect(event).toMatchObject({
      request_id: requestId,
      verdict: "escalate",
      content: { messages: [{ role: "user", content: "[REDACTED]" }], answer: null },
      policy_path: [
        { policy: "pii-detector", phase: "input", action: "allow", reason: null, findings: 0 },
        { policy: "human-review", phase: "input", action: "escalate", reason: "phi", findings: 1 },
      ],
      configuration: {
        id: pushed.configuration.id,
        name: world.configuration.name,
        version: "3.1.4",
        sha256: await sha256(yaml),
      },
      escalation: { id: escalationId, status: "queued", outcome: null },
      links: {
        configuration_version: `/v1/configurations/${pushed.configuration.id}/versions/3.1.4`,
        escalation: `/v1/escalations/${escalationId}`,
        conversation: null,
      },
    });
  });
});

describe("POST /v1/events/batch", () => {
  it("stores a managed gateway's batch once, under its own org and gateway, chained", async () => {
    const gateway = await managedGateway(world.owner.key);
    const stranger = await newOrg("batch-stranger");
    const events = [1, 2, 3].map((step) =>
      sampleEvent({
        orgId: stranger.orgId,
        gatewayId: "spoofed",
        createdAt: Date.now() - step * 1000,
      }),
    );
    const first = await json("POST", "/v1/events/batch", {
      key: gateway.token,
      body: { events },
      expect: 200,
    });
    expect(first).toEqual({ gateway_id: gateway.id, received: 3, stored: 3, duplicates: 0 });
    const again = await json("POST", "/v1/events/batch", {
      key: gateway.token,
      body: { events },
      expect: 200,
    });
    expect(again).toMatchObject({ stored: 0, duplicates: 3 });
    const page = await list(world.owner.key, `?gateway_id=${gateway.id}`);
    expect(page.data).toHaveLength(3);
    const chain = [...page.data].sort((a, b) => a.sequence - b.sequence);
    let previous: string | null = null;
    for (const event of chain) {
      expect(event.org_id).toBe(world.orgId);
      expect(event.prev_hash).toBe(previous);
      expect(await chainHash(event.prev_hash, event as unknown as Record<string, unknown>)).toBe(
        event.hash,
      );
      previous = event.hash;
    }
    expect((await list(stranger.ownerKey)).data).toEqual([]);
    // A gateway token reads no events.
    expect((await call("GET", "/v1/events", { key: gateway.token })).status).toBe(403);
  });

  it("refuses what a gateway may not post: another gateway, a hosted one, too many, the future", async () => {
    const gateway = await managedGateway(world.owner.key);
    const event = () => sampleEvent({ orgId: world.orgId });
    const refuse = async (key: string, body: unknown, status: number, code: string) => {
      const response = await call("POST", "/v1/events/batch", { key, body });
      expect(response.status, JSON.stringify(body).slice(0, 80)).toBe(status);
      expect(await response.json()).toMatchObject({ code });
    };
    await refuse(
      gateway.token,
      { gateway_id: world.gateway.id, events: [event()] },
      404,
      "not_found",
    );
    await refuse(world.owner.key, { events: [event()] }, 400, "gateway_required");
    const hosted = await managedGateway(world.owner.key, "hosted");
    await refuse(hosted.token, { events: [event()] }, 409, "gateway_not_managed");
    await refuse(
      gateway.token,
      { events: Array.from({ length: 101 }, event) },
      400,
      "invalid_request",
    );
    await refuse(
      gateway.token,
      { events: [{ ...event(), created_at: Date.now() + 3_600_000 }] },
      400,
      "invalid_request",
    );
    await refuse(
      gateway.token,
      { events: [{ ...event(), verdict: "maybe" }] },
      400,
      "invalid_request",
    );
    await refuse(world.member.key, { gateway_id: gateway.id, events: [event()] }, 403, "forbidden");
    expect((await list(world.owner.key, `?gateway_id=${gateway.id}`)).data).toEqual([]);
  });

  it("lets an owner import a managed gateway's events, audited", async () => {
    const gateway = await managedGateway(world.owner.key);
    const answer = await json("POST", "/v1/events/batch", {
      key: world.owner.key,
      body: { gateway_id: gateway.id, events: [sampleEvent({ orgId: world.orgId })] },
      expect: 200,
    });
    expect(answer).toMatchObject({ gateway_id: gateway.id, stored: 1 });
    const audit = await json<{ data: unknown[] }>(
      "GET",
      `/v1/audit?action=events.import&resource_id=${gateway.id}`,
      {
        key: world.owner.key,
      },
    );
    expect(audit.data).toHaveLength(1);
  });
});
