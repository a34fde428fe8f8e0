import { createParser, type EventSourceMessage } from "eventsource-parser";
import type { ChatCompletionChunk, Usage } from "../providers/openai-shapes.ts";
import type { StageController, StreamStage } from "./stage.ts";

const encoder = new TextEncoder();
const DONE = "data: [DONE]\n\n";

/** How a stream ended, for the decision event. */
export type StreamEnd = { ok: true } | { ok: false; message: string };

/** The caller's side of a streamed chat answer. */
export interface ChatSseOptions {
  requestId: string;
  /** A provider that sends nothing for this long is cut off with an error event. */
  idleMs: number;
  /** The caller asked for the usage chunk (`stream_options.include_usage`); the gateway always asks the provider. */
  includeUsage: boolean;
  /** Receives the provider's usage, for metering and the event, whether or not the caller sees it. */
  onUsage: (usage: Usage) => void;
  /** Called once, when the answer is over (or the caller went away). */
  onEnd: (end: StreamEnd) => void;
}

function errorFrame(requestId: string, message: string): string {
  const frame = {
    error: {
      message: `the provider stream failed: ${message}`,
      type: "api_error",
      param: null,
      code: "upstream_stream_error",
      request_id: requestId,
    },
  };
  return `data: ${JSON.stringify(frame)}\n\n${DONE}`;
}

/**
 * The caller's SSE body for a streamed chat completion, in one stream: the
 * provider's bytes are decoded and parsed as SSE, translated to OpenAI chunks
 * (`translate`), passed through the output policies (`policy`), and encoded,
 * all in one `pull`, reading the provider only as fast as the caller reads. The
 * usage chunk is recorded, then stripped unless the caller asked for it, so
 * streams are never priced at zero. The answer always ends with `data: [DONE]`;
 * a broken, stalled or unreadable provider stream ends with an error event
 * first, never a hang or a cut connection. A caller that goes away cancels the
 * provider's stream.
 */
export function chatSseBody(
  upstream: ReadableStream<Uint8Array>,
  translate: StreamStage<EventSourceMessage, ChatCompletionChunk>,
  policy: StreamStage<ChatCompletionChunk, ChatCompletionChunk>,
  options: ChatSseOptions,
): ReadableStream<Uint8Array> {
  const { requestId, idleMs, includeUsage, onUsage, onEnd } = options;
  const reader = upstream.getReader();
  const decoder = new TextDecoder();
  const events: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (event) => events.push(event) });
  let out = "";
  let terminated = false;
  let ended = false;

  const toCaller: StageController<ChatCompletionChunk> = {
    enqueue(chunk) {
      if (chunk.usage) onUsage(chunk.usage);
      let sent = chunk;
      if (!includeUsage) {
        // A chunk without choices (the usage chunk) is dropped whole; usage riding on a content chunk is cut off it.
        if (chunk.choices.length === 0) return;
        if (chunk.usage !== undefined) {
          const { usage: _usage, ...rest } = chunk;
          sent = rest as ChatCompletionChunk;
        }
      }
      out += `data: ${JSON.stringify(sent)}\n\n`;
    },
    terminate() {
      terminated = true;
    },
  };
  const toPolicy: StageController<ChatCompletionChunk> = {
    enqueue(chunk) {
      if (!terminated) policy.transform(chunk, toCaller);
    },
    terminate() {
      terminated = true;
    },
  };
  const end = (result: StreamEnd) => {
    if (ended) return;
    ended = true;
    onEnd(result);
  };
  const read = async () => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const stalled = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no data from the provider for ${idleMs} ms`)),
        idleMs,
      );
    });
    try {
      return await Promise.race([reader.read(), stalled]);
    } finally {
      clearTimeout(timer);
    }
  };
  const translateEvents = () => {
    for (const event of events.splice(0)) {
      if (terminated) return;
      translate.transform(event, toPolicy);
    }
  };

  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (ended) return;
      try {
        while (out === "" && !terminated) {
          const { done, value } = await read();
          if (done) {
            const rest = decoder.decode();
            if (rest) parser.feed(rest);
            translateEvents();
            if (!terminated) translate.flush?.(toPolicy);
            if (!terminated) policy.flush?.(toCaller);
            controller.enqueue(encoder.encode(out + DONE));
            controller.close();
            end({ ok: true });
            return;
          }
          parser.feed(decoder.decode(value, { stream: true }));
          translateEvents();
        }
        if (terminated) {
          // An output policy ended the answer: nothing more is read from the provider.
          controller.enqueue(encoder.encode(out + DONE));
          controller.close();
          end({ ok: true });
          reader.cancel().catch(() => undefined);
          return;
        }
        controller.enqueue(encoder.encode(out));
        out = "";
      } catch (error) {
        const message = error instanceof Error ? error.message : "upstream stream failed";
        controller.enqueue(encoder.encode(out + errorFrame(requestId, message)));
        controller.close();
        end({ ok: false, message });
        reader.cancel().catch(() => undefined);
      }
    },
    async cancel(reason) {
      end({ ok: false, message: "client disconnected" });
      await reader.cancel(reason).catch(() => undefined);
    },
  });
}
