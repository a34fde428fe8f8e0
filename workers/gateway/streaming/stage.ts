/** What a stream stage hands its output to. */
export interface StageController<Out> {
  enqueue(chunk: Out): void;
  /** Ends the stream after what was enqueued: nothing more is read or sent. */
  terminate(): void;
}

/**
 * One synchronous step of the streamed answer (a provider's event translation,
 * the output policies). Shaped like a `TransformStream` transformer, but the
 * steps are called one after the other inside a single stream
 * (`chat-sse-body.ts`): a `TransformStream` per step costs a promise hop and a
 * native pipe per chunk. Throwing errors the answer: the caller gets an error
 * event, then `[DONE]`.
 */
export interface StreamStage<In, Out> {
  transform(chunk: In, controller: StageController<Out>): void;
  flush?(controller: StageController<Out>): void;
}
