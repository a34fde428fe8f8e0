import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { ledgerOf } from "../wallets/ledger-client.ts";
import { call, json, unique } from "./control.ts";
import { hold, openTicket, spend } from "./spend-fixtures.ts";
import { populateOrg, type World } from "./world.ts";

interface Wallet {
  id: string;
  scope: string;
  owner_id: string;
  balance: number;
  held: number;
  alert_thresholds: number[];
}
interface Entry {
  kind: string;
  amount: number;
  delta: number;
  balance_after: number;
}
interface UsageRow {
  team_id?: string | null;
  user_id?: string | null;
  model?: string;
  requests: number;
  prompt_tokens: number;
  completion_tokens: number;
  cost: number;
  charged: number;
}

let world: World;

beforeAll(async () => {
  world = await populateOrg("spend");
});

const wallets = async (key: string) =>
  (await json<{ data: Wallet[] }>("GET", "/v1/wallets", { key })).data;

describe("wallets over the control API", () => {
  it("tops up and allocates once per idempotency key, and the ledger explains every cent", async () => {
    const key = unique("alloc");
    const body = { team_id: world.teamX.id, amount: 2.5, currency: "USD", idempotency_key: key };
    const first = await json<{ duplicate: boolean; wallets: Wallet[] }>(
      "POST",
      "/v1/wallets/allocate",
      {
        key: world.owner.key,
        body,
      },
    );
    const again = await json<{ duplicate: boolean; wallets: Wallet[] }>(
      "POST",
      "/v1/wallets/allocate",
      {
        key: world.owner.key,
        body,
      },
    );
    expect(first.duplicate).toBe(false);
    expect(again.duplicate).toBe(true);
    const teamX = first.wallets[1];
    expect(teamX).toMatchObject({ scope: "team", owner_id: world.teamX.id, balance: 2.5 });
    const ledger = await json<{ wallet: Wallet; data: Entry[] }>(
      "GET",
      `/v1/wallets/${teamX?.id}/ledger`,
      {
        key: world.owner.key,
      },
    );
    expect(ledger.data.map((entry) => [entry.kind, entry.delta])).toEqual([["allocation", 2.5]]);
    const org = (await wallets(world.owner.key)).find((wallet) => wallet.scope === "org");
    const orgLedger = await json<{ data: Entry[] }>(
      "GET",
      `/v1/wallets/${org?.id}/ledger?limit=500`,
      {
        key: world.owner.key,
      },
    );
    const sum = orgLedger.data.reduce((total, entry) => total + Math.round(entry.delta * 1e6), 0);
    expect(sum).toBe(Math.round((org?.balance ?? 0) * 1e6));
    expect(orgLedger.data[0]?.balance_after).toBe(org?.balance);
  });

  it("shows members their own and their teams' wallets only, and lets only admins move money", async () => {
    const seen = await wallets(world.member.key);
    expect(
      seen.every((wallet) => wallet.scope === "team" && wallet.owner_id === world.teamX.id),
    ).toBe(true);
    const colleague = await wallets(world.colleague.key);
    expect(colleague.map((wallet) => wallet.owner_id)).toEqual([world.teamY.id]);
    const refused = await call("POST", "/v1/wallets/top-up", {
      key: world.member.key,
      body: { amount: 5, currency: "USD" },
    });
    expect(refused.status).toBe(403);
  });

  it("sets alert thresholds, and a crossing lands in wallet_alerts once", async () => {
    const updated = await json<Wallet>("PATCH", `/v1/wallets/${world.spend.teamYWallet}`, {
      key: world.owner.key,
      body: { alert_thresholds: [9.995, 1] },
    });
    expect(updated.alert_thresholds).toEqual([1, 9.995]);
    // Team Y holds 9.998 after the seeded request; each request settles 0.002.
    for (let index = 0; index < 3; index += 1)
      await spend(world.orgId, {
        teamId: world.teamY.id,
        userId: world.colleague.userId,
        keyId: "k",
      });
    await ledgerOf(env, world.orgId).flush();
    const alerts = await env.DB.prepare("SELECT threshold FROM wallet_alerts WHERE wallet_id = ?")
      .bind(world.spend.teamYWallet)
      .all();
    expect(alerts.results).toEqual([{ threshold: 9_995_000 }]);
  });
});

