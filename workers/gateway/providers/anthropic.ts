import type { EventSourceMessage } from "eventsource-parser";
import { z } from "zod";
import type { ChatMessage, ToolCall } from "../../policy/types.ts";
import {
  appendTurn,
  chosenFunction,
  contentPieces,
  eventJson,
  functionTools,
  jsonObject,
  stopList,
  textOf,
  type ContentPiece,
  type Turn,
} from "./openai-messages.ts";
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatRequest,
  ChunkDelta,
  Usage,
} from "./openai-shapes.ts";
import { joinUrl, type Parsed, type ProviderAdapter } from "./provider.ts";
import type { StreamStage } from "../streaming/stage.ts";

const DEFAULT_BASE_URL = "https://api.anthropic.com";
const API_VERSION = "2023-06-01";
/** Anthropic requires `max_tokens`; OpenAI callers often leave it out. */
const DEFAULT_MAX_TOKENS = 4096;

type Block = Record<string, unknown>;

const STOP_REASONS: Readonly<Record<string, string>> = {
  end_turn: "stop",
  stop_sequence: "stop",
  pause_turn: "stop",
  max_tokens: "length",
  model_context_window_exceeded: "length",
  tool_use: "tool_calls",
  refusal: "content_filter",
};

function finishReason(stopReason: string | null | undefined): string | null {
  if (!stopReason) return null;
  return STOP_REASONS[stopReason] ?? "stop";
}

/** Text, inline (base64) images and https image URLs, as Anthropic content blocks. */
function toBlock(piece: ContentPiece): Block {
  if (piece.kind === "text") return { type: "text", text: piece.text };
  if (piece.kind === "inline-image") {
    const source = { type: "base64", media_type: piece.mediaType, data: piece.data };
    return { type: "image", source };
  }
  return { type: "image", source: { type: "url", url: piece.url } };
}

/**
 * A tool call as a `tool_use` block. Arguments that are not a JSON object (empty,
 * truncated or invalid JSON) are sent as `{}`: Anthropic accepts only an object
 * there, and the conversation must still go through.
 */
function toolUse(call: ToolCall, index: number): Block {
  return {
    type: "tool_use",
    id: call.id ?? `toolu_${index}`,
    name: call.function?.name ?? "",
    input: jsonObject(call.function?.arguments) ?? {},
  };
}

/** System and developer turns become `system`; the rest alternate user/assistant by role. */
function toConversation(messages: readonly ChatMessage[]) {
  const system: string[] = [];
  const turns: Array<Turn<"user" | "assistant", Block>> = [];
  for (const message of messages) {
    const blocks = contentPieces(message.content).map(toBlock);
    if (message.role === "system" || message.role === "developer") {
      const text = textOf(message.content);
      if (text) system.push(text);
    } else if (message.role === "assistant") {
      appendTurn(turns, "assistant", [...blocks, ...(message.tool_calls ?? []).map(toolUse)]);
    } else if (message.role === "tool") {
      const result = { type: "tool_result", tool_use_id: message.tool_call_id ?? "" };
      appendTurn(turns, "user", [blocks.length > 0 ? { ...result, content: blocks } : result]);
    } else {
      appendTurn(turns, "user", blocks);
    }
  }
  const conversation = turns.map(({ role, items }) => ({ role, content: items }));
  return { system: system.join("\n\n"), messages: conversation };
}

function toToolChoice(choice: unknown, parallel: unknown): Block | undefined {
  const serial = parallel === false ? { disable_parallel_tool_use: true } : {};
  const name = chosenFunction(choice);
  if (choice === "none") return { type: "none" };
  if (choice === "required") return { type: "any", ...serial };
  if (name !== undefined) return { type: "tool", name, ...serial };
  if (choice === "auto" || parallel === false) return { type: "auto", ...serial };
  return undefined;
}

