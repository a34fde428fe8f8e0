import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { newId } from "../../../workers/db/api-key.ts";
import type { EscalationDO } from "../escalation-do.ts";
import { mirrorEscalation } from "../escalation-mirror.ts";
import type { Actor, CreateEscalationInput, EscalationRow, Scope } from "../escalation-model.ts";

const ORG: Scope = { teams: null };
const ann: Actor = { type: "user", id: "usr_ann" };
const bob: Actor = { type: "user", id: "usr_bob" };

/** A fresh org's review queue. */
function queue(orgId = newId("org")) {
  return { orgId, stub: env.ESCALATIONS.get(env.ESCALATIONS.idFromName(orgId)) };
}

function escalation(
  orgId: string,
  fields: Partial<CreateEscalationInput> = {},
): CreateEscalationInput {
  return {
    id: newId("esc"),
    orgId,
    teamId: null,
    userId: null,
    keyId: "key_app",
    requestId: newId("req"),
    requestHash: "a".repeat(64),
    endpoint: "chat.completions",
    model: "gpt-test",
    policy: "human-oversight",
    reasonCode: "phi",
    reason: "requires human review (found phi)",
    config: { name: "test-pack", version: "1.2.3", hash: "c".repeat(64) },
    messages: [{ role: "user", content: "Patient [NAME_1], MRN [MRN_1], needs a summary" }],
    ...fields,
  };
}

/** Creates an escalation and returns it, failing the test if the queue refuses it. */
async function open(stub: ReturnType<typeof queue>["stub"], input: CreateEscalationInput) {
  const result = await stub.create(input);
  if (!result.ok) throw new Error(result.message);
  return result.escalation;
}

async function mirrored(id: string) {
  return env.DB.prepare("SELECT * FROM escalations WHERE id = ?").bind(id).first();
}

async function mirroredTrail(id: string) {
  const rows = await env.DB.prepare(
    "SELECT seq, actor_id, action FROM escalation_trail WHERE escalation_id = ? ORDER BY seq",
  )
    .bind(id)
    .all();
  return rows.results;
}

describe("EscalationDO: creating", () => {
  it("stores the redacted request, queues it, mirrors it to D1 and is idempotent by id", async () => {
    const { orgId, stub } = queue();
    const input = escalation(orgId);
    const created = await open(stub, input);
    expect(created).toMatchObject({ id: input.id, status: "queued", reason_code: "phi" });
    expect(await stub.create(input)).toEqual({ ok: true, escalation: created });
    const detail = await stub.show(input.id, ORG);
    expect(JSON.parse(detail?.request_json ?? "")).toEqual({ messages: input.messages });
    expect(detail?.trail).toEqual([
      expect.objectContaining({ seq: 1, action: "create", actor_type: "gateway" }),
    ]);
    expect(await mirrored(input.id)).toMatchObject({
      org_id: orgId,
      status: "queued",
      request_hash: input.requestHash,
      version: 1,
    });
    expect(await mirroredTrail(input.id)).toEqual([
      { seq: 1, actor_id: "key_app", action: "create" },
    ]);
  });

  it("refuses input that breaks the RPC contract", async () => {
    const { orgId, stub } = queue();
    const invalid = { ok: false, error: "invalid" };
    expect(await stub.create({ ...escalation(orgId), id: "esc_not-hex" })).toMatchObject({
      ...invalid,
      message: expect.stringMatching(/^id: /),
    });
    expect(await stub.create({ ...escalation(orgId), requestHash: "short" })).toMatchObject(
      invalid,
    );
    expect(await stub.create({ ...escalation(orgId), messages: [] })).toMatchObject(invalid);
    const { id } = await open(stub, escalation(orgId));
    expect(await stub.claim(id, { type: "robot" as "user", id: "x" }, ORG)).toMatchObject(invalid);
    expect(await stub.claim(id, ann, ORG, 0)).toMatchObject(invalid);
    expect(await stub.claim(id, ann, { teams: "all" as unknown as null })).toMatchObject(invalid);
    expect(await stub.resolve(id, ann, ORG, "allow", "   ")).toMatchObject({
      ...invalid,
      message: "note: a resolution needs a note",
    });
    expect(await stub.resolve(id, ann, ORG, "maybe" as "allow", "why")).toMatchObject(invalid);
    expect(await stub.show(id, ORG)).toMatchObject({ status: "queued" });
  });
});

