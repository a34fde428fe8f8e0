import type { EventSourceMessage } from "eventsource-parser";
import { z } from "zod";
import { toGenerateContentBody } from "./gemini-request.ts";
import { eventJson } from "./openai-messages.ts";
import type {
  ChatChoice,
  ChatCompletion,
  ChatCompletionChunk,
  EmbeddingsResponse,
  Usage,
} from "./openai-shapes.ts";
import { joinUrl, type Parsed, type ProviderAdapter, type UpstreamCall } from "./provider.ts";
import type { StreamStage } from "../streaming/stage.ts";

const DEFAULT_BASE_URL = "https://generativelanguage.googleapis.com";

const FINISH_REASONS: Readonly<Record<string, string>> = {
  STOP: "stop",
  MAX_TOKENS: "length",
  SAFETY: "content_filter",
  RECITATION: "content_filter",
  BLOCKLIST: "content_filter",
  PROHIBITED_CONTENT: "content_filter",
  SPII: "content_filter",
  IMAGE_SAFETY: "content_filter",
};

/** Gemini says STOP after a function call; OpenAI callers expect `tool_calls`. */
function finishReason(reason: string, calledTools: boolean): string {
  const mapped = FINISH_REASONS[reason] ?? "stop";
  return mapped === "stop" && calledTools ? "tool_calls" : mapped;
}

/** `models/<name>`, whether the target names the model with or without the prefix. */
function modelPath(model: string): string {
  return model.startsWith("models/") ? model : `models/${model}`;
}

function post(call: UpstreamCall, path: string, body: unknown): Request {
  return new Request(joinUrl(call.target.base_url ?? DEFAULT_BASE_URL, path), {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(call.secret ? { "x-goog-api-key": call.secret } : {}),
    },
    body: JSON.stringify(body),
  });
}

/** Text and inline images; Gemini does not fetch arbitrary image URLs, so those are left out. */
const usageSchema = z.looseObject({
  promptTokenCount: z.number().default(0),
  candidatesTokenCount: z.number().default(0),
  thoughtsTokenCount: z.number().default(0),
  cachedContentTokenCount: z.number().default(0),
  totalTokenCount: z.number().optional(),
});

/** Thinking tokens are billed as output, so they count as completion tokens, as OpenAI's do. */
function toUsage(usage: z.infer<typeof usageSchema>): Usage {
  const completion = usage.candidatesTokenCount + usage.thoughtsTokenCount;
  return {
    prompt_tokens: usage.promptTokenCount,
    completion_tokens: completion,
    total_tokens: usage.totalTokenCount ?? usage.promptTokenCount + completion,
    ...(usage.cachedContentTokenCount > 0
      ? { prompt_tokens_details: { cached_tokens: usage.cachedContentTokenCount } }
      : {}),
    ...(usage.thoughtsTokenCount > 0
      ? { completion_tokens_details: { reasoning_tokens: usage.thoughtsTokenCount } }
      : {}),
  };
}

const partSchema = z.looseObject({
  text: z.string().optional(),
  thought: z.boolean().optional(),
  thoughtSignature: z.string().optional(),
  functionCall: z
    .looseObject({
      id: z.string().optional(),
      name: z.string(),
      args: z.record(z.string(), z.unknown()).optional(),
    })
    .optional(),
});
const responseSchema = z.looseObject({
  responseId: z.string().optional(),
  modelVersion: z.string().optional(),
  candidates: z
    .array(
      z.looseObject({
        index: z.number().default(0),
        content: z.looseObject({ parts: z.array(partSchema).default([]) }).optional(),
        finishReason: z.string().optional(),
      }),
    )
    .default([]),
  promptFeedback: z.looseObject({ blockReason: z.string().optional() }).optional(),
  usageMetadata: usageSchema.optional(),
});
type GenerateContentResponse = z.infer<typeof responseSchema>;

function callId(): string {
  return `call_${crypto.randomUUID().replaceAll("-", "").slice(0, 24)}`;
}

/**
 * One candidate's parts as OpenAI text and tool calls. Thought summaries are left
 * out; a call's thought signature rides along as Google's OpenAI-compatible layer
 * carries it (`extra_content.google.thought_signature`), so it can be sent back.
 */
function readParts(parts: z.infer<typeof partSchema>[]) {
  const text = parts.flatMap((part) => (part.text && !part.thought ? [part.text] : []));
  const toolCalls = parts.flatMap(({ functionCall, thoughtSignature }) => {
    if (!functionCall) return [];
    const { id, name, args } = functionCall;
    const google = thoughtSignature ? { google: { thought_signature: thoughtSignature } } : {};
    return [
      {
        id: id ?? callId(),
        type: "function",
        function: { name, arguments: JSON.stringify(args ?? {}) },
        ...(thoughtSignature ? { extra_content: google } : {}),
      },
    ];
  });
  return { text: text.join(""), toolCalls };
}

/** What a prompt blocked before generation (no candidates) answers. */
const BLOCKED: ChatChoice = {
  index: 0,
  message: { role: "assistant", content: "" },
  finish_reason: "content_filter",
};

