import type { ProviderName } from "../../policy/config/schema.ts";
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatRequest,
  EmbeddingsResponse,
} from "./openai-shapes.ts";
import { upstreamCompletionSchema } from "./openai-shapes.ts";
import type { Parsed, ProviderAdapter, UpstreamCall } from "./provider.ts";

/** How an OpenAI-compatible provider differs from OpenAI: its URLs and its auth header. */
export interface OpenAICompatibleOptions {
  name: ProviderName;
  chatUrl(call: UpstreamCall): string;
  embeddingsUrl(call: UpstreamCall): string;
  authHeaders(call: UpstreamCall): Record<string, string>;
  /** Whether the upstream body names the model (Azure takes it from the deployment URL). */
  sendsModel: boolean;
}

function post(url: string, headers: Record<string, string>, body: unknown): Request {
  return new Request(url, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json", ...headers },
    body: JSON.stringify(body),
  });
}

/**
 * The shared base of every OpenAI-compatible provider (OpenAI, Azure OpenAI,
 * vLLM, Ollama, Groq, Mistral…): each one only states URLs and auth.
 */
export function openAICompatible(options: OpenAICompatibleOptions): ProviderAdapter {
  return {
    name: options.name,
    chatRequest(call, body) {
      const upstream: ChatRequest = { ...body };
      if (options.sendsModel) upstream.model = call.target.model;
      else delete (upstream as { model?: string }).model;
      return post(options.chatUrl(call), options.authHeaders(call), upstream);
    },
    parseChat(json): Parsed<ChatCompletion> {
      const parsed = upstreamCompletionSchema.safeParse(json);
      if (!parsed.success)
        return { ok: false, message: "upstream answer is not a chat completion" };
      return { ok: true, value: { ...parsed.data, object: "chat.completion" } as ChatCompletion };
    },
    chatStream() {
      return {
        transform(event, controller) {
          if (event.data === "[DONE]") return;
          let chunk: unknown;
          try {
            chunk = JSON.parse(event.data);
          } catch {
            throw new Error("upstream sent a stream event that is not JSON");
          }
          if (typeof chunk !== "object" || chunk === null)
            throw new Error("upstream sent an empty stream event");
          const record = chunk as Record<string, unknown>;
          if (record.error) throw new Error("upstream reported an error mid-stream");
          if (!Array.isArray(record.choices))
            throw new Error("upstream stream event has no choices");
          controller.enqueue({ ...record, object: "chat.completion.chunk" } as ChatCompletionChunk);
        },
      };
    },
    embeddingsRequest(call, body) {
      const upstream = { ...body, ...(options.sendsModel ? { model: call.target.model } : {}) };
      if (!options.sendsModel) delete (upstream as { model?: string }).model;
      return post(options.embeddingsUrl(call), options.authHeaders(call), upstream);
    },
    parseEmbeddings(json): Parsed<EmbeddingsResponse> {
      const record = json as Partial<EmbeddingsResponse> | null;
      if (!record || !Array.isArray(record.data)) {
        return { ok: false, message: "upstream answer is not an embeddings list" };
      }
      return { ok: true, value: record as EmbeddingsResponse };
    },
  };
}