describe("EscalationDO: claims", () => {
  it("gives exactly one of two racing reviewers the claim, 50 times over", async () => {
    const { orgId, stub } = queue();
    for (let round = 0; round < 50; round += 1) {
      const { id } = await open(stub, escalation(orgId));
      const [first, second] = await Promise.all([
        stub.claim(id, ann, ORG),
        stub.claim(id, bob, ORG),
      ]);
      const results = [first, second];
      const winners = results.filter((result) => result.ok);
      const losers = results.filter((result) => !result.ok);
      expect(winners).toHaveLength(1);
      expect(losers).toHaveLength(1);
      const winner = winners[0]?.ok ? winners[0].escalation.claimed_by : undefined;
      expect(losers[0]).toMatchObject({ error: "claimed_by_other", owner: winner });
      const trail = (await stub.show(id, ORG))?.trail.map((entry) => entry.action);
      expect(trail).toEqual(["create", "claim"]);
    }
  }, 60_000);

  it("renews for the owner, releases only for the owner, and refuses releasing an unclaimed one", async () => {
    const { orgId, stub } = queue();
    const { id } = await open(stub, escalation(orgId));
    expect(await stub.release(id, ann, ORG)).toEqual({ ok: false, error: "not_claimed" });
    const claimed = await stub.claim(id, ann, ORG, 60_000);
    const renewed = await stub.claim(id, ann, ORG, 120_000);
    expect(claimed.ok && renewed.ok).toBe(true);
    if (claimed.ok && renewed.ok)
      expect(renewed.escalation.claim_expires_at).toBeGreaterThan(
        claimed.escalation.claim_expires_at ?? 0,
      );
    expect(await stub.release(id, bob, ORG)).toMatchObject({
      ok: false,
      error: "claimed_by_other",
      owner: "usr_ann",
    });
    expect(await stub.release(id, ann, ORG)).toMatchObject({
      ok: true,
      escalation: { status: "queued", claimed_by: null },
    });
    expect(await stub.claim(id, bob, ORG)).toMatchObject({
      ok: true,
      escalation: { claimed_by: "usr_bob" },
    });
    expect((await mirrored(id))?.claimed_by).toBe("usr_bob");
    expect((await mirroredTrail(id)).map((row) => row.action)).toEqual([
      "create",
      "claim",
      "claim",
      "release",
      "claim",
    ]);
  });

  it("lets a lapsed claim go: another reviewer may take it, and the alarm sweeps it back to the queue", async () => {
    const { orgId, stub } = queue();
    const first = await open(stub, escalation(orgId));
    await stub.claim(first.id, ann, ORG, 1);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(await stub.claim(first.id, bob, ORG)).toMatchObject({
      ok: true,
      escalation: { claimed_by: "usr_bob" },
    });
    const actions = (await stub.show(first.id, ORG))?.trail.map((entry) => entry.action);
    expect(actions).toEqual(["create", "claim", "expire", "claim"]);

    const second = await open(stub, escalation(orgId));
    await stub.claim(second.id, ann, ORG, 1);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect((await stub.show(second.id, ORG))?.status).toBe("queued");
    expect(await mirrored(second.id)).toMatchObject({ status: "queued", claimed_by: null });
    expect((await mirroredTrail(second.id)).at(-1)).toMatchObject({
      action: "expire",
      actor_id: "claim-expiry",
    });
  });
});

describe("EscalationDO: resolutions", () => {
  it("is final: of two resolves, sequential or racing, exactly one succeeds", async () => {
    const { orgId, stub } = queue();
    const { id } = await open(stub, escalation(orgId));
    expect(await stub.resolve(id, ann, ORG, "allow", "reviewed the chart")).toMatchObject({
      ok: true,
      escalation: { status: "resolved", outcome: "allow", resolved_by: "usr_ann" },
    });
    expect(await stub.resolve(id, ann, ORG, "block", "changed my mind")).toMatchObject({
      ok: false,
      error: "already_resolved",
      outcome: "allow",
    });
    expect(await stub.claim(id, bob, ORG)).toMatchObject({ error: "already_resolved" });
    expect(await stub.release(id, ann, ORG)).toMatchObject({ error: "already_resolved" });

    for (let round = 0; round < 20; round += 1) {
      const racing = await open(stub, escalation(orgId));
      const results = await Promise.all([
        stub.resolve(racing.id, ann, ORG, "allow", "fine"),
        stub.resolve(racing.id, bob, ORG, "block", "not fine"),
      ]);
      expect(results.filter((result) => result.ok)).toHaveLength(1);
    }
  }, 60_000);

  it("belongs to the claim's owner while the claim holds", async () => {
    const { orgId, stub } = queue();
    const { id } = await open(stub, escalation(orgId));
    await stub.claim(id, ann, ORG);
    expect(await stub.resolve(id, bob, ORG, "allow", "mine now")).toMatchObject({
      ok: false,
      error: "claimed_by_other",
      owner: "usr_ann",
    });
    const resolved = await stub.resolve(id, ann, ORG, "policy_tuning", "the PHI rule is too wide");
    expect(resolved).toMatchObject({ ok: true, escalation: { claimed_by: null } });
    expect(await mirrored(id)).toMatchObject({
      status: "resolved",
      outcome: "policy_tuning",
      note: "the PHI rule is too wide",
    });
    const trail = await stub.show(id, ORG);
    expect(trail?.trail.at(-1)).toMatchObject({
      action: "resolve",
      actor_id: "usr_ann",
      detail: { outcome: "policy_tuning", note: "the PHI rule is too wide" },
    });
  });
});

