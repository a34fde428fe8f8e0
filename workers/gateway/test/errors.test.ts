import { describe, expect, it } from "vitest";
import { openaiConfig, SECRETS } from "./configs.ts";
import { chat, gateway, scriptId } from "./gateway.ts";

type ErrorBody = {
  error: { message: string; type: string; code: string; param: string | null; request_id: string };
};

async function expectError(
  response: Response,
  status: number,
  code: string,
): Promise<ErrorBody["error"]> {
  expect(response.status).toBe(status);
  expect(response.headers.get("content-type")).toContain("application/json");
  const body = (await response.json()) as ErrorBody;
  expect(body.error.code).toBe(code);
  expect(body.error.request_id).toMatch(/^req_[0-9a-f]{32}$/);
  expect(body.error.request_id).toBe(response.headers.get("x-keeptrusts-request-id"));
  expect(JSON.stringify(body)).not.toMatch(/at .*\.ts:\d+|stack/);
  return body.error;
}

describe("bad input gets an OpenAI-shaped error with a stable code", () => {
  const gw = () => gateway(openaiConfig(scriptId("errors")), SECRETS);

  it("invalid JSON is 400 invalid_json", async () => {
    const response = await gw().fetch("/v1/chat/completions", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{nope",
    });
    await expectError(response, 400, "invalid_json");
  });

  it("a body that breaks the schema is 400 invalid_request naming the field", async () => {
    const error = await expectError(
      await chat(gw(), { model: "gpt-test", messages: [] }),
      400,
      "invalid_request",
    );
    expect(error.param).toBe("messages");
    const roleError = await expectError(
      await chat(gw(), { model: "gpt-test", messages: [{ role: "wizard", content: "x" }] }),
      400,
      "invalid_request",
    );
    expect(roleError.param).toBe("messages.0.role");
    await expectError(
      await chat(gw(), { messages: [{ role: "user", content: "x" }] }),
      400,
      "invalid_request",
    );
    await expectError(
      await chat(gw(), {
        model: "gpt-test",
        stream: "yes",
        messages: [{ role: "user", content: "x" }],
      }),
      400,
      "invalid_request",
    );
  });

  it("an unknown model is 404 model_not_found", async () => {
    const error = await expectError(
      await chat(gw(), { model: "gpt-unknown", messages: [{ role: "user", content: "x" }] }),
      404,
      "model_not_found",
    );
    expect(error.param).toBe("model");
  });

  it("a body over the limit is 413 payload_too_large (limit configurable)", async () => {
    const small = gateway(openaiConfig(scriptId("limit")), {
      ...SECRETS,
      KEEPTRUSTS_MAX_BODY_BYTES: "2048",
    });
    const big = { model: "gpt-test", messages: [{ role: "user", content: "x".repeat(4096) }] };
    await expectError(await chat(small, big), 413, "payload_too_large");
    const fits = await chat(small, {
      model: "gpt-test",
      messages: [{ role: "user", content: "x".repeat(100) }],
    });
    expect(fits.status).toBe(200);
  });

  it("an unknown path is a 404 in the same shape", async () => {
    await expectError(await gw().fetch("/v1/nothing-here"), 404, "not_found");
  });

  it("an invalid gateway config is 503 invalid_config with the location, and /health says so", async () => {
    const broken = gateway("providers:\n  targets:\n    - {id: a, provider: nope, model: m}\n");
    const error = await expectError(
      await chat(broken, { model: "m", messages: [{ role: "user", content: "x" }] }),
      503,
      "invalid_config",
    );
    expect(error.message).toContain("line 3");
    const health = await broken.fetch("/health");
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({ status: "invalid_config" });
  });
});
