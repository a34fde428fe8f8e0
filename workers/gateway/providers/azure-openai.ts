import { openAICompatible } from "./openai-compatible.ts";
import { joinUrl, type UpstreamCall } from "./provider.ts";

const DEFAULT_API_VERSION = "2024-10-21";
/**
 * Azure has no shared host: each resource has its own, so `base_url` is required
 * (the config linter should say so). Without it requests go to a reserved
 * `.invalid` host, fail as a network error, and routing moves to the next target.
 */
const MISSING_BASE_URL = "https://azure-openai-base-url-required.invalid";

function deploymentUrl({ target }: UpstreamCall, operation: string): string {
  const deployment = encodeURIComponent(target.deployment ?? target.model);
  const version = encodeURIComponent(target.api_version ?? DEFAULT_API_VERSION);
  return joinUrl(
    target.base_url ?? MISSING_BASE_URL,
    `/openai/deployments/${deployment}/${operation}?api-version=${version}`,
  );
}

/**
 * Azure OpenAI: OpenAI's shapes on a per-resource host, addressed by deployment
 * (`deployment`, else `model`) and `api_version`, authenticated with `api-key`.
 */
export const azureOpenAI = openAICompatible({
  name: "azure-openai",
  sendsModel: false,
  chatUrl: (call) => deploymentUrl(call, "chat/completions"),
  embeddingsUrl: (call) => deploymentUrl(call, "embeddings"),
  authHeaders: ({ secret }): Record<string, string> => (secret ? { "api-key": secret } : {}),
});
