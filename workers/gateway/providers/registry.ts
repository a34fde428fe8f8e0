import type { ProviderName } from "../../policy/config/schema.ts";
import { mock } from "./mock.ts";
import { openai } from "./openai.ts";
import type { ProviderAdapter } from "./provider.ts";

/** The adapter of every provider name a config may use. Typed so none can be missing. */
export const PROVIDERS: Readonly<Record<ProviderName, ProviderAdapter>> = {
  openai,
  mock,
  // Replaced by their own adapters; until then they are OpenAI-compatible placeholders.
  anthropic: openai,
  "azure-openai": openai,
  gemini: openai,
};
