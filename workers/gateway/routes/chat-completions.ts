import { Hono, type Context } from "hono";
import {
  outputScanner,
  runInput,
  type InputOutcome,
  type PolicyContext,
} from "../../policy/index.ts";
import { buildEvent, shadowOf, verdictHeaders, type EventFacts } from "../events/build-event.ts";
import { sendEvent } from "../events/send-event.ts";
import type { GatewayApp } from "../env.ts";
import { GatewayError } from "../errors.ts";
import {
  chatRequestSchema,
  type ChatCompletion,
  type ChatRequest,
  type Usage,
} from "../providers/openai-shapes.ts";
import { callUpstream, type UpstreamAnswer } from "../routing/call-upstream.ts";
import { selectTargets } from "../routing/select-targets.ts";
import { outputPolicyStream, type StreamOutcome } from "../streaming/output-policy-stream.ts";
import { chatSseBody } from "../streaming/chat-sse-body.ts";
import { assertModelAllowed } from "../middleware/key-auth.ts";
import { ESCALATION_HEADER, openEscalation, redeemEscalation } from "../escalations/escalations.ts";
import { holdCredit } from "../metering/meter.ts";
import { readJson } from "./read-json.ts";

/** `POST /v1/chat/completions`: input chain, upstream with fallback, output chain (streamed or not). */
export const chatCompletions = new Hono<GatewayApp>();

function usageOf(usage: Usage | null | undefined) {
  if (!usage) return undefined;
  return {
    prompt_tokens: usage.prompt_tokens,
    completion_tokens: usage.completion_tokens,
    total_tokens: usage.total_tokens,
  };
}

/** Throws the 403 of a blocked or escalated request, after recording it (an escalation in its queue). */
async function refuse(
  c: Context<GatewayApp>,
  input: InputOutcome,
  facts: EventFacts,
  body: ChatRequest,
): Promise<never> {
  const escalated = input.action === "escalate";
  const policy = input.blockedBy?.policy ?? "unknown";
  const code = escalated ? "pending_review" : "policy_blocked";
  const escalationId = escalated ? await openEscalation(c, input, facts, body) : undefined;
  c.executionCtx.waitUntil(
    sendEvent(
      c.env,
      buildEvent({
        ...facts,
        verdict: input.action === "escalate" ? "escalate" : "block",
        status: 403,
        errorCode: code,
        blockedBy: policy,
      }),
    ),
  );
  const message = escalated
    ? `the request needs human review (policy "${policy}"); retry with ${ESCALATION_HEADER}: ${escalationId} once it is allowed`
    : `the request was blocked by policy "${policy}": ${input.blockedBy?.reason ?? "blocked"}`;
  throw new GatewayError(403, code, message, {
    type: "permission_error",
    headers: {
      ...verdictHeaders(input.action, input.decisions),
      ...(escalationId ? { [ESCALATION_HEADER]: escalationId } : {}),
    },
    extra: { policy, ...(escalationId ? { escalation_id: escalationId } : {}) },
  });
}

function upstreamBody(body: ChatRequest, input: InputOutcome): ChatRequest {
  const upstream: ChatRequest = { ...body, messages: input.messages };
  if (body.stream)
    upstream.stream_options = { ...(body.stream_options ?? {}), include_usage: true };
  return upstream;
}

