import { upstreamUrl } from "./gateway.ts";

/** A config with one OpenAI target answered by the fake upstream under `id`. */
export function openaiConfig(
  id: string,
  options: { chain?: string; policy?: string; timeoutMs?: number; extraTargets?: string } = {},
): string {
  return `pack: {name: test-pack, version: 1.2.3}
providers:
  targets:
    - id: primary
      provider: openai
      model: gpt-test
      base_url: ${upstreamUrl}/s/${id}
      secret_key_ref: {env: TEST_OPENAI_KEY}
      timeout_ms: ${options.timeoutMs ?? 5000}
${options.extraTargets ?? ""}
policies:
  chain: [${options.chain ?? "prompt-injection, pii-detector, audit-logger"}]
${options.policy ? `policy:\n${options.policy}` : ""}
`;
}

/** Secrets for the configs above. */
export const SECRETS = { TEST_OPENAI_KEY: "sk-upstream-secret" };

/** An OpenAI SSE frame carrying one chunk. */
export function frame(choices: unknown[], extra: Record<string, unknown> = {}): string {
  return `data: ${JSON.stringify({ id: "chatcmpl-1", object: "chat.completion.chunk", created: 1, model: "gpt-test", choices, ...extra })}`;
}

/** A text delta frame. */
export function delta(content: string): string {
  return frame([{ index: 0, delta: { content }, finish_reason: null }]);
}

/** The usual opening, closing and usage frames around some content deltas. */
export function textStream(pieces: string[]): string[] {
  return [
    frame([{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }]),
    ...pieces.map(delta),
    frame([{ index: 0, delta: {}, finish_reason: "stop" }]),
    frame([], { usage: { prompt_tokens: 11, completion_tokens: 7, total_tokens: 18 } }),
    "data: [DONE]",
  ];
}
