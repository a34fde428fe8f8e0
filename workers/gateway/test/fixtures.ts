import type OpenAI from "openai";

/** Splits a recorded SSE stream into the frames the fake upstream writes one at a time. */
export function sseFrames(recording: string): string[] {
  return recording
    .split(/\r?\n\r?\n/)
    .map((frame) => frame.trim())
    .filter((frame) => frame.length > 0);
}

/** What a streamed answer adds up to, reassembled the way a client does it. */
export interface Reassembled {
  content: string;
  finishReason: string | null;
  toolCalls: Array<{ id: string; name: string; arguments: string }>;
  usage: OpenAI.CompletionUsage | null | undefined;
  chunks: number;
}

/** Reads an openai SDK stream to its end and reassembles content, tool calls and usage. */
export async function reassemble(
  stream: AsyncIterable<OpenAI.ChatCompletionChunk>,
): Promise<Reassembled> {
  const result: Reassembled = {
    content: "",
    finishReason: null,
    toolCalls: [],
    usage: undefined,
    chunks: 0,
  };
  for await (const chunk of stream) {
    result.chunks += 1;
    if (chunk.usage) result.usage = chunk.usage;
    for (const choice of chunk.choices) {
      result.content += choice.delta.content ?? "";
      if (choice.finish_reason) result.finishReason = choice.finish_reason;
      for (const call of choice.delta.tool_calls ?? []) {
        const slot = (result.toolCalls[call.index] ??= { id: "", name: "", arguments: "" });
        slot.id += call.id ?? "";
        slot.name += call.function?.name ?? "";
        slot.arguments += call.function?.arguments ?? "";
      }
    }
  }
  return result;
}