chatCompletions.post("/chat/completions", async (c) => {
  const body = (await readJson(c, chatRequestSchema)) as ChatRequest;
  const loaded = c.get("config");
  const identity = c.get("identity");
  const requestId = c.get("requestId");
  const group = c.req.header("x-keeptrusts-consumer-group");
  assertModelAllowed(c.get("grant")?.models, body.model);
  const targets = selectTargets(loaded.config, body.model, group);
  const context: PolicyContext = {
    identity,
    model: body.model,
    ...(group ? { consumerGroup: group } : {}),
  };

  const started = performance.now();
  const input = runInput(loaded.chain, body.messages, context);
  const policyMs = performance.now() - started;
  const facts: EventFacts = {
    requestId,
    gatewayId: c.env.KEEPTRUSTS_GATEWAY_ID,
    loaded,
    identity,
    endpoint: "chat.completions",
    model: body.model,
    stream: body.stream === true,
    inputDecisions: input.decisions,
    verdict: input.action,
    status: 200,
    policyMs,
    redactedMessages: input.messages,
    ...shadowOf(c.get("shadow"), body.messages, context),
  };
  // A retry naming an approved escalation passes once; the escalation it answers is then moot.
  const reviewed = c.req.header(ESCALATION_HEADER);
  if (input.action === "block" || (input.action === "escalate" && reviewed === undefined))
    await refuse(c, input, facts, body);
  if (reviewed !== undefined) await redeemEscalation(c, reviewed, body, facts);

  const forward = upstreamBody(body, input);
  const meter = await holdCredit(c, { body, messages: input.messages, targets, context, facts });
  let answer: UpstreamAnswer;
  try {
    answer = await callUpstream(targets, c.env, (adapter, call) =>
      adapter.chatRequest(call, forward),
    );
  } catch (error) {
    meter?.release("upstream_error");
    if (error instanceof GatewayError) {
      c.executionCtx.waitUntil(
        sendEvent(
          c.env,
          buildEvent({ ...facts, verdict: "error", status: error.status, errorCode: error.code }),
        ),
      );
    }
    throw error;
  }
  const output = outputScanner(loaded.chain, context, input.tokens);
  const upstreamFacts = {
    ...facts,
    attempts: answer.attempts,
    upstreamMs: answer.upstreamMs,
    targetId: answer.call.target.id,
    provider: answer.call.target.provider,
  };

  if (body.stream) {
    if (!answer.response.body) {
      meter?.release("upstream_invalid_response");
      throw new GatewayError(
        502,
        "upstream_error",
        "the provider answered a stream request with no body",
      );
    }
    const outcome: StreamOutcome = { action: "allow", findings: [], text: new Map() };
    let usage: Usage | undefined;
    const stream = chatSseBody(
      answer.response.body,
      answer.adapter.chatStream(answer.call, forward),
      outputPolicyStream(output?.scanner, outcome),
      {
        requestId,
        idleMs: answer.call.target.timeout_ms,
        includeUsage: body.stream_options?.include_usage === true,
        onUsage: (value) => (usage = value),
        onEnd: (end) => {
          meter?.settle(usage, answer.call.target, outcome.text.get(0));
          const verdict =
            outcome.action === "block"
              ? "block"
              : input.action === "redact" || outcome.action === "redact"
                ? "redact"
                : "allow";
          const event = buildEvent({
            ...upstreamFacts,
            verdict: end.ok ? verdict : "error",
            ...(end.ok ? {} : { errorCode: "upstream_stream_error" }),
            ...(outcome.action === "block" ? { blockedBy: output?.names.join(",") } : {}),
            outputDecision: output
              ? {
                  policy: output.names.join(","),
                  action: outcome.action,
                  reason: outcome.reason,
                  findings: outcome.findings,
                }
              : undefined,
            usage: usageOf(usage),
            redactedAnswer: outcome.text.get(0) ?? null,
            tokens: input.tokens,
          });
          c.executionCtx.waitUntil(sendEvent(c.env, event));
        },
      },
    );
    return new Response(stream, {
      headers: {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-cache",
        "x-keeptrusts-request-id": requestId,
        ...verdictHeaders(input.action, input.decisions),
      },
    });
  }

  let json: unknown;
  try {
    json = await answer.response.json();
  } catch {
    meter?.release("upstream_invalid_response");
    throw new GatewayError(502, "upstream_invalid_response", "the provider's answer is not JSON");
  }
  const parsed = answer.adapter.parseChat(json, answer.call, forward);
  if (!parsed.ok) {
    meter?.release("upstream_invalid_response");
    throw new GatewayError(502, "upstream_invalid_response", parsed.message);
  }
  const completion: ChatCompletion = parsed.value;
  let outputAction: "allow" | "redact" | "block" | "log" = "allow";
  const outputFindings: StreamOutcome["findings"] = [];
  let outputReason: string | undefined;
  if (output) {
    for (const choice of completion.choices) {
      if (typeof choice.message.content !== "string") continue;
      const verdict = output.scanner.scan(choice.message.content, choice.index);
      outputFindings.push(...verdict.findings);
      outputReason ??= verdict.reason;
      if (verdict.action === "block") {
        outputAction = "block";
        choice.message = { ...choice.message, content: "" };
        choice.finish_reason = "content_filter";
      } else {
        if (verdict.action === "redact" && outputAction !== "block") outputAction = "redact";
        choice.message = { ...choice.message, content: verdict.text };
      }
    }
  }
  const verdict =
    outputAction === "block"
      ? "block"
      : input.action === "redact" || outputAction === "redact"
        ? "redact"
        : "allow";
  const firstContent = completion.choices[0]?.message.content;
  meter?.settle(
    completion.usage,
    answer.call.target,
    completion.choices.map((choice) => String(choice.message.content ?? "")).join(""),
  );
  c.executionCtx.waitUntil(
    sendEvent(
      c.env,
      buildEvent({
        ...upstreamFacts,
        verdict,
        ...(outputAction === "block" ? { blockedBy: output?.names.join(",") } : {}),
        outputDecision: output
          ? {
              policy: output.names.join(","),
              action: outputAction,
              reason: outputReason,
              findings: outputFindings,
            }
          : undefined,
        usage: usageOf(completion.usage),
        redactedAnswer: typeof firstContent === "string" ? firstContent : null,
        tokens: input.tokens,
      }),
    ),
  );
  return c.json(completion, 200, verdictHeaders(verdict, input.decisions));
});