describe("EscalationDO: the gateway's retry", () => {
  const caller = { keyId: "key_app", teamId: null, userId: null };

  it("passes once after allow, with the same hash and caller only", async () => {
    const { orgId, stub } = queue();
    const input = escalation(orgId);
    const { id } = await open(stub, input);
    const hash = input.requestHash;
    expect(await stub.redeem(id, caller, hash, "req_1")).toMatchObject({
      error: "pending",
      status: "queued",
    });
    await stub.resolve(id, ann, ORG, "allow", "ok");
    expect(await stub.redeem(id, caller, "b".repeat(64), "req_2")).toEqual({
      ok: false,
      error: "mismatch",
    });
    expect(await stub.redeem(id, { ...caller, keyId: "key_other" }, hash, "req_3")).toEqual({
      ok: false,
      error: "not_found",
    });
    const results = await Promise.all([
      stub.redeem(id, caller, hash, "req_4"),
      stub.redeem(id, caller, hash, "req_5"),
    ]);
    expect(results.filter((result) => result.ok)).toHaveLength(1);
    expect(results.find((result) => !result.ok)).toMatchObject({ error: "used" });
    expect(await stub.redeem(newId("esc"), caller, hash, "req_6")).toEqual({
      ok: false,
      error: "not_found",
    });
    expect((await mirroredTrail(id)).at(-1)).toMatchObject({ action: "use" });
  });

  it("is denied after block or policy tuning", async () => {
    const { orgId, stub } = queue();
    for (const outcome of ["block", "policy_tuning"] as const) {
      const input = escalation(orgId);
      await open(stub, input);
      await stub.resolve(input.id, ann, ORG, outcome, "no");
      expect(await stub.redeem(input.id, caller, input.requestHash, "req")).toMatchObject({
        error: "denied",
        outcome,
      });
    }
  });
});

describe("EscalationDO: scope and mirror", () => {
  it("shows and changes a team's escalations only for that team's scope", async () => {
    const { orgId, stub } = queue();
    const legal = await open(stub, escalation(orgId, { teamId: "team_legal" }));
    const teamless = await open(stub, escalation(orgId));
    const sales: Scope = { teams: ["team_sales"] };
    expect(await stub.show(legal.id, sales)).toBeNull();
    expect(await stub.claim(legal.id, ann, sales)).toEqual({ ok: false, error: "not_found" });
    expect(await stub.resolve(legal.id, ann, sales, "block", "x")).toEqual({
      ok: false,
      error: "not_found",
    });
    expect(await stub.show(teamless.id, { teams: ["team_legal"] })).toBeNull();
    expect(await stub.claim(legal.id, ann, { teams: ["team_legal"] })).toMatchObject({ ok: true });
    expect(await queue().stub.show(legal.id, ORG)).toBeNull();
  });

  it("never rolls the D1 mirror back, and re-mirrors what a failed write left behind", async () => {
    const { orgId, stub } = queue();
    const { id } = await open(stub, escalation(orgId));
    await stub.claim(id, ann, ORG);
    const stale = await runInDurableObject(stub, (instance: EscalationDO, state) => {
      void instance;
      return state.storage.sql
        .exec<EscalationRow>("SELECT * FROM escalations WHERE id = ?", id)
        .one();
    });
    await stub.resolve(id, ann, ORG, "block", "no");
    await mirrorEscalation(env.DB, { ...stale, version: 1, status: "queued" }, []);
    expect(await mirrored(id)).toMatchObject({ status: "resolved", version: 3 });

    // As if the mirror write had failed: the row is behind in D1 and the alarm is armed.
    await runInDurableObject(stub, async (_instance: EscalationDO, state) => {
      state.storage.sql.exec("UPDATE escalations SET mirrored_version = 0 WHERE id = ?", id);
      await state.storage.setAlarm(Date.now());
    });
    await env.DB.prepare("DELETE FROM escalations WHERE id = ?").bind(id).run();
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await mirrored(id)).toMatchObject({ status: "resolved", version: 3 });
    expect((await mirroredTrail(id)).map((row) => row.action)).toEqual([
      "create",
      "claim",
      "resolve",
    ]);
  });

  it("keeps the D1 trail append-only", async () => {
    const { orgId, stub } = queue();
    const { id } = await open(stub, escalation(orgId));
    await expect(
      env.DB.prepare("UPDATE escalation_trail SET actor_id = 'forged' WHERE escalation_id = ?")
        .bind(id)
        .run(),
    ).rejects.toThrow(/append-only/);
    await expect(
      env.DB.prepare("DELETE FROM escalation_trail WHERE escalation_id = ?").bind(id).run(),
    ).rejects.toThrow(/append-only/);
  });
});
