import { createParser, type EventSourceMessage } from "eventsource-parser";

/**
 * Turns a provider's response bytes into SSE events in one stage (decoding,
 * parsing and the stall guard together: each stage of a stream pipeline costs a
 * promise hop per chunk). The stream errors when no event arrives for
 * `idleMs`, so a provider that stops sending mid-answer ends the response with
 * an error instead of a hang.
 */
export function upstreamEvents(idleMs: number): TransformStream<Uint8Array, EventSourceMessage> {
  const decoder = new TextDecoder();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let parser: ReturnType<typeof createParser> | undefined;
  const stop = () => {
    if (timer !== undefined) clearTimeout(timer);
  };
  return new TransformStream<Uint8Array, EventSourceMessage>({
    start(controller) {
      const arm = () => {
        stop();
        timer = setTimeout(() => {
          try {
            controller.error(new Error(`no data from the provider for ${idleMs} ms`));
          } catch {
            // the stream already ended: nothing left to fail
          }
        }, idleMs);
      };
      parser = createParser({
        onEvent(event) {
          arm();
          controller.enqueue(event);
        },
      });
      arm();
    },
    transform(bytes) {
      parser?.feed(decoder.decode(bytes, { stream: true }));
    },
    flush() {
      const rest = decoder.decode();
      if (rest) parser?.feed(rest);
      stop();
    },
  });
}
