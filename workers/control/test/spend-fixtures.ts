import { env } from "cloudflare:workers";
import type { HoldInput } from "../../../durable-objects/ledger/ledger-model.ts";
import { MICROS } from "../../../durable-objects/ledger/money.ts";
import { ledgerOf } from "../wallets/ledger-client.ts";
import { json, unique } from "./control.ts";

/** The spend an org starts its tests with: wallets, an own price, settled usage and a pending ticket. */
export interface SpendSeeds {
  orgWallet: string;
  /** Team Y's wallet (10 USD allocated from the org's 100). */
  teamYWallet: string;
  /** The org's own price for a mock model. */
  price: string;
  /** Settled requests: one of the member (team X), one of the colleague (team Y). */
  memberRequest: string;
  colleagueRequest: string;
  /** A pending cost ticket of the colleague's gateway key, on team Y's wallet. */
  colleagueTicket: string;
  /** A ticket of team Y the owner denied. */
  deniedTicket: string;
}

/** Who spends in the seeded requests. */
export interface Spender {
  teamId: string;
  userId: string;
  keyId: string;
}

/** A hold of the org's ledger, as the gateway would place it. */
export function hold(orgId: string, spender: Spender, amount: number): HoldInput {
  return {
    orgId,
    holdId: `req_${unique("spend")}`,
    ...spender,
    model: "mock-echo",
    amount,
    currency: "USD",
    priced: true,
    limits: { keyDailyBudget: null, perRequest: null, session: null },
  };
}

/** Places and settles one request for `spender` (1,000 prompt and 500 completion tokens at 1/2 USD per million). */
export async function spend(orgId: string, spender: Spender): Promise<string> {
  const ledger = ledgerOf(env, orgId);
  const input = hold(orgId, spender, 10_000);
  const placed = await ledger.hold(input);
  if (!placed.ok) throw new Error(`seed hold refused: ${JSON.stringify(placed)}`);
  await ledger.settle({
    orgId,
    holdId: input.holdId,
    usage: { promptTokens: 1_000, cachedTokens: 0, completionTokens: 500 },
    estimated: false,
    price: { currency: "USD", input: MICROS, output: 2 * MICROS, cachedInput: null },
    provider: "mock",
    model: "mock-echo",
  });
  return input.holdId;
}

/** A pending cost ticket for `spender`: a hold no wallet of its cascade can cover. */
export async function openTicket(orgId: string, spender: Spender): Promise<string> {
  const refused = await ledgerOf(env, orgId).hold(hold(orgId, spender, 1_000_000 * MICROS));
  if (refused.ok || refused.error !== "insufficient_balance")
    throw new Error(`expected a cost ticket, got ${JSON.stringify(refused)}`);
  return refused.ticketId;
}

/** Seeds an org's spend through the API (money moves, price) and the ledger (the gateway's part). */
export async function seedSpend(
  orgId: string,
  ownerKey: string,
  member: Spender,
  colleague: Spender,
): Promise<SpendSeeds> {
  const topUp = await json<{ wallets: Array<{ id: string }> }>("POST", "/v1/wallets/top-up", {
    key: ownerKey,
    body: { amount: 100, currency: "USD" },
  });
  const allocated = await json<{ wallets: Array<{ id: string }> }>("POST", "/v1/wallets/allocate", {
    key: ownerKey,
    body: { team_id: colleague.teamId, amount: 10, currency: "USD" },
  });
  const price = await json<{ id: string }>("POST", "/v1/pricing", {
    key: ownerKey,
    body: {
      provider: "mock",
      model: unique("mock-model"),
      currency: "USD",
      input_per_million: 3,
      output_per_million: 4,
    },
  });
  const seeds: SpendSeeds = {
    orgWallet: topUp.wallets[0]?.id ?? "",
    teamYWallet: allocated.wallets[1]?.id ?? "",
    price: price.id,
    memberRequest: await spend(orgId, member),
    colleagueRequest: await spend(orgId, colleague),
    colleagueTicket: await openTicket(orgId, colleague),
    deniedTicket: await openTicket(orgId, { ...colleague, keyId: `key_${unique("denied")}` }),
  };
  await json("POST", `/v1/cost-tickets/${seeds.deniedTicket}/deny`, {
    key: ownerKey,
    body: { note: "seeded" },
    expect: 200,
  });
  await ledgerOf(env, orgId).flush();
  return seeds;
}
