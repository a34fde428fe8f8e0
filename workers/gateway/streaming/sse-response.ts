import type { ChatCompletionChunk, Usage } from "../providers/openai-shapes.ts";

const encoder = new TextEncoder();

/** How a stream ended, for the decision event. */
export type StreamEnd = { ok: true } | { ok: false; message: string };

/** What the caller's SSE body is made of, besides the chunks. */
export interface SseBodyOptions {
  requestId: string;
  /** The caller asked for the usage chunk (`stream_options.include_usage`); the gateway always asks the provider. */
  includeUsage: boolean;
  /** Receives the provider's usage, for metering and the event, whether or not the caller sees it. */
  onUsage: (usage: Usage) => void;
  onEnd: (end: StreamEnd) => void;
}

/**
 * Encodes chunks as SSE and always ends with `data: [DONE]`. The usage chunk is
 * recorded, then stripped unless the caller asked for it, so streams are never
 * priced at zero. If anything upstream of it fails (a broken or stalled provider
 * stream, an adapter that cannot parse), the caller gets an error event first,
 * never a hang or a cut connection. A caller that goes away cancels the upstream.
 */
export function sseResponseBody(
  chunks: ReadableStream<ChatCompletionChunk>,
  options: SseBodyOptions,
): ReadableStream<Uint8Array> {
  const { requestId, includeUsage, onUsage, onEnd } = options;
  const reader = chunks.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) {
            controller.enqueue(encoder.encode("data: [DONE]\n\n"));
            controller.close();
            onEnd({ ok: true });
            return;
          }
          if (value.usage) onUsage(value.usage);
          let chunk = value;
          if (!includeUsage) {
            // A chunk without choices (the usage chunk) is dropped whole; usage riding on a content chunk is cut off it.
            if (value.choices.length === 0) continue;
            if (value.usage !== undefined) {
              const { usage: _usage, ...rest } = value;
              chunk = rest as ChatCompletionChunk;
            }
          }
          controller.enqueue(encoder.encode(`data: ${JSON.stringify(chunk)}\n\n`));
          return;
        }
      } catch (error) {
        const message = error instanceof Error ? error.message : "upstream stream failed";
        const frame = {
          error: {
            message: `the provider stream failed: ${message}`,
            type: "api_error",
            param: null,
            code: "upstream_stream_error",
            request_id: requestId,
          },
        };
        controller.enqueue(encoder.encode(`data: ${JSON.stringify(frame)}\n\ndata: [DONE]\n\n`));
        controller.close();
        onEnd({ ok: false, message });
      }
    },
    async cancel(reason) {
      await reader.cancel(reason);
      onEnd({ ok: false, message: "client disconnected" });
    },
  });
}
