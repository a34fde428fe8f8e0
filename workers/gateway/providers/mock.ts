import type { ChatMessage } from "../../policy/types.ts";
import type { ChatRequest, EmbeddingsRequest } from "./openai-shapes.ts";
import { openAICompatible } from "./openai-compatible.ts";
import type { ProviderAdapter } from "./provider.ts";

const MOCK_ORIGIN = "http://mock.keeptrusts.invalid";
const encoder = new TextEncoder();

/** Rough token count (4 characters a token), good enough for an offline echo. */
function estimateTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

function textOf(message: ChatMessage | undefined): string {
  if (!message) return "";
  if (typeof message.content === "string") return message.content;
  if (Array.isArray(message.content)) {
    return message.content
      .flatMap((part) => (part.type === "text" ? [String(part.text)] : []))
      .join(" ");
  }
  return "";
}

function reply(body: ChatRequest): { text: string; promptTokens: number } {
  const lastUser = [...body.messages].reverse().find((message) => message.role === "user");
  const prompt = body.messages.map(textOf).join("\n");
  return { text: `Echo: ${textOf(lastUser)}`, promptTokens: estimateTokens(prompt) };
}

/** Splits text into at most `parts` pieces at word boundaries (a stream of a few chunks). */
function split(text: string, parts: number): string[] {
  const words = text.split(/(?<=\s)/);
  const size = Math.max(1, Math.ceil(words.length / parts));
  const pieces: string[] = [];
  for (let index = 0; index < words.length; index += size)
    pieces.push(words.slice(index, index + size).join(""));
  return pieces.length > 0 ? pieces : [""];
}

function chat(body: ChatRequest): Response {
  const { text, promptTokens } = reply(body);
  const completionTokens = estimateTokens(text);
  const usage = {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
  };
  const id = `chatcmpl-mock-${crypto.randomUUID()}`;
  const created = Math.floor(Date.now() / 1000);
  if (!body.stream) {
    return Response.json({
      id,
      object: "chat.completion",
      created,
      model: body.model,
      choices: [{ index: 0, message: { role: "assistant", content: text }, finish_reason: "stop" }],
      usage,
    });
  }
  const frames: unknown[] = [
    { choices: [{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }] },
    ...split(text, 5).map((piece) => ({
      choices: [{ index: 0, delta: { content: piece }, finish_reason: null }],
    })),
    { choices: [{ index: 0, delta: {}, finish_reason: "stop" }] },
  ];
  if (body.stream_options?.include_usage) frames.push({ choices: [], usage });
  const sse = frames
    .map(
      (frame) =>
        `data: ${JSON.stringify({ id, object: "chat.completion.chunk", created, model: body.model, ...(frame as object) })}\n\n`,
    )
    .join("");
  return new Response(encoder.encode(`${sse}data: [DONE]\n\n`), {
    headers: { "content-type": "text/event-stream" },
  });
}

function embeddings(body: EmbeddingsRequest): Response {
  const inputs = Array.isArray(body.input) ? body.input : [body.input];
  const data = inputs.map((input, index) => {
    const vector = Array.from({ length: 8 }, (_, dimension) => {
      let hash = 2166136261 ^ dimension;
      for (let i = 0; i < input.length; i += 1)
        hash = Math.imul(hash ^ input.charCodeAt(i), 16777619);
      return ((hash >>> 0) / 0xffffffff) * 2 - 1;
    });
    return { object: "embedding" as const, index, embedding: vector };
  });
  const tokens = inputs.reduce((sum, input) => sum + estimateTokens(input), 0);
  return Response.json({
    object: "list",
    data,
    model: body.model,
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  });
}

/**
 * The offline provider: needs no key and no network, echoes the (already
 * governed) last user message, streamed or not, so the whole path runs locally.
 */
export const mock: ProviderAdapter = {
  ...openAICompatible({
    name: "mock",
    sendsModel: true,
    chatUrl: () => `${MOCK_ORIGIN}/v1/chat/completions`,
    embeddingsUrl: () => `${MOCK_ORIGIN}/v1/embeddings`,
    authHeaders: () => ({}),
  }),
  async fetch(request) {
    const path = new URL(request.url).pathname;
    const body: unknown = await request.json();
    if (path === "/v1/chat/completions") return chat(body as ChatRequest);
    if (path === "/v1/embeddings") return embeddings(body as EmbeddingsRequest);
    return Response.json({ error: { message: "not found" } }, { status: 404 });
  },
};
