import { abortAllDurableObjects, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
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

const REQUESTS = 300;
const AFFORDABLE = 37;
const HOLD = 250_000;

/** The lowest balance any entry of the org ever left behind. */
async function lowestBalance(stub: LedgerStub): Promise<number> {
  return runInDurableObject(
    stub,
    (_instance: LedgerDO, state) =>
      state.storage.sql.exec<{ low: number }>("SELECT min(balance_after) AS low FROM entries").one()
        .low,
  );
}

describe("LedgerDO under concurrency", () => {
  it(`${REQUESTS} concurrent holds against a wallet that pays for ${AFFORDABLE}: exactly ${AFFORDABLE} pass`, async () => {
    const { orgId, stub } = ledgerOf();
    await fund(stub, orgId, AFFORDABLE * HOLD + HOLD - 1);
    const inputs = Array.from({ length: REQUESTS }, () => holdInput(orgId, HOLD));
    const results = await Promise.all(inputs.map((input) => stub.hold(input)));
    const passed = results.filter((result) => result.ok);
    const refused = results.filter((result) => !result.ok);
    expect(passed).toHaveLength(AFFORDABLE);
    expect(new Set(refused.map((result) => !result.ok && result.error))).toEqual(
      new Set(["insufficient_balance"]),
    );
    // One caller, one wallet: every refusal points at the same pending ticket.
    const tickets = new Set(
      refused.map((result) => (!result.ok && "ticketId" in result ? result.ticketId : "")),
    );
    expect(tickets.size).toBe(1);
    expect(await lowestBalance(stub)).toBeGreaterThanOrEqual(0);
    await expectBooksBalance(stub);

    // Settle every hold that passed, each settle sent twice at once: each hold settles once.
    const held = inputs.filter((_input, index) => results[index]?.ok);
    const settles = held.flatMap((input) => {
      const settle = settleInput(orgId, input.holdId, 100_000, 0);
      return [stub.settle(settle), stub.settle(settle)];
    });
    const closed = await Promise.all(settles);
    expect(closed.filter((result) => result.ok && !result.duplicate)).toHaveLength(AFFORDABLE);
    const [audit] = await expectBooksBalance(stub);
    expect(audit).toMatchObject({
      balance: AFFORDABLE * HOLD + HOLD - 1 - AFFORDABLE * 100_000,
      held: 0,
    });
    expect(await lowestBalance(stub)).toBeGreaterThanOrEqual(0);
  });

  it("a restart mid-flight loses no hold and counts nothing twice", async () => {
    const { orgId, stub } = ledgerOf();
    await fund(stub, orgId, 10 * MICROS);
    const inputs = Array.from({ length: 40 }, () => holdInput(orgId, HOLD));
    const firstHalf = inputs.slice(0, 20);
    await Promise.all(firstHalf.map((input) => stub.hold(input)));
    // Settles in flight while every Durable Object is aborted: some land, some fail.
    const inFlight = Promise.allSettled(
      firstHalf
        .slice(0, 10)
        .map((input) => stub.settle(settleInput(orgId, input.holdId, 50_000, 0))),
    );
    await abortAllDurableObjects();
    await inFlight;

    const { stub: fresh } = ledgerOf(orgId);
    const before = await expectBooksBalance(fresh);
    expect(before[0]?.held).toBe(before[0]?.open_holds);
    // The client retries: the other holds, then every settle again (duplicates change nothing).
    await Promise.all(inputs.slice(20).map((input) => fresh.hold(input)));
    await Promise.all(
      inputs.map((input) => fresh.settle(settleInput(orgId, input.holdId, 50_000, 0))),
    );
    await Promise.all(
      inputs.map((input) => fresh.settle(settleInput(orgId, input.holdId, 50_000, 0))),
    );
    const [after] = await expectBooksBalance(fresh);
    expect(after).toMatchObject({ balance: 10 * MICROS - 40 * 50_000, held: 0, open_holds: 0 });
  });
});
