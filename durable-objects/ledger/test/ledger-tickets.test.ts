import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { HoldResult } from "../ledger-model.ts";
import { MICROS } from "../money.ts";
import { expectBooksBalance, fund, holdInput, ledgerOf, settleInput } from "./ledger-fixtures.ts";

const ORG = { teams: null, userId: null };

function ticketOf(result: HoldResult): string {
  if (result.ok || result.error !== "insufficient_balance")
    throw new Error(`expected insufficient_balance, got ${JSON.stringify(result)}`);
  return result.ticketId;
}

describe("LedgerDO: cost tickets", () => {
  it("opens one ticket per caller and wallet when money runs out, naming the scope", async () => {
    const { orgId, stub } = ledgerOf();
    await fund(stub, orgId, 100_000);
    const refused = await stub.hold(holdInput(orgId, 300_000));
    expect(refused).toMatchObject({
      ok: false,
      error: "insufficient_balance",
      scope: "org",
      needed: 300_000,
      available: 100_000,
      currency: "USD",
    });
    const again = await stub.hold(holdInput(orgId, 400_000));
    expect(ticketOf(again)).toBe(ticketOf(refused));
    const other = await stub.hold(holdInput(orgId, 400_000, { keyId: "key_other" }));
    expect(ticketOf(other)).not.toBe(ticketOf(refused));
    const [ticket] = await stub.tickets(ORG, { status: "pending", limit: 1 });
    expect(ticket).toMatchObject({ status: "pending", amount: expect.any(Number) });
    await stub.flush();
    const copy = await env.DB.prepare("SELECT status, amount FROM cost_tickets WHERE id = ?")
      .bind(ticketOf(refused))
      .first();
    expect(copy).toEqual({ status: "pending", amount: 400_000 });
  });

  it("approved with an overdraft limit: the retry passes once, never below the limit", async () => {
    const { orgId, stub } = ledgerOf();
    await fund(stub, orgId, 100_000);
    const first = holdInput(orgId, 300_000);
    const ticketId = ticketOf(await stub.hold(first));
    const pending = await stub.hold({ ...holdInput(orgId, 300_000), ticketId });
    expect(pending).toEqual({ ok: false, error: "ticket_pending", ticketId });
    const approved = await stub.approveTicket({
      orgId,
      ticketId,
      actor: "usr_admin",
      note: "quarter-end report",
      overdraftLimit: 250_000,
    });
    expect(approved).toMatchObject({
      ok: true,
      ticket: { status: "approved", overdraft_limit: 250_000 },
    });
    expect(
      await stub.approveTicket({ orgId, ticketId, actor: "usr_admin", note: null }),
    ).toMatchObject({
      ok: false,
      error: "not_pending",
    });
    const tooBig = await stub.hold({ ...holdInput(orgId, 400_000), ticketId });
    expect(tooBig).toMatchObject({ ok: false, error: "insufficient_balance" });
    const retry = { ...holdInput(orgId, 300_000), ticketId };
    expect(await stub.hold(retry)).toMatchObject({ ok: true, scope: "org" });
    const [wallet] = await stub.wallets(ORG);
    expect(wallet?.balance).toBe(-200_000);
    await stub.settle(settleInput(orgId, retry.holdId, 150_000, 0));
    expect((await stub.wallets(ORG))[0]?.balance).toBe(-50_000);
    expect(await stub.hold({ ...holdInput(orgId, 300_000), ticketId })).toEqual({
      ok: false,
      error: "ticket_used",
      ticketId,
    });
    expect(await stub.ticket(ticketId, ORG)).toMatchObject({
      status: "used",
      used_request_id: retry.holdId,
    });
    await expectBooksBalance(stub, true);
  });

  it("denied: the retry is refused", async () => {
    const { orgId, stub } = ledgerOf();
    await fund(stub, orgId, 1);
    const ticketId = ticketOf(await stub.hold(holdInput(orgId, MICROS)));
    await stub.denyTicket({ orgId, ticketId, actor: "usr_admin", note: "not this month" });
    expect(await stub.hold({ ...holdInput(orgId, MICROS), ticketId })).toEqual({
      ok: false,
      error: "ticket_denied",
      ticketId,
    });
    const stranger = await stub.hold({ ...holdInput(orgId, MICROS, { keyId: "key_x" }), ticketId });
    expect(stranger).toMatchObject({ error: "ticket_not_found" });
  });

  it("funded: the wallet that ran out is topped up and the retry pays from it", async () => {
    const { orgId, stub } = ledgerOf();
    await fund(stub, orgId, 10 * MICROS);
    await stub.allocate({
      orgId,
      from: { scope: "org", ownerId: orgId },
      to: { scope: "user", ownerId: "usr_a" },
      amount: 100_000,
      currency: "USD",
      idempotencyKey: "al_1",
      actor: "usr_admin",
    });
    await stub.allocate({
      orgId,
      from: { scope: "org", ownerId: orgId },
      to: { scope: "team", ownerId: "team_a" },
      amount: 9_900_000,
      currency: "USD",
      idempotencyKey: "al_2",
      actor: "usr_admin",
    });
    const caller = { userId: "usr_a", teamId: null };
    const refused = await stub.hold(holdInput(orgId, 500_000, caller));
    expect(refused).toMatchObject({ error: "insufficient_balance", scope: "user" });
    const ticketId = ticketOf(refused);
    const funded = await stub.fundTicket({ orgId, ticketId, actor: "usr_admin", note: null });
    expect(funded).toMatchObject({ ok: true, ticket: { status: "funded" } });
    const [user] = (await stub.wallets(ORG)).filter((wallet) => wallet.scope === "user");
    expect(user?.balance).toBe(500_000);
    expect(await stub.hold({ ...holdInput(orgId, 500_000, caller), ticketId })).toMatchObject({
      ok: true,
      scope: "user",
    });
    expect(await stub.ticket(ticketId, ORG)).toMatchObject({ status: "used" });
    await expectBooksBalance(stub);
  });

  it("shows members only their own and their teams' tickets", async () => {
    const { orgId, stub } = ledgerOf();
    await fund(stub, orgId, 1);
    const mine = ticketOf(
      await stub.hold(holdInput(orgId, MICROS, { userId: "usr_a", keyId: "k1" })),
    );
    const team = ticketOf(
      await stub.hold(holdInput(orgId, MICROS, { teamId: "team_a", keyId: "k2" })),
    );
    ticketOf(await stub.hold(holdInput(orgId, MICROS, { teamId: "team_b", keyId: "k3" })));
    const seen = await stub.tickets({ teams: ["team_a"], userId: "usr_a" });
    expect(seen.map((ticket) => ticket.id).sort()).toEqual([mine, team].sort());
    expect(await stub.ticket(mine, { teams: [], userId: "usr_b" })).toBeNull();
  });
});
