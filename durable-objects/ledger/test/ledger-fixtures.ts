import { env } from "cloudflare:workers";
import { expect } from "vitest";
import { newId } from "../../../workers/db/api-key.ts";
import type { HoldInput, SettleInput } from "../ledger-model.ts";
import { MICROS, type Price } from "../money.ts";

/** 1 USD per million input tokens, 2 per million output, 0.5 cached. */
export const PRICE: Price = {
  currency: "USD",
  input: 1 * MICROS,
  output: 2 * MICROS,
  cachedInput: MICROS / 2,
};

/** A fresh org's ledger. */
export function ledgerOf(orgId = newId("org")) {
  return { orgId, stub: env.LEDGER.get(env.LEDGER.idFromName(orgId)) };
}

/** The ledger stub type. */
export type LedgerStub = ReturnType<typeof ledgerOf>["stub"];

/** Tops up the org wallet (creating it), failing the test if refused. */
export async function fund(stub: LedgerStub, orgId: string, amount: number, key = newId("tu")) {
  const result = await stub.topUp({
    orgId,
    to: { scope: "org", ownerId: orgId },
    amount,
    currency: "USD",
    idempotencyKey: key,
    actor: "usr_admin",
    source: "manual",
    reference: null,
    ticketId: null,
  });
  if (!result.ok) throw new Error(JSON.stringify(result));
  return result as Extract<typeof result, { ok: true }>;
}

/** A hold request with no limits, for `amount` micros. */
export function holdInput(
  orgId: string,
  amount: number,
  fields: Partial<HoldInput> = {},
): HoldInput {
  return {
    orgId,
    holdId: newId("req"),
    teamId: null,
    userId: null,
    keyId: "key_app",
    model: "gpt-test",
    amount,
    currency: "USD",
    priced: true,
    limits: { keyDailyBudget: null, perRequest: null, session: null },
    ...fields,
  };
}

/** A settle of `holdId` with the given tokens at {@link PRICE}. */
export function settleInput(
  orgId: string,
  holdId: string,
  promptTokens: number,
  completionTokens: number,
  fields: Partial<SettleInput> = {},
): SettleInput {
  return {
    orgId,
    holdId,
    usage: { promptTokens, cachedTokens: 0, completionTokens },
    estimated: false,
    price: PRICE,
    provider: "openai",
    model: "gpt-test",
    ...fields,
  };
}

/** Asserts the books of every wallet: entries sum to the balance, holds match, nothing negative. */
export async function expectBooksBalance(stub: LedgerStub, allowNegative = false) {
  const audit = await stub.audit();
  for (const wallet of audit) {
    expect(wallet.entries_sum, `${wallet.wallet_id}: entries sum to the balance`).toBe(
      wallet.balance,
    );
    expect(wallet.held, `${wallet.wallet_id}: held is the open holds`).toBe(wallet.open_holds);
    if (!allowNegative) expect(wallet.balance).toBeGreaterThanOrEqual(0);
  }
  return audit;
}
