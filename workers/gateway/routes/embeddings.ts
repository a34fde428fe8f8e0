import { Hono } from "hono";
import { runInput } from "../../policy/index.ts";
import { buildEvent, verdictHeaders, type EventFacts } from "../events/build-event.ts";
import { sendEvent } from "../events/send-event.ts";
import type { GatewayApp } from "../env.ts";
import { GatewayError } from "../errors.ts";
import { embeddingsRequestSchema, type EmbeddingsRequest } from "../providers/openai-shapes.ts";
import { PROVIDERS } from "../providers/registry.ts";
import { callUpstream } from "../routing/call-upstream.ts";
import { selectTargets } from "../routing/select-targets.ts";
import { assertModelAllowed } from "../middleware/key-auth.ts";
import { readJson } from "./read-json.ts";

/** `POST /v1/embeddings`: inputs go through the input chain (redacted or blocked) before they are embedded. */
export const embeddings = new Hono<GatewayApp>();

embeddings.post("/embeddings", async (c) => {
  const body = (await readJson(c, embeddingsRequestSchema)) as EmbeddingsRequest;
  const loaded = c.get("config");
  const identity = c.get("identity");
  assertModelAllowed(c.get("grant")?.models, body.model);
  const targets = selectTargets(
    loaded.config,
    body.model,
    c.req.header("x-keeptrusts-consumer-group"),
  );
  const texts = Array.isArray(body.input) ? body.input : [body.input];
  const started = performance.now();
  const input = runInput(
    loaded.chain,
    texts.map((text) => ({ role: "user", content: text })),
    { identity, model: body.model },
  );
  const facts: EventFacts = {
    requestId: c.get("requestId"),
    loaded,
    identity,
    endpoint: "embeddings",
    model: body.model,
    stream: false,
    inputDecisions: input.decisions,
    verdict: input.action,
    status: 200,
    policyMs: performance.now() - started,
  };
  if (input.action === "block" || input.action === "escalate") {
    const policy = input.blockedBy?.policy ?? "unknown";
    c.executionCtx.waitUntil(
      sendEvent(
        c.env,
        buildEvent({
          ...facts,
          verdict: "block",
          status: 403,
          errorCode: "policy_blocked",
          blockedBy: policy,
        }),
      ),
    );
    throw new GatewayError(
      403,
      "policy_blocked",
      `the request was blocked by policy "${policy}": ${input.blockedBy?.reason ?? "blocked"}`,
      {
        type: "permission_error",
        headers: verdictHeaders("block", input.decisions),
        extra: { policy },
      },
    );
  }
  const governed = input.messages.map((message) =>
    typeof message.content === "string" ? message.content : "",
  );
  const forward: EmbeddingsRequest = {
    ...body,
    input: Array.isArray(body.input) ? governed : (governed[0] ?? ""),
  };
  const capable = targets.filter(
    (target) => PROVIDERS[target.provider].embeddingsRequest !== undefined,
  );
  if (capable.length === 0) {
    throw new GatewayError(
      400,
      "unsupported_endpoint",
      `the model "${body.model}" has no embeddings API`,
      { param: "model" },
    );
  }
  const answer = await callUpstream(capable, c.env, (adapter, call) =>
    adapter.embeddingsRequest?.(call, forward),
  );
  let json: unknown;
  try {
    json = await answer.response.json();
  } catch {
    throw new GatewayError(502, "upstream_invalid_response", "the provider's answer is not JSON");
  }
  const parsed = answer.adapter.parseEmbeddings?.(json, answer.call);
  if (!parsed?.ok)
    throw new GatewayError(502, "upstream_invalid_response", parsed?.message ?? "no embeddings");
  c.executionCtx.waitUntil(
    sendEvent(
      c.env,
      buildEvent({
        ...facts,
        attempts: answer.attempts,
        upstreamMs: answer.upstreamMs,
        targetId: answer.call.target.id,
        provider: answer.call.target.provider,
        usage: {
          prompt_tokens: parsed.value.usage.prompt_tokens,
          completion_tokens: 0,
          total_tokens: parsed.value.usage.total_tokens,
        },
      }),
    ),
  );
  return c.json(parsed.value, 200, verdictHeaders(input.action, input.decisions));
});
