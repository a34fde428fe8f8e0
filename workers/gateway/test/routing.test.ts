import { describe, expect, it } from "vitest";
import { SECRETS, textStream } from "./configs.ts";
import { chat, gateway, received, script, scriptId, upstreamUrl } from "./gateway.ts";

function twoTargets(
  first: string,
  second: string,
  options: { timeoutMs?: number; group?: string } = {},
) {
  return `providers:
  targets:
    - {id: first, provider: openai, model: gpt-a, base_url: "${upstreamUrl}/s/${first}", secret_key_ref: {env: TEST_OPENAI_KEY}, timeout_ms: ${options.timeoutMs ?? 5000}, pricing: {input_per_million: 5, output_per_million: 15}}
    - {id: second, provider: openai, model: gpt-a, base_url: "${upstreamUrl}/s/${second}", secret_key_ref: {env: TEST_OPENAI_KEY}, pricing: {input_per_million: 0.1, output_per_million: 0.4}}
  consumer_groups:
    - name: cheap
      models: [{provider: openai, model: gpt-a}]
      routing: ${options.group ?? "cost_optimized"}
`;
}

const ask = { model: "gpt-a", messages: [{ role: "user", content: "hi" }] };

describe("routing and fallback", () => {
  it("falls back to the next target on a 5xx", async () => {
    const [a, b] = [scriptId("5xx-a"), scriptId("5xx-b")];
    await script(a, [{ status: 503, json: { error: { message: "overloaded" } } }]);
    const response = await chat(gateway(twoTargets(a, b), SECRETS), ask);
    expect(response.status).toBe(200);
    expect((await received(a)).length).toBe(1);
    expect((await received(b)).length).toBe(1);
  });

  it("falls back on a 429", async () => {
    const [a, b] = [scriptId("429-a"), scriptId("429-b")];
    await script(a, [{ status: 429, json: { error: { message: "slow down" } } }]);
    expect((await chat(gateway(twoTargets(a, b), SECRETS), ask)).status).toBe(200);
  });

  it("falls back on a timeout, for streams too", async () => {
    const [a, b] = [scriptId("slow-a"), scriptId("slow-b")];
    await script(a, [{ delayMs: 1500, sse: textStream(["late"]) }]);
    await script(b, [{ sse: textStream(["on time"]) }]);
    const response = await chat(gateway(twoTargets(a, b, { timeoutMs: 200 }), SECRETS), {
      ...ask,
      stream: true,
    });
    expect(await response.text()).toContain("on time");
  });

  it("answers 504 upstream_timeout when every target times out", async () => {
    const [a, b] = [scriptId("t-a"), scriptId("t-b")];
    await script(a, [{ delayMs: 1500, json: {} }]);
    await script(b, [{ delayMs: 1500, json: {} }]);
    const config = twoTargets(a, b, { timeoutMs: 150 }).replace(
      "pricing: {input_per_million: 0.1",
      "timeout_ms: 150, pricing: {input_per_million: 0.1",
    );
    const response = await chat(gateway(config, SECRETS), ask);
    expect(response.status).toBe(504);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe(
      "upstream_timeout",
    );
  });

  it("answers 502 upstream_error when every target fails", async () => {
    const [a, b] = [scriptId("f-a"), scriptId("f-b")];
    await script(a, [{ status: 500, json: {} }]);
    await script(b, [{ status: 502, json: {} }]);
    const response = await chat(gateway(twoTargets(a, b), SECRETS), ask);
    expect(response.status).toBe(502);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe(
      "upstream_error",
    );
  });

  it("passes an upstream 400 on as a 400 without trying other targets", async () => {
    const [a, b] = [scriptId("400-a"), scriptId("400-b")];
    await script(a, [{ status: 400, json: { error: { message: "max_tokens is too large" } } }]);
    const response = await chat(gateway(twoTargets(a, b), SECRETS), ask);
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error).toMatchObject({
      code: "upstream_error",
      message: "provider error: max_tokens is too large",
    });
    expect(await received(b)).toEqual([]);
  });

  it("does not pass the provider's 401 to the caller as their own auth failure", async () => {
    const [a, b] = [scriptId("401-a"), scriptId("401-b")];
    await script(a, [{ status: 401, json: { error: { message: "bad key sk-upstream-secret" } } }]);
    const response = await chat(gateway(twoTargets(a, b), SECRETS), ask);
    expect(response.status).toBe(502);
    const text = await response.text();
    expect(text).toContain("upstream_auth_failed");
    expect(text).not.toContain("sk-upstream-secret");
  });

  it("skips a target whose secret is not set", async () => {
    const [a, b] = [scriptId("nosecret-a"), scriptId("nosecret-b")];
    const config = twoTargets(a, b).replace(
      "secret_key_ref: {env: TEST_OPENAI_KEY}, timeout_ms",
      "secret_key_ref: {env: UNSET_KEY}, timeout_ms",
    );
    expect((await chat(gateway(config, SECRETS), ask)).status).toBe(200);
    expect(await received(a)).toEqual([]);
  });

  it("routes a consumer group by cost", async () => {
    const [a, b] = [scriptId("cost-a"), scriptId("cost-b")];
    const response = await chat(gateway(twoTargets(a, b), SECRETS), ask, {
      "x-keeptrusts-consumer-group": "cheap",
    });
    expect(response.status).toBe(200);
    expect(await received(a)).toEqual([]);
    expect((await received(b)).length).toBe(1);
  });

  it("routes a lowest_latency group to the faster target once both are measured", async () => {
    const [a, b] = [scriptId("lat-a"), scriptId("lat-b")];
    await script(a, [
      {
        delayMs: 120,
        json: {
          id: "x",
          object: "chat.completion",
          created: 1,
          model: "gpt-a",
          choices: [
            { index: 0, message: { role: "assistant", content: "slow" }, finish_reason: "stop" },
          ],
        },
      },
    ]);
    const gw = gateway(twoTargets(a, b, { group: "lowest_latency" }), SECRETS);
    const headers = { "x-keeptrusts-consumer-group": "cheap" };
    for (let index = 0; index < 4; index += 1)
      expect((await chat(gw, ask, headers)).status).toBe(200);
    const slowCalls = (await received(a)).length;
    for (let index = 0; index < 4; index += 1) await chat(gw, ask, headers);
    expect((await received(a)).length).toBe(slowCalls);
  });

  it("refuses an unknown consumer group with 400", async () => {
    const response = await chat(
      gateway(twoTargets(scriptId("g-a"), scriptId("g-b")), SECRETS),
      ask,
      { "x-keeptrusts-consumer-group": "vip" },
    );
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe(
      "unknown_consumer_group",
    );
  });

  it("selects a target by id as well as by model", async () => {
    const [a, b] = [scriptId("id-a"), scriptId("id-b")];
    expect(
      (await chat(gateway(twoTargets(a, b), SECRETS), { ...ask, model: "second" })).status,
    ).toBe(200);
    expect(await received(a)).toEqual([]);
  });
});