function parseResponse(json: unknown, call: UpstreamCall): Parsed<ChatCompletion> {
  const parsed = responseSchema.safeParse(json);
  if (!parsed.success) return { ok: false, message: "upstream answer is not a Gemini response" };
  const answer = parsed.data;
  const blocked = answer.promptFeedback?.blockReason !== undefined;
  if (answer.candidates.length === 0 && !blocked)
    return { ok: false, message: "Gemini answered with no candidates" };
  const choices = answer.candidates.map((candidate): ChatChoice => {
    const { text, toolCalls } = readParts(candidate.content?.parts ?? []);
    const called = toolCalls.length > 0;
    return {
      index: candidate.index,
      message: {
        role: "assistant",
        content: text === "" && called ? null : text,
        ...(called ? { tool_calls: toolCalls } : {}),
      },
      finish_reason: finishReason(candidate.finishReason ?? "STOP", called),
    };
  });
  return {
    ok: true,
    value: {
      id: answer.responseId ?? `chatcmpl-${crypto.randomUUID()}`,
      object: "chat.completion",
      created: Math.floor(Date.now() / 1000),
      model: answer.modelVersion ?? call.target.model,
      choices: choices.length > 0 ? choices : [BLOCKED],
      ...(answer.usageMetadata ? { usage: toUsage(answer.usageMetadata) } : {}),
    },
  };
}

function readStreamEvent(event: EventSourceMessage): GenerateContentResponse {
  const data = eventJson(event, "Gemini");
  const error = (data as { error?: { message?: unknown; status?: unknown } } | null)?.error;
  if (error) {
    const status = typeof error.status === "string" ? error.status : "an error";
    const message = typeof error.message === "string" ? error.message : "no message";
    throw new Error(`Gemini reported ${status}: ${message}`);
  }
  const parsed = responseSchema.safeParse(data);
  if (!parsed.success) throw new Error("Gemini sent a stream event that is not a response");
  return parsed.data;
}

/**
 * Each `GenerateContentResponse` of the stream as one chunk (per candidate: role
 * first, then text, whole tool calls, finish reason), then one usage chunk at
 * the end. An `error` object, an event that is not a response, or a stream that
 * ends without a finish reason errors the stream.
 */
function generateContentStream(
  call: UpstreamCall,
): StreamStage<EventSourceMessage, ChatCompletionChunk> {
  let id = "";
  let model = call.target.model;
  const created = Math.floor(Date.now() / 1000);
  let usage: Usage | undefined;
  let finished = false;
  const toolCounts = new Map<number, number>();
  const chunk = (choices: ChatCompletionChunk["choices"]): ChatCompletionChunk => ({
    id,
    object: "chat.completion.chunk",
    created,
    model,
    choices,
  });
  return {
    transform(message, controller) {
      const answer = readStreamEvent(message);
      id ||= answer.responseId ?? `chatcmpl-${crypto.randomUUID()}`;
      model = answer.modelVersion ?? model;
      if (answer.usageMetadata) usage = toUsage(answer.usageMetadata);
      const choices = answer.candidates.flatMap((candidate) => {
        const seen = toolCounts.get(candidate.index);
        const { text, toolCalls } = readParts(candidate.content?.parts ?? []);
        const calls = toolCalls.map((toolCall, offset) => ({
          index: (seen ?? 0) + offset,
          ...toolCall,
        }));
        toolCounts.set(candidate.index, (seen ?? 0) + calls.length);
        const delta = {
          ...(seen === undefined ? { role: "assistant" } : {}),
          ...(text ? { content: text } : {}),
          ...(calls.length > 0 ? { tool_calls: calls } : {}),
        };
        const reason = candidate.finishReason;
        if (reason) finished = true;
        if (!reason && Object.keys(delta).length === 0) return [];
        const calledTools = (toolCounts.get(candidate.index) ?? 0) > 0;
        const finish_reason = reason ? finishReason(reason, calledTools) : null;
        return [{ index: candidate.index, delta, finish_reason }];
      });
      if (answer.candidates.length === 0 && answer.promptFeedback?.blockReason) {
        finished = true;
        choices.push({ index: 0, delta: { role: "assistant" }, finish_reason: "content_filter" });
      }
      if (choices.length > 0) controller.enqueue(chunk(choices));
    },
    flush(controller) {
      if (!finished) throw new Error("the Gemini stream ended without a finish reason");
      if (usage) controller.enqueue({ ...chunk([]), usage });
    },
  };
}

const embeddingsSchema = z.looseObject({
  embeddings: z.array(z.looseObject({ values: z.array(z.number()) })),
  usageMetadata: z.looseObject({ promptTokenCount: z.number().optional() }).optional(),
});

/**
 * Google's Gemini API (generativelanguage.googleapis.com) behind the OpenAI shape:
 * chat, streamed chat (`alt=sse`) and batched embeddings.
 */
export const gemini: ProviderAdapter = {
  name: "gemini",
  chatRequest(call, body) {
    const method = body.stream ? "streamGenerateContent?alt=sse" : "generateContent";
    return post(
      call,
      `/v1beta/${modelPath(call.target.model)}:${method}`,
      toGenerateContentBody(body),
    );
  },
  parseChat: parseResponse,
  chatStream: generateContentStream,
  embeddingsRequest(call, body) {
    const model = modelPath(call.target.model);
    const inputs = Array.isArray(body.input) ? body.input : [body.input];
    const requests = inputs.map((text) => ({
      model,
      content: { parts: [{ text }] },
      ...(body.dimensions ? { outputDimensionality: body.dimensions } : {}),
    }));
    return post(call, `/v1beta/${model}:batchEmbedContents`, { requests });
  },
  parseEmbeddings(json, call): Parsed<EmbeddingsResponse> {
    const parsed = embeddingsSchema.safeParse(json);
    if (!parsed.success)
      return { ok: false, message: "upstream answer is not a Gemini embeddings batch" };
    const tokens = parsed.data.usageMetadata?.promptTokenCount ?? 0;
    return {
      ok: true,
      value: {
        object: "list",
        data: parsed.data.embeddings.map((embedding, index) => ({
          object: "embedding",
          index,
          embedding: embedding.values,
        })),
        model: call.target.model,
        usage: { prompt_tokens: tokens, total_tokens: tokens },
      },
    };
  },
};
