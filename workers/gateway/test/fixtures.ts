import type OpenAI from "openai";
import type { DecisionEvent } from "../events/decision-event.ts";

/** Splits a recorded SSE stream into the frames the fake upstream writes one at a time. */
export function sseFrames(recording: string): string[] {
  return recording
    .split(/\r?\n\r?\n/)
    .map((frame) => frame.trim())
    .filter((frame) => frame.length > 0);
}

/** What a streamed answer adds up to, reassembled the way a client does it. */
export interface Reassembled {
  content: string;
  finishReason: string | null;
  toolCalls: Array<{ id: string; name: string; arguments: string }>;
  usage: OpenAI.CompletionUsage | null | undefined;
  chunks: number;
}

/** Reads an openai SDK stream to its end and reassembles content, tool calls and usage. */
export async function reassemble(
  stream: AsyncIterable<OpenAI.ChatCompletionChunk>,
): Promise<Reassembled> {
  const result: Reassembled = {
    content: "",
    finishReason: null,
    toolCalls: [],
    usage: undefined,
    chunks: 0,
  };
  for await (const chunk of stream) {
    result.chunks += 1;
    if (chunk.usage) result.usage = chunk.usage;
    for (const choice of chunk.choices) {
      result.content += choice.delta.content ?? "";
      if (choice.finish_reason) result.finishReason = choice.finish_reason;
      for (const call of choice.delta.tool_calls ?? []) {
        const slot = (result.toolCalls[call.index] ??= { id: "", name: "", arguments: "" });
        slot.id += call.id ?? "";
        slot.name += call.function?.name ?? "";
        slot.arguments += call.function?.arguments ?? "";
      }
    }
  }
  return result;
}

/** A well-formed decision event as the consumer receives it, with kept content. */
export function sampleEvent(
  requestId: string,
  gatewayId: string,
  createdAt: number,
  text: string,
): DecisionEvent {
  return {
    request_id: requestId,
    created_at: createdAt,
    identity: { org_id: "org_batch", team_id: null, user_id: null, key_id: null },
    gateway_id: gatewayId,
    config: { name: "p", version: "1", hash: "ab".repeat(32) },
    endpoint: "chat.completions",
    model: "gpt-test",
    target_id: null,
    provider: null,
    stream: true,
    verdict: "redact",
    status: 200,
    error_code: null,
    blocked_by: null,
    policies: [
      {
        policy: "pii-detector",
        phase: "input",
        action: "redact",
        findings: [{ type: "email", category: "pii", start: 1, end: 9, score: 0.5 }],
      },
    ],
    attempts: [{ target: "primary", outcome: "ok", status: 200, ms: 1.25 }],
    policy_ms: 0.123,
    upstream_ms: 45.678,
    usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 },
    content: { messages: [{ role: "user", content: text }], answer: "é😀" },
    retention_days: 30,
    shadow: null,
  };
}

/** A minimal allowed decision event with no identity, usage or findings. */
export function bareEvent(
  requestId: string,
  content: DecisionEvent["content"] = null,
): DecisionEvent {
  return {
    request_id: requestId,
    created_at: Date.now(),
    identity: { org_id: null, team_id: null, user_id: null, key_id: null },
    gateway_id: null,
    config: { name: "p", version: "1", hash: "ab".repeat(32) },
    endpoint: "chat.completions",
    model: "gpt-test",
    target_id: null,
    provider: null,
    stream: false,
    verdict: "allow",
    status: 200,
    error_code: null,
    blocked_by: null,
    policies: [],
    attempts: [],
    policy_ms: 0.1,
    upstream_ms: null,
    usage: null,
    content,
    retention_days: null,
    shadow: null,
  };
}
