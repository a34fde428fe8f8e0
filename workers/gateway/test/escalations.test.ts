import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { generateKey, hashKey, keyPrefix, newId } from "../../db/api-key.ts";
import type { Actor, Outcome } from "../../../durable-objects/escalations/escalation-model.ts";
import { LOCAL_ORG } from "../escalations/escalations.ts";
import { openaiConfig, SECRETS } from "./configs.ts";
import { chat, gateway, received, scriptId, storedEvent, type TestGateway } from "./gateway.ts";

const reviewer: Actor = { type: "user", id: "usr_reviewer" };
const phiChain = {
  chain: "hipaa-phi-detector, human-oversight, audit-logger",
  policy: "  human-oversight:\n    only_when: [phi]\n  audit-logger:\n    content: redacted\n",
};
const phiRequest = {
  model: "gpt-test",
  temperature: 0.1,
  messages: [{ role: "user", content: "Patient: Maria Gonzalez, MRN: 00482913 needs a summary" }],
};

interface ErrorBody {
  error: { code: string; escalation_id?: string; message: string; request_id: string };
}

function queueOf(orgId: string) {
  return env.ESCALATIONS.get(env.ESCALATIONS.idFromName(orgId));
}

/** Sends the request and returns the escalation id of its 403. */
async function escalate(
  gw: TestGateway,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<string> {
  const response = await chat(gw, body, headers);
  const answer = (await response.json()) as ErrorBody;
  expect(response.status, JSON.stringify(answer)).toBe(403);
  expect(answer.error.code).toBe("pending_review");
  const id = answer.error.escalation_id ?? "";
  expect(id).toMatch(/^esc_[0-9a-f]{32}$/);
  expect(response.headers.get("x-keeptrusts-escalation-id")).toBe(id);
  return id;
}

async function decide(orgId: string, id: string, outcome: Outcome): Promise<void> {
  const result = await queueOf(orgId).resolve(id, reviewer, { teams: null }, outcome, "reviewed");
  expect(result.ok).toBe(true);
}

async function code(response: Response): Promise<string> {
  return ((await response.json()) as ErrorBody).error.code;
}

describe("an escalated request", () => {
  it("is stored redacted with its hash, reason, config version and event, and answered 403 pending_review", async () => {
    const upstream = scriptId("escalation-store");
    const gw = gateway(openaiConfig(upstream, phiChain), SECRETS);
    const response = await chat(gw, phiRequest);
    const requestId = response.headers.get("x-keeptrusts-request-id") ?? "";
    const body = (await response.json()) as ErrorBody;
    expect(response.status).toBe(403);
    expect(body.error).toMatchObject({ code: "pending_review", request_id: requestId });
    const id = body.error.escalation_id ?? "";
    expect(body.error.message).toContain(id);
    expect(response.headers.get("x-keeptrusts-escalation-id")).toBe(id);
    expect(await received(upstream)).toEqual([]);

    const stored = await queueOf(LOCAL_ORG).show(id, { teams: null });
    expect(stored).toMatchObject({
      status: "queued",
      request_id: requestId,
      policy: "human-oversight",
      reason_code: "phi",
      config: { name: "test-pack", version: "1.2.3" },
      request_hash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(stored?.request_json).toContain("needs a summary");
    expect(stored?.request_json).not.toMatch(/00482913|Maria Gonzalez/);
    await gw.settle();
    const event = await storedEvent(requestId);
    expect(event).toMatchObject({ verdict: "escalate", error_code: "pending_review" });
    const mirror = await env.DB.prepare("SELECT * FROM escalations WHERE id = ?").bind(id).first();
    expect(mirror).toMatchObject({ org_id: LOCAL_ORG, request_id: requestId, status: "queued" });
  });

  it("stays pending until decided, and a retry while pending creates no second escalation", async () => {
    const upstream = scriptId("escalation-pending");
    const gw = gateway(openaiConfig(upstream, phiChain), SECRETS);
    const id = await escalate(gw, phiRequest);
    const retry = await chat(gw, phiRequest, { "x-keeptrusts-escalation-id": id });
    expect(retry.status).toBe(403);
    expect(((await retry.json()) as ErrorBody).error).toMatchObject({
      code: "pending_review",
      escalation_id: id,
    });
    await queueOf(LOCAL_ORG).claim(id, reviewer, { teams: null });
    expect(await code(await chat(gw, phiRequest, { "x-keeptrusts-escalation-id": id }))).toBe(
      "pending_review",
    );
    expect(await received(upstream)).toEqual([]);
  });
});

describe("an unreachable review queue", () => {
  it("answers 503 review_unavailable and never calls the provider", async () => {
    const upstream = scriptId("escalation-queue-down");
    const down = {
      idFromName: (name: string) => name,
      get: () => ({
        create: async () => {
          throw new Error("queue down");
        },
      }),
    };
    const gw = gateway(openaiConfig(upstream, phiChain), { ...SECRETS, ESCALATIONS: down });
    const response = await chat(gw, phiRequest);
    expect(response.status).toBe(503);
    expect(await code(response)).toBe("review_unavailable");
    expect(await received(upstream)).toEqual([]);
  });
});

describe("a retry after review", () => {
  it("after allow: passes exactly once, only with the same request, and sends the redacted text", async () => {
    const upstream = scriptId("escalation-allow");
    const gw = gateway(openaiConfig(upstream, phiChain), SECRETS);
    const id = await escalate(gw, phiRequest);
    await decide(LOCAL_ORG, id, "allow");
    const header = { "x-keeptrusts-escalation-id": id };

    const changed = { ...phiRequest, temperature: 0.9 };
    const mismatch = await chat(gw, changed, header);
    expect(mismatch.status).toBe(403);
    expect(await code(mismatch)).toBe("escalation_mismatch");

    // Same content, other key order and spacing: still the same request.
    const { model, temperature, messages } = phiRequest;
    const reordered = { messages, temperature, model };
    const passed = await chat(gw, reordered, header);
    expect(passed.status, await passed.clone().text()).toBe(200);
    const sent = await received(upstream);
    expect(sent).toHaveLength(1);
    expect(JSON.stringify(sent[0]?.body)).not.toMatch(/00482913|Maria Gonzalez/);

    const again = await chat(gw, phiRequest, header);
    expect(again.status).toBe(403);
    expect(await code(again)).toBe("escalation_used");
    expect(await received(upstream)).toHaveLength(1);
    const trail = (await queueOf(LOCAL_ORG).show(id, { teams: null }))?.trail ?? [];
    expect(trail.map((entry) => entry.action)).toEqual(["create", "resolve", "use"]);
    expect(trail.at(-1)?.detail).toMatchObject({
      request_id: passed.headers.get("x-keeptrusts-request-id"),
    });
  });

  it("lets only one of two racing retries through", async () => {
    const upstream = scriptId("escalation-race");
    const gw = gateway(openaiConfig(upstream, phiChain), SECRETS);
    const id = await escalate(gw, phiRequest);
    await decide(LOCAL_ORG, id, "allow");
    const header = { "x-keeptrusts-escalation-id": id };
    const answers = await Promise.all([
      chat(gw, phiRequest, header),
      chat(gw, phiRequest, header),
      chat(gw, phiRequest, header),
    ]);
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 403, 403]);
    expect(await received(upstream)).toHaveLength(1);
  });

  it("after block or policy tuning: fails with review_denied", async () => {
    const upstream = scriptId("escalation-denied");
    const gw = gateway(openaiConfig(upstream, phiChain), SECRETS);
    for (const outcome of ["block", "policy_tuning"] as const) {
      const id = await escalate(gw, phiRequest);
      await decide(LOCAL_ORG, id, outcome);
      const retry = await chat(gw, phiRequest, { "x-keeptrusts-escalation-id": id });
      expect(retry.status).toBe(403);
      expect(await code(retry)).toBe("review_denied");
    }
    expect(await received(upstream)).toEqual([]);
  });

  it("refuses an unknown id with 404 and a malformed one with 400", async () => {
    const gw = gateway(openaiConfig(scriptId("escalation-unknown"), phiChain), SECRETS);
    const unknown = await chat(gw, phiRequest, { "x-keeptrusts-escalation-id": newId("esc") });
    expect(unknown.status).toBe(404);
    expect(await code(unknown)).toBe("escalation_not_found");
    for (const bad of ["", "esc_123", "../admin", "esc_" + "g".repeat(32)]) {
      const response = await chat(gw, phiRequest, { "x-keeptrusts-escalation-id": bad });
      expect(response.status, bad).toBe(400);
      expect(((await response.json()) as { error: { param: string } }).error.param).toBe(
        "x-keeptrusts-escalation-id",
      );
    }
  });
});

async function orgWithKey(teamId: string | null = null): Promise<{ orgId: string; key: string }> {
  const orgId = newId("org");
  await env.DB.prepare("INSERT INTO orgs (id, name, created_at) VALUES (?, ?, ?)")
    .bind(orgId, orgId, Date.now())
    .run();
  return { orgId, key: await keyIn(orgId, teamId) };
}

async function keyIn(orgId: string, teamId: string | null): Promise<string> {
  if (teamId)
    await env.DB.prepare("INSERT INTO teams (id, org_id, name, created_at) VALUES (?, ?, ?, ?)")
      .bind(teamId, orgId, teamId, Date.now())
      .run();
  const key = generateKey("gateway");
  await env.DB.prepare(
    "INSERT INTO api_keys (id, org_id, kind, name, prefix, hash, team_id, role, created_at) VALUES (?, ?, 'gateway', ?, ?, ?, ?, 'member', ?)",
  )
    .bind(
      newId("key"),
      orgId,
      newId("name"),
      keyPrefix(key),
      await hashKey(key),
      teamId,
      Date.now(),
    )
    .run();
  return key;
}

describe("escalations and tenancy at the gateway", () => {
  it("queue per org, and a retry works only for the key, team and org it was made for", async () => {
    const upstream = scriptId("escalation-tenancy");
    const gw = gateway(openaiConfig(upstream, phiChain), {
      ...SECRETS,
      KEEPTRUSTS_AUTH: "required",
    });
    const legal = await orgWithKey(newId("team"));
    const other = await orgWithKey();
    const sameOrgOtherTeam = await keyIn(legal.orgId, newId("team"));
    const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

    const id = await escalate(gw, phiRequest, bearer(legal.key));
    expect(await queueOf(LOCAL_ORG).show(id, { teams: null })).toBeNull();
    expect(await queueOf(other.orgId).show(id, { teams: null })).toBeNull();
    expect(await queueOf(legal.orgId).show(id, { teams: null })).toMatchObject({
      status: "queued",
    });
    await decide(legal.orgId, id, "allow");

    for (const key of [other.key, sameOrgOtherTeam]) {
      const stolen = await chat(gw, phiRequest, {
        ...bearer(key),
        "x-keeptrusts-escalation-id": id,
      });
      expect(stolen.status).toBe(404);
      expect(await code(stolen)).toBe("escalation_not_found");
    }
    const own = await chat(gw, phiRequest, {
      ...bearer(legal.key),
      "x-keeptrusts-escalation-id": id,
    });
    expect(own.status).toBe(200);
    expect(await received(upstream)).toHaveLength(1);
  });
});