/** The Messages API body for an OpenAI chat request. */
function toMessagesBody(model: string, body: ChatRequest): Record<string, unknown> {
  const { system, messages } = toConversation(body.messages);
  const tools = functionTools(body.tools).map(({ name, description, parameters }) => ({
    name,
    ...(description ? { description } : {}),
    input_schema: parameters ?? { type: "object", properties: {} },
  }));
  const toolChoice =
    tools.length > 0 ? toToolChoice(body.tool_choice, body.parallel_tool_calls) : undefined;
  const stop = stopList(body.stop);
  return {
    model,
    max_tokens: body.max_completion_tokens ?? body.max_tokens ?? DEFAULT_MAX_TOKENS,
    ...(system ? { system } : {}),
    messages,
    ...(body.temperature !== undefined ? { temperature: body.temperature } : {}),
    ...(body.top_p !== undefined ? { top_p: body.top_p } : {}),
    ...(stop ? { stop_sequences: stop } : {}),
    ...(tools.length > 0 ? { tools } : {}),
    ...(toolChoice ? { tool_choice: toolChoice } : {}),
    ...(body.stream ? { stream: true } : {}),
  };
}

const usageSchema = z.looseObject({
  input_tokens: z.number().nullish(),
  output_tokens: z.number().nullish(),
  cache_read_input_tokens: z.number().nullish(),
  cache_creation_input_tokens: z.number().nullish(),
});
type AnthropicUsage = z.infer<typeof usageSchema>;

/**
 * OpenAI counts cached tokens inside `prompt_tokens`; Anthropic's `input_tokens`
 * leaves out cache reads and writes, so they are added back.
 */
function toUsage(usage: AnthropicUsage): Usage {
  const cached = usage.cache_read_input_tokens ?? 0;
  const prompt = (usage.input_tokens ?? 0) + cached + (usage.cache_creation_input_tokens ?? 0);
  const completion = usage.output_tokens ?? 0;
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    ...(cached > 0 ? { prompt_tokens_details: { cached_tokens: cached } } : {}),
  };
}

function stripNullish(usage: AnthropicUsage): AnthropicUsage {
  return Object.fromEntries(Object.entries(usage).filter(([, value]) => value != null));
}

const messageSchema = z.looseObject({
  id: z.string(),
  model: z.string().default(""),
  content: z.array(
    z.looseObject({
      type: z.string(),
      text: z.string().optional(),
      id: z.string().optional(),
      name: z.string().optional(),
      input: z.unknown().optional(),
    }),
  ),
  stop_reason: z.string().nullish(),
  usage: usageSchema.optional(),
});

function parseMessage(json: unknown): Parsed<ChatCompletion> {
  const parsed = messageSchema.safeParse(json);
  if (!parsed.success) return { ok: false, message: "upstream answer is not an Anthropic message" };
  const answer = parsed.data;
  const text = answer.content.flatMap((block) =>
    block.type === "text" && block.text !== undefined ? [block.text] : [],
  );
  const toolCalls = answer.content
    .filter((block) => block.type === "tool_use")
    .map((block) => ({
      id: block.id ?? "",
      type: "function",
      function: { name: block.name ?? "", arguments: JSON.stringify(block.input ?? {}) },
    }));
  const message: ChatMessage = {
    role: "assistant",
    content: text.length === 0 && toolCalls.length > 0 ? null : text.join(""),
    ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
  };
  return {
    ok: true,
    value: {
      id: answer.id,
      object: "chat.completion",
      created: Math.floor(Date.now() / 1000),
      model: answer.model,
      choices: [{ index: 0, message, finish_reason: finishReason(answer.stop_reason) ?? "stop" }],
      ...(answer.usage ? { usage: toUsage(answer.usage) } : {}),
    },
  };
}

const streamEventSchema = z.discriminatedUnion("type", [
  z.looseObject({
    type: z.literal("message_start"),
    message: z.looseObject({
      id: z.string(),
      model: z.string().default(""),
      usage: usageSchema.optional(),
    }),
  }),
  z.looseObject({
    type: z.literal("content_block_start"),
    index: z.number(),
    content_block: z.looseObject({
      type: z.string(),
      text: z.string().optional(),
      id: z.string().optional(),
      name: z.string().optional(),
    }),
  }),
  z.looseObject({
    type: z.literal("content_block_delta"),
    index: z.number(),
    delta: z.looseObject({
      type: z.string(),
      text: z.string().optional(),
      partial_json: z.string().optional(),
    }),
  }),
  z.looseObject({
    type: z.literal("message_delta"),
    delta: z.looseObject({ stop_reason: z.string().nullish() }),
    usage: usageSchema.optional(),
  }),
  z.looseObject({ type: z.literal("message_stop") }),
  z.looseObject({
    type: z.literal("error"),
    error: z.looseObject({ type: z.string().optional(), message: z.string().optional() }),
  }),
]);
const KNOWN_EVENTS = new Set<string>(
  streamEventSchema.options.map((option) => option.shape.type.value),
);

