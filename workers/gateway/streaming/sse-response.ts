import type { ChatCompletionChunk } from "../providers/openai-shapes.ts";

const encoder = new TextEncoder();

/** How a stream ended, for the decision event. */
export type StreamEnd = { ok: true } | { ok: false; message: string };

/**
 * Encodes chunks as SSE and always ends with `data: [DONE]`. If anything upstream
 * of it fails (a broken or stalled provider stream, an adapter that cannot parse),
 * the caller gets an error event first, never a hang or a cut connection. A caller
 * that goes away cancels the upstream.
 */
export function sseResponseBody(
  chunks: ReadableStream<ChatCompletionChunk>,
  requestId: string,
  onEnd: (end: StreamEnd) => void,
): ReadableStream<Uint8Array> {
  const reader = chunks.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) {
          controller.enqueue(encoder.encode("data: [DONE]\n\n"));
          controller.close();
          onEnd({ ok: true });
          return;
        }
        controller.enqueue(encoder.encode(`data: ${JSON.stringify(value)}\n\n`));
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

/**
 * Errors the stream when no event arrives for `milliseconds`, so a provider that
 * stops sending mid-answer ends the response with an error instead of a hang.
 */
export function idleTimeout<T>(milliseconds: number): TransformStream<T, T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let fail: ((error: Error) => void) | undefined;
  const stop = () => {
    if (timer !== undefined) clearTimeout(timer);
  };
  const arm = () => {
    stop();
    timer = setTimeout(
      () => fail?.(new Error(`no data from the provider for ${milliseconds} ms`)),
      milliseconds,
    );
  };
  return new TransformStream<T, T>({
    start(controller) {
      fail = (error) => {
        try {
          controller.error(error);
        } catch {
          // the stream already ended: nothing left to fail
        }
      };
      arm();
    },
    transform(chunk, controller) {
      arm();
      controller.enqueue(chunk);
    },
    flush() {
      stop();
    },
  });
}
