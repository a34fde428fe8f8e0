import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { generateKey, hashKey, keyPrefix, newId } from "../../db/api-key.ts";
import { openaiConfig, SECRETS, textStream } from "./configs.ts";
import { chat, gateway, readSse, script, scriptId } from "./gateway.ts";

const MOCK = `providers:
  targets: [{id: m, provider: mock, model: mock-echo}]
policies:
  chain: [pii-detector]
`;

/** An org with a gateway key (optionally with a daily budget, in USD). */
async function orgWithKey(dailyBudget: number | null = null) {
  const orgId = newId("org");
  await env.DB.prepare("INSERT INTO orgs (id, name, created_at) VALUES (?, ?, ?)")
    .bind(orgId, orgId, Date.now())
    .run();
  const key = generateKey("gateway");
  const keyId = newId("key");
  await env.DB.prepare(
    "INSERT INTO api_keys (id, org_id, kind, name, prefix, hash, role, daily_budget, created_at) VALUES (?, ?, 'gateway', ?, ?, ?, 'member', ?, ?)",
  )
    .bind(keyId, orgId, keyId, keyPrefix(key), await hashKey(key), dailyBudget, Date.now())
    .run();
  const ledger = env.LEDGER.get(env.LEDGER.idFromName(orgId));
  return { orgId, keyId, ledger, headers: { authorization: `Bearer ${key}` } };
}

type Org = Awaited<ReturnType<typeof orgWithKey>>;

/** Funds the org wallet with `micros`. */
async function fund(org: Org, micros: number) {
  const result = await org.ledger.topUp({
    orgId: org.orgId,
    to: { scope: "org", ownerId: org.orgId },
    amount: micros,
    currency: "USD",
    idempotencyKey: newId("tu"),
    actor: "usr_admin",
    source: "manual",
    reference: null,
    ticketId: null,
  });
  expect(result.ok).toBe(true);
}

async function balance(org: Org): Promise<number | undefined> {
  return (await org.ledger.wallets({ teams: null, userId: null }))[0]?.balance;
}

async function usageOf(org: Org, requestId: string | null) {
  await org.ledger.flush();
  return env.DB.prepare(
    "SELECT cost, charged, prompt_tokens, completion_tokens, estimated FROM usage_records WHERE request_id = ?",
  )
    .bind(requestId)
    .first<{
      cost: number | null;
      charged: number;
      prompt_tokens: number;
      completion_tokens: number;
      estimated: number;
    }>();
}

const body = (extra: Record<string, unknown> = {}) => ({
  model: "mock-echo",
  max_tokens: 100,
  messages: [{ role: "user", content: "What is the capital of France?" }],
  ...extra,
});