describe("cost tickets over the control API", () => {
  it("lists tickets by visibility; an approval lets the retry through with the overdraft", async () => {
    const spender = { teamId: world.teamX.id, userId: world.member.userId, keyId: unique("key") };
    const ticketId = await openTicket(world.orgId, spender);
    const mine = await json<{ data: Array<{ id: string }> }>(
      "GET",
      "/v1/cost-tickets?status=pending",
      {
        key: world.member.key,
      },
    );
    expect(mine.data.map((ticket) => ticket.id)).toContain(ticketId);
    expect(mine.data.map((ticket) => ticket.id)).not.toContain(world.spend.colleagueTicket);
    const approved = await json<{ status: string; overdraft_limit: number; decided_by: string }>(
      "POST",
      `/v1/cost-tickets/${ticketId}/approve`,
      {
        key: world.owner.key,
        body: { overdraft_limit: 2_000_000, note: "launch week" },
        expect: 200,
      },
    );
    expect(approved).toMatchObject({
      status: "approved",
      overdraft_limit: 2_000_000,
      decided_by: world.owner.userId,
    });
    const retry = { ...hold(world.orgId, spender, 1_000_000 * 1_000_000), ticketId };
    expect(await ledgerOf(env, world.orgId).hold(retry)).toMatchObject({ ok: true });
    const again = await call("POST", `/v1/cost-tickets/${ticketId}/deny`, {
      key: world.owner.key,
      body: {},
    });
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({ code: "ticket_decided" });
    await ledgerOf(env, world.orgId).release({
      orgId: world.orgId,
      holdId: retry.holdId,
      reason: "test",
    });
  });

  it("funds a ticket: the wallet that ran out gets what the request lacked", async () => {
    const spender = {
      teamId: world.teamY.id,
      userId: world.colleague.userId,
      keyId: unique("key"),
    };
    const ticketId = await openTicket(world.orgId, spender);
    const funded = await json<{ status: string }>("POST", `/v1/cost-tickets/${ticketId}/fund`, {
      key: world.owner.key,
      body: { amount: 3 },
      expect: 200,
    });
    expect(funded.status).toBe("funded");
    const teamY = (await wallets(world.owner.key)).find(
      (wallet) => wallet.id === world.spend.teamYWallet,
    );
    const ledger = await json<{ data: Array<Entry & { ticket_id: string | null }> }>(
      "GET",
      `/v1/wallets/${teamY?.id}/ledger?limit=1`,
      { key: world.owner.key },
    );
    expect(ledger.data[0]).toMatchObject({ kind: "topup", amount: 3, ticket_id: ticketId });
  });
});

describe("pricing and usage", () => {
  it("an org's own price overrides the default from its effective date", async () => {
    const model = unique("gpt-x");
    await json("POST", "/v1/pricing", {
      key: world.owner.key,
      body: {
        provider: "openai",
        model,
        currency: "USD",
        input_per_million: 1,
        output_per_million: 2,
        effective_from: 0,
      },
    });
    await json("POST", "/v1/pricing", {
      key: world.owner.key,
      body: {
        provider: "openai",
        model,
        currency: "USD",
        input_per_million: 3,
        output_per_million: 4,
      },
    });
    const future = Date.now() + 86_400_000;
    await json("POST", "/v1/pricing", {
      key: world.owner.key,
      body: {
        provider: "openai",
        model,
        currency: "USD",
        input_per_million: 9,
        output_per_million: 9,
        effective_from: future,
      },
    });
    const listed = await json<{
      data: Array<{ input_per_million: number; in_effect: boolean; source: string }>;
    }>("GET", `/v1/pricing?model=${model}`, { key: world.viewer.key });
    expect(listed.data.map((row) => [row.input_per_million, row.in_effect, row.source])).toEqual([
      [1, false, "org"],
      [3, true, "org"],
      [9, false, "org"],
    ]);
    const defaults = await json<{ data: Array<{ model: string; source: string }> }>(
      "GET",
      "/v1/pricing?provider=mock",
      {
        key: world.owner.key,
      },
    );
    expect(defaults.data).toContainEqual(
      expect.objectContaining({ model: "*", source: "default" }),
    );
  });

  it("groups usage by team, user and model; members see their own and their teams' only", async () => {
    const all = await json<{ data: UsageRow[] }>("GET", "/v1/usage?group_by=team,user,model", {
      key: world.owner.key,
    });
    const member = all.data.find((row) => row.user_id === world.member.userId);
    // 1,000 prompt tokens at 1 USD/M and 500 completion tokens at 2 USD/M
    expect(member).toMatchObject({
      team_id: world.teamX.id,
      model: "mock-echo",
      requests: 1,
      prompt_tokens: 1000,
      cost: 0.002,
    });
    expect(all.data.some((row) => row.team_id === world.teamY.id)).toBe(true);
    const own = await json<{ data: UsageRow[] }>("GET", "/v1/usage?group_by=team,user", {
      key: world.member.key,
    });
    expect(own.data.map((row) => row.team_id)).toEqual([world.teamX.id]);
    const bad = await call("GET", "/v1/usage?group_by=planet", { key: world.owner.key });
    expect(bad.status).toBe(400);
  });
});