function readEvent(event: EventSourceMessage): z.infer<typeof streamEventSchema> | undefined {
  const data = eventJson(event, "Anthropic");
  const type = (data as { type?: unknown } | null)?.type ?? event.event;
  if (typeof type !== "string" || !KNOWN_EVENTS.has(type)) return undefined; // ping, new types
  const parsed = streamEventSchema.safeParse(data);
  if (!parsed.success) throw new Error(`Anthropic sent a malformed "${type}" event`);
  return parsed.data;
}

/**
 * Anthropic's stream events as OpenAI chunks: a role chunk at `message_start`,
 * text and tool-call deltas, a finish chunk at `message_delta`, and a usage chunk
 * (`choices: []`) at `message_stop`. An `error` event, a malformed event, or a
 * stream that ends before `message_stop` errors the stream.
 */
function messagesStream(targetModel: string): StreamStage<EventSourceMessage, ChatCompletionChunk> {
  let id: string | undefined;
  let model = targetModel;
  const created = Math.floor(Date.now() / 1000);
  let usage: AnthropicUsage = {};
  let stopped = false;
  const toolIndexes = new Map<number, number>();
  const chunk = (delta: ChunkDelta, finish: string | null = null): ChatCompletionChunk => ({
    id: id ?? "",
    object: "chat.completion.chunk",
    created,
    model,
    choices: [{ index: 0, delta, finish_reason: finish }],
  });
  return {
    transform(message, controller) {
      const event = readEvent(message);
      if (!event) return;
      if (event.type === "error") {
        const { type, message: text } = event.error;
        throw new Error(`Anthropic reported ${type ?? "an error"}: ${text ?? "no message"}`);
      }
      if (event.type === "message_start") {
        id = event.message.id;
        model = event.message.model || targetModel;
        usage = { ...event.message.usage };
        controller.enqueue(chunk({ role: "assistant", content: "" }));
        return;
      }
      if (id === undefined) throw new Error(`Anthropic sent "${event.type}" before message_start`);
      switch (event.type) {
        case "content_block_start": {
          const block = event.content_block;
          if (block.type === "text" && block.text)
            controller.enqueue(chunk({ content: block.text }));
          if (block.type === "tool_use") {
            const index = toolIndexes.size;
            toolIndexes.set(event.index, index);
            const call = { index, id: block.id ?? "", type: "function" };
            controller.enqueue(
              chunk({
                tool_calls: [{ ...call, function: { name: block.name ?? "", arguments: "" } }],
              }),
            );
          }
          return;
        }
        case "content_block_delta": {
          const { delta } = event;
          if (delta.type === "text_delta" && delta.text)
            controller.enqueue(chunk({ content: delta.text }));
          const index = toolIndexes.get(event.index);
          if (delta.type === "input_json_delta" && delta.partial_json && index !== undefined) {
            controller.enqueue(
              chunk({ tool_calls: [{ index, function: { arguments: delta.partial_json } }] }),
            );
          }
          return;
        }
        case "message_delta": {
          usage = { ...usage, ...stripNullish(event.usage ?? {}) };
          const reason = finishReason(event.delta.stop_reason);
          if (reason) controller.enqueue(chunk({}, reason));
          return;
        }
        case "message_stop":
          stopped = true;
          controller.enqueue({ ...chunk({}), choices: [], usage: toUsage(usage) });
          return;
      }
    },
    flush() {
      if (!stopped) throw new Error("the Anthropic stream ended before message_stop");
    },
  };
}

/** Anthropic's Messages API behind the OpenAI shape (chat only: Anthropic has no embeddings). */
export const anthropic: ProviderAdapter = {
  name: "anthropic",
  chatRequest({ target, secret }, body) {
    return new Request(joinUrl(target.base_url ?? DEFAULT_BASE_URL, "/v1/messages"), {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: body.stream ? "text/event-stream" : "application/json",
        "anthropic-version": API_VERSION,
        ...(secret ? { "x-api-key": secret } : {}),
      },
      body: JSON.stringify(toMessagesBody(target.model, body)),
    });
  },
  parseChat: parseMessage,
  chatStream: ({ target }) => messagesStream(target.model),
};
