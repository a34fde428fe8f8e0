import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { newId } from "../../../workers/db/api-key.ts";
import type { LedgerDO } from "../ledger-do.ts";
import { MICROS } from "../money.ts";
import {
  expectBooksBalance,
  fund,
  holdInput,
  ledgerOf,
  settleInput,
  type LedgerStub,
} from "./ledger-fixtures.ts";

async function allocate(
  stub: LedgerStub,
  orgId: string,
  to: "team" | "user",
  ownerId: string,
  amount: number,
) {
  const result = await stub.allocate({
    orgId,
    from: { scope: "org", ownerId: orgId },
    to: { scope: to, ownerId },
    amount,
    currency: "USD",
    idempotencyKey: newId("al"),
    actor: "usr_admin",
  });
  if (!result.ok) throw new Error(JSON.stringify(result));
  return result as Extract<typeof result, { ok: true }>;
}

describe("LedgerDO: money in", () => {
  it("tops up the org wallet once per idempotency key, and copies it to D1", async () => {
    const { orgId, stub } = ledgerOf();
    const first = await fund(stub, orgId, 10 * MICROS, "tu_same");
    const again = await fund(stub, orgId, 10 * MICROS, "tu_same");
    expect(first.duplicate).toBe(false);
    expect(again).toMatchObject({ duplicate: true, entries: first.entries });
    const [wallet] = await stub.wallets({ teams: null, userId: null });
    expect(wallet).toMatchObject({ scope: "org", owner_id: orgId, balance: 10 * MICROS, held: 0 });
    await stub.flush();
    const copy = await env.DB.prepare("SELECT balance, scope FROM wallets WHERE org_id = ?")
      .bind(orgId)
      .first();
    expect(copy).toEqual({ balance: 10 * MICROS, scope: "org" });
    const entries = await env.DB.prepare("SELECT kind, delta FROM ledger_entries WHERE org_id = ?")
      .bind(orgId)
      .all();
    expect(entries.results).toEqual([{ kind: "topup", delta: 10 * MICROS }]);
    await expect(
      env.DB.prepare("UPDATE ledger_entries SET delta = 0 WHERE org_id = ?").bind(orgId).run(),
    ).rejects.toThrow(/append-only/);
  });

  it("allocates down the cascade, never more than the source holds, in the org's one currency", async () => {
    const { orgId, stub } = ledgerOf();
    await fund(stub, orgId, 5 * MICROS);
    const moved = await allocate(stub, orgId, "team", "team_a", 3 * MICROS);
    expect(moved.wallets.map((wallet) => wallet.balance)).toEqual([2 * MICROS, 3 * MICROS]);
    const tooMuch = await stub.allocate({
      orgId,
      from: { scope: "org", ownerId: orgId },
      to: { scope: "user", ownerId: "usr_x" },
      amount: 3 * MICROS,
      currency: "USD",
      idempotencyKey: newId("al"),
      actor: "usr_admin",
    });
    expect(tooMuch).toEqual({ ok: false, error: "insufficient_balance", available: 2 * MICROS });
    const otherCurrency = await stub.topUp({
      orgId,
      to: { scope: "org", ownerId: orgId },
      amount: MICROS,
      currency: "EUR",
      idempotencyKey: newId("tu"),
      actor: "usr_admin",
      source: "manual",
      reference: null,
      ticketId: null,
    });
    expect(otherCurrency).toEqual({ ok: false, error: "currency_mismatch", currency: "USD" });
    await expectBooksBalance(stub);
  });

  it("refuses a ledger named by another org", async () => {
    const { orgId, stub } = ledgerOf();
    await fund(stub, orgId, MICROS);
    const result = await stub.hold(holdInput("org_other", 1));
    expect(result).toMatchObject({ ok: false, error: "invalid" });
  });
});

