import { joinUrl } from "./provider.ts";
import { openAICompatible } from "./openai-compatible.ts";

const DEFAULT_BASE_URL = "https://api.openai.com";

/** OpenAI, and any OpenAI-compatible server given as `base_url` (vLLM, Ollama, Groq, Mistral…). */
export const openai = openAICompatible({
  name: "openai",
  sendsModel: true,
  chatUrl: ({ target }) => joinUrl(target.base_url ?? DEFAULT_BASE_URL, "/v1/chat/completions"),
  embeddingsUrl: ({ target }) => joinUrl(target.base_url ?? DEFAULT_BASE_URL, "/v1/embeddings"),
  authHeaders: ({ secret }): Record<string, string> =>
    secret ? { authorization: `Bearer ${secret}` } : {},
});
