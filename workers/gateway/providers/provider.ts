import type { EventSourceMessage } from "eventsource-parser";
import type { ProviderName, TargetConfig } from "../../policy/config/schema.ts";
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatRequest,
  EmbeddingsRequest,
  EmbeddingsResponse,
} from "./openai-shapes.ts";
import type { StreamStage } from "../streaming/stage.ts";

/** Everything an adapter needs to call one target: the target and its secret. */
export interface UpstreamCall {
  target: TargetConfig;
  /** The provider secret read from `secret_key_ref.env`; undefined when none is configured. */
  secret: string | undefined;
}

/** An adapter's answer when an upstream body cannot be understood. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

/**
 * One provider, behind one interface. Adapters map shapes only: OpenAI request in,
 * the provider's HTTP request out; the provider's answer in, OpenAI shape out.
 * They never touch keys, wallets or policies.
 */
export interface ProviderAdapter {
  name: ProviderName;
  /** Builds the upstream request for a chat completion (streamed when `body.stream`). */
  chatRequest(call: UpstreamCall, body: ChatRequest): Request;
  /** Maps a successful non-streamed answer to an OpenAI completion. */
  parseChat(json: unknown, call: UpstreamCall, body: ChatRequest): Parsed<ChatCompletion>;
  /**
   * Maps the upstream's SSE events to OpenAI chunks. The stream must error (not
   * end quietly) when the upstream sends something it cannot understand.
   */
  chatStream(
    call: UpstreamCall,
    body: ChatRequest,
  ): StreamStage<EventSourceMessage, ChatCompletionChunk>;
  /** Builds an embeddings request; absent when the provider has no embeddings API. */
  embeddingsRequest?(call: UpstreamCall, body: EmbeddingsRequest): Request;
  parseEmbeddings?(json: unknown, call: UpstreamCall): Parsed<EmbeddingsResponse>;
  /** Answers requests in-process instead of over the network (the offline mock). */
  fetch?(request: Request): Promise<Response>;
}

/** Joins a target's `base_url` (a host, maybe with a path prefix) and an API path. */
export function joinUrl(baseUrl: string, path: string): string {
  const base = baseUrl.replace(/\/+$/, "");
  if (path.startsWith("/v1/") && base.endsWith("/v1")) return base + path.slice(3);
  return base + path;
}

/** Reads an upstream error body into a short message (never echoes secrets: bodies only). */
export async function upstreamErrorMessage(response: Response): Promise<string> {
  const text = await response.text().catch(() => "");
  try {
    const json = JSON.parse(text) as { error?: { message?: unknown } | string; message?: unknown };
    if (typeof json.error === "string") return json.error;
    if (json.error && typeof json.error.message === "string") return json.error.message;
    if (typeof json.message === "string") return json.message;
  } catch {
    // not JSON: fall through to the raw text
  }
  return text.slice(0, 500) || `HTTP ${response.status}`;
}
