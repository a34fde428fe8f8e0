import type { ProviderName } from "../../policy/config/schema.ts";
import { anthropic } from "./anthropic.ts";
import { azureOpenAI } from "./azure-openai.ts";
import { gemini } from "./gemini.ts";
import { mock } from "./mock.ts";
import { openai } from "./openai.ts";
import type { ProviderAdapter } from "./provider.ts";

/** The adapter of every provider name a config may use. Typed so none can be missing. */
export const PROVIDERS: Readonly<Record<ProviderName, ProviderAdapter>> = {
  openai,
  mock,
  anthropic,
  "azure-openai": azureOpenAI,
  gemini,
};