describe("metering in the gateway", () => {
  it("prices and records the requests of an org without wallets, without limiting them", async () => {
    const org = await orgWithKey();
    const gw = gateway(MOCK);
    const response = await chat(gw, body(), org.headers);
    expect(response.status).toBe(200);
    const { usage } = (await response.json()) as {
      usage: { prompt_tokens: number; completion_tokens: number };
    };
    await gw.settle();
    // The mock provider costs 1 USD per million input tokens and 2 per million output: micros per token.
    expect(await usageOf(org, response.headers.get("x-keeptrusts-request-id"))).toEqual({
      cost: usage.prompt_tokens + 2 * usage.completion_tokens,
      charged: 0,
      prompt_tokens: usage.prompt_tokens,
      completion_tokens: usage.completion_tokens,
      estimated: 0,
    });
  });

  it("holds before the upstream call and settles the real cost after it", async () => {
    const org = await orgWithKey();
    await fund(org, 1_000_000);
    const gw = gateway(MOCK);
    const response = await chat(gw, body(), org.headers);
    expect(response.status).toBe(200);
    const { usage } = (await response.json()) as {
      usage: { prompt_tokens: number; completion_tokens: number };
    };
    await gw.settle();
    expect(await balance(org)).toBe(1_000_000 - usage.prompt_tokens - 2 * usage.completion_tokens);
    const [audit] = await org.ledger.audit();
    expect(audit).toMatchObject({ held: 0, open_holds: 0, entries_sum: audit?.balance });
  });

  it("answers 402 insufficient_balance with a cost ticket; once approved, the retry passes and settles", async () => {
    const org = await orgWithKey();
    await fund(org, 50);
    const gw = gateway(MOCK);
    const refused = await chat(gw, body(), org.headers);
    expect(refused.status).toBe(402);
    const error = ((await refused.json()) as { error: Record<string, unknown> }).error;
    expect(error).toMatchObject({
      code: "insufficient_balance",
      type: "insufficient_quota",
      scope: "org",
      currency: "USD",
    });
    const ticketId = String(error.cost_ticket_id);
    expect(refused.headers.get("x-keeptrusts-cost-ticket")).toBe(ticketId);
    const pending = await chat(gw, body(), {
      ...org.headers,
      "x-keeptrusts-cost-ticket": ticketId,
    });
    expect(pending.status).toBe(402);
    expect(await pending.json()).toMatchObject({ error: { code: "cost_ticket_pending" } });
    const approved = await org.ledger.approveTicket({
      orgId: org.orgId,
      ticketId,
      actor: "usr_admin",
      note: null,
    });
    expect(approved.ok).toBe(true);
    const retry = await chat(gw, body(), { ...org.headers, "x-keeptrusts-cost-ticket": ticketId });
    expect(retry.status).toBe(200);
    await gw.settle();
    expect(await org.ledger.ticket(ticketId, { teams: null, userId: null })).toMatchObject({
      status: "used",
    });
    const again = await chat(gw, body(), { ...org.headers, "x-keeptrusts-cost-ticket": ticketId });
    expect(again.status).toBe(403);
    expect(await again.json()).toMatchObject({ error: { code: "cost_ticket_used" } });
    const [audit] = await org.ledger.audit();
    expect(audit?.entries_sum).toBe(audit?.balance);
    expect(audit?.held).toBe(0);
  });

  it("releases the hold when the upstream fails: nothing is spent", async () => {
    const id = scriptId("meter-fail");
    await script(id, [{ status: 500, json: { error: { message: "boom" } } }]);
    const org = await orgWithKey();
    await fund(org, 1_000_000);
    const config = openaiConfig(id, { chain: "pii-detector" }).replace(
      "timeout_ms: 5000",
      "timeout_ms: 5000\n      pricing: {input_per_million: 1, output_per_million: 2}",
    );
    const gw = gateway(config, SECRETS);
    const response = await chat(gw, { ...body(), model: "gpt-test" }, org.headers);
    expect(response.status).toBe(502);
    await gw.settle();
    expect(await balance(org)).toBe(1_000_000);
  });

  it("settles a stream with the usage chunk it asked for, and estimates when the provider sends none", async () => {
    const id = scriptId("meter-stream");
    const noUsage = textStream(["Hello", " there"]).filter((line) => !line.includes('"usage"'));
    await script(id, [{ sse: textStream(["Hel", "lo"]) }, { sse: noUsage }]);
    const org = await orgWithKey();
    await fund(org, 1_000_000);
    const config = openaiConfig(id, { chain: "pii-detector" }).replace(
      "timeout_ms: 5000",
      "timeout_ms: 5000\n      pricing: {input_per_million: 1, output_per_million: 2, cached_input_per_million: 0.5}",
    );
    const gw = gateway(config, SECRETS);
    const streamed = { ...body(), model: "gpt-test", stream: true };
    const first = await chat(gw, streamed, org.headers);
    const frames = await readSse(first);
    expect(JSON.stringify(frames)).not.toContain('"usage"');
    const second = await chat(gw, streamed, org.headers);
    await readSse(second);
    await gw.settle();
    // textStream reports 11 prompt and 7 completion tokens.
    expect(await usageOf(org, first.headers.get("x-keeptrusts-request-id"))).toMatchObject({
      cost: 11 + 2 * 7,
      estimated: 0,
    });
    const estimated = await usageOf(org, second.headers.get("x-keeptrusts-request-id"));
    expect(estimated).toMatchObject({ estimated: 1, completion_tokens: 3 });
    expect(estimated?.cost).toBeGreaterThan(0);
  });

  it("keeps a gateway key within its daily budget", async () => {
    const org = await orgWithKey(0.0005);
    const gw = gateway(MOCK);
    expect((await chat(gw, body({ max_tokens: 100 }), org.headers)).status).toBe(200);
    await gw.settle();
    const refused = await chat(gw, body({ max_tokens: 300 }), org.headers);
    expect(refused.status).toBe(402);
    expect(await refused.json()).toMatchObject({ error: { code: "daily_budget_exceeded" } });
  });

  it("enforces cost-check's max_cost_per_request through the hold", async () => {
    const org = await orgWithKey();
    const gw = gateway(
      `${MOCK.replace("[pii-detector]", "[cost-check]")}policy:\n  cost-check: {max_cost_per_request: 0.001}\n`,
    );
    expect((await chat(gw, body({ max_tokens: 100 }), org.headers)).status).toBe(200);
    const refused = await chat(gw, body({ max_tokens: 1000 }), org.headers);
    expect(refused.status).toBe(402);
    expect(await refused.json()).toMatchObject({
      error: { code: "cost_limit_exceeded", limit: "request" },
    });
  });

  it("refuses an unpriced model once the org has wallets, and never meters anonymous requests", async () => {
    const org = await orgWithKey();
    await fund(org, 1_000_000);
    const gw = gateway(openaiConfig(scriptId("unpriced"), { chain: "pii-detector" }), SECRETS);
    const refused = await chat(gw, { ...body(), model: "gpt-test" }, org.headers);
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ error: { code: "model_not_priced" } });
    expect((await chat(gateway(MOCK), body())).status).toBe(200);
  });
});