describe("LedgerDO: holds and settles", () => {
  it("pays from the user wallet, then the team's, then the org's: the first with enough", async () => {
    const { orgId, stub } = ledgerOf();
    await fund(stub, orgId, 10 * MICROS);
    await allocate(stub, orgId, "team", "team_a", 2 * MICROS);
    await allocate(stub, orgId, "user", "usr_a", MICROS);
    const caller = { teamId: "team_a", userId: "usr_a" };
    const user = await stub.hold(holdInput(orgId, MICROS / 2, caller));
    const team = await stub.hold(holdInput(orgId, MICROS, caller));
    const org = await stub.hold(holdInput(orgId, 3 * MICROS, caller));
    expect([user, team, org].map((result) => result.ok && result.scope)).toEqual([
      "user",
      "team",
      "org",
    ]);
    await expectBooksBalance(stub);
  });

  it("settles the real cost, releases the rest, and a repeated settle changes nothing", async () => {
    const { orgId, stub } = ledgerOf();
    await fund(stub, orgId, 10 * MICROS);
    const input = holdInput(orgId, 2 * MICROS);
    expect(await stub.hold(input)).toMatchObject({ ok: true, metered: true, scope: "org" });
    expect(await stub.hold(input)).toMatchObject({ ok: true, amount: 2 * MICROS });
    // 100,000 prompt tokens at 1 USD/M + 50,000 completion at 2 USD/M = 0.2 USD
    const settle = settleInput(orgId, input.holdId, 100_000, 50_000);
    const [first, second] = await Promise.all([stub.settle(settle), stub.settle(settle)]);
    const results = [first, second].sort(
      (a, b) => Number(a.ok && a.duplicate) - Number(b.ok && b.duplicate),
    );
    expect(results[0]).toEqual({
      ok: true,
      cost: 200_000,
      charged: 200_000,
      uncollected: 0,
      duplicate: false,
    });
    expect(results[1]).toMatchObject({ ok: true, duplicate: true });
    expect(await stub.settle(settle)).toMatchObject({ ok: true, duplicate: true });
    const [wallet] = await stub.wallets({ teams: null, userId: null });
    expect(wallet).toMatchObject({ balance: 10 * MICROS - 200_000, held: 0 });
    const ledger = await stub.ledger(wallet?.id ?? "", { teams: null, userId: null });
    expect(ledger?.entries.map((entry) => [entry.kind, entry.amount, entry.delta])).toEqual([
      ["release", 1_800_000, 1_800_000],
      ["settle", 200_000, 0],
      ["hold", 2_000_000, -2_000_000],
      ["topup", 10_000_000, 10_000_000],
    ]);
    await expectBooksBalance(stub);
    await stub.flush();
    const usage = await env.DB.prepare(
      "SELECT cost, prompt_tokens, estimated FROM usage_records WHERE request_id = ?",
    )
      .bind(input.holdId)
      .first();
    expect(usage).toEqual({ cost: 200_000, prompt_tokens: 100_000, estimated: 0 });
  });

  it("honours cached-token prices", async () => {
    const { orgId, stub } = ledgerOf();
    await fund(stub, orgId, MICROS);
    const input = holdInput(orgId, MICROS / 2);
    await stub.hold(input);
    const settle = settleInput(orgId, input.holdId, 100_000, 0);
    settle.usage.cachedTokens = 100_000;
    expect(await stub.settle(settle)).toMatchObject({ cost: 50_000 });
  });

  it("takes a cost above the hold from the same wallet, and records what it cannot cover", async () => {
    const { orgId, stub } = ledgerOf();
    await fund(stub, orgId, 300_000);
    const input = holdInput(orgId, 100_000);
    await stub.hold(input);
    // 0.5 USD of usage against a 0.1 USD hold and 0.2 USD left: 0.3 charged, 0.2 uncollected
    const result = await stub.settle(settleInput(orgId, input.holdId, 500_000, 0));
    expect(result).toEqual({
      ok: true,
      cost: 500_000,
      charged: 300_000,
      uncollected: 200_000,
      duplicate: false,
    });
    await expectBooksBalance(stub);
  });

  it("releases a hold in full when nothing was spent, once", async () => {
    const { orgId, stub } = ledgerOf();
    await fund(stub, orgId, MICROS);
    const input = holdInput(orgId, MICROS);
    await stub.hold(input);
    expect(
      await stub.release({ orgId, holdId: input.holdId, reason: "upstream_error" }),
    ).toMatchObject({ duplicate: false });
    expect(await stub.release({ orgId, holdId: input.holdId, reason: "again" })).toMatchObject({
      duplicate: true,
    });
    expect(await stub.settle(settleInput(orgId, input.holdId, 10, 10))).toMatchObject({
      duplicate: true,
    });
    expect((await expectBooksBalance(stub))[0]?.balance).toBe(MICROS);
  });

  it("expires a hold that is never settled: the alarm returns the credit; a late settle still pays", async () => {
    const { orgId, stub } = ledgerOf();
    await fund(stub, orgId, MICROS);
    const input = holdInput(orgId, 600_000);
    await stub.hold(input);
    expect((await stub.wallets({ teams: null, userId: null }))[0]?.balance).toBe(400_000);
    await runInDurableObject(stub, async (_instance: LedgerDO, state) => {
      state.storage.sql.exec(
        "UPDATE holds SET expires_at = ? WHERE id = ?",
        Date.now() - 1,
        input.holdId,
      );
      await state.storage.setAlarm(Date.now() - 1);
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect((await stub.wallets({ teams: null, userId: null }))[0]).toMatchObject({
      balance: MICROS,
      held: 0,
    });
    const late = await stub.settle(settleInput(orgId, input.holdId, 100_000, 0));
    expect(late).toMatchObject({ ok: true, cost: 100_000, charged: 100_000, duplicate: false });
    expect((await expectBooksBalance(stub))[0]?.balance).toBe(900_000);
  });
});

describe("LedgerDO: limits", () => {
  it("keeps a key within its daily budget, counting holds and settled spend", async () => {
    const { orgId, stub } = ledgerOf();
    const limits = { keyDailyBudget: MICROS, perRequest: null, session: null };
    const first = holdInput(orgId, 700_000, { limits });
    expect(await stub.hold(first)).toMatchObject({ ok: true, metered: false });
    expect(await stub.hold(holdInput(orgId, 400_000, { limits }))).toMatchObject({
      ok: false,
      error: "daily_budget_exceeded",
      spent: 700_000,
    });
    await stub.settle(settleInput(orgId, first.holdId, 100_000, 0));
    expect(await stub.hold(holdInput(orgId, 400_000, { limits }))).toMatchObject({ ok: true });
  });

  it("enforces cost-check per request and per session", async () => {
    const { orgId, stub } = ledgerOf();
    const request = { keyDailyBudget: null, perRequest: 500_000, session: null };
    expect(await stub.hold(holdInput(orgId, 600_000, { limits: request }))).toMatchObject({
      error: "cost_limit_exceeded",
      limit: "request",
    });
    const session = {
      keyDailyBudget: null,
      perRequest: null,
      session: { id: "s1", limit: MICROS },
    };
    expect(await stub.hold(holdInput(orgId, 600_000, { limits: session }))).toMatchObject({
      ok: true,
    });
    expect(await stub.hold(holdInput(orgId, 600_000, { limits: session }))).toMatchObject({
      error: "cost_limit_exceeded",
      limit: "session",
    });
  });

  it("refuses an unpriced model once the org is metered, and records it otherwise", async () => {
    const free = ledgerOf();
    expect(await free.stub.hold(holdInput(free.orgId, 0, { priced: false }))).toMatchObject({
      ok: true,
      metered: false,
    });
    const { orgId, stub } = ledgerOf();
    await fund(stub, orgId, MICROS);
    expect(await stub.hold(holdInput(orgId, 0, { priced: false }))).toEqual({
      ok: false,
      error: "not_priced",
    });
  });
});

describe("LedgerDO: alert thresholds", () => {
  it("alerts once per crossing, not per request, and again after a top-up", async () => {
    const { orgId, stub } = ledgerOf();
    await fund(stub, orgId, MICROS);
    const [wallet] = await stub.wallets({ teams: null, userId: null });
    await stub.setAlerts({ orgId, walletId: wallet?.id ?? "", thresholds: [500_000] });
    for (let index = 0; index < 3; index += 1) {
      const input = holdInput(orgId, 200_000);
      await stub.hold(input);
      await stub.settle(settleInput(orgId, input.holdId, 200_000, 0));
    }
    await fund(stub, orgId, MICROS);
    const input = holdInput(orgId, 1_300_000);
    await stub.hold(input);
    await stub.settle(settleInput(orgId, input.holdId, 1_300_000, 0));
    await stub.flush();
    const alerts = await env.DB.prepare(
      "SELECT threshold, balance FROM wallet_alerts WHERE org_id = ? ORDER BY created_at",
    )
      .bind(orgId)
      .all();
    expect(alerts.results).toEqual([
      { threshold: 500_000, balance: 400_000 },
      { threshold: 500_000, balance: 100_000 },
    ]);
  });
});
