import type { ChatCompletionChunk, Usage } from "../providers/openai-shapes.ts";

/**
 * Records the usage chunk for metering, and strips it again when the caller did
 * not ask for it (the gateway always asks the provider, so streams are never
 * priced at zero).
 */
export function usageStream(callerWantsUsage: boolean, record: (usage: Usage) => void) {
  return new TransformStream<ChatCompletionChunk, ChatCompletionChunk>({
    transform(chunk, controller) {
      if (chunk.usage) record(chunk.usage);
      if (callerWantsUsage) {
        controller.enqueue(chunk);
        return;
      }
      if (chunk.choices.length === 0) return;
      const { usage: _usage, ...rest } = chunk;
      controller.enqueue(rest as ChatCompletionChunk);
    },
  });
}
