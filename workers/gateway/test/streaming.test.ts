import { describe, expect, it } from "vitest";
import { delta, frame, openaiConfig, SECRETS, textStream } from "./configs.ts";
import { chat, gateway, readSse, received, script, scriptId } from "./gateway.ts";

type Chunk = {
  choices: Array<{
    index: number;
    delta: { content?: string; role?: string; tool_calls?: unknown[] };
    finish_reason: string | null;
  }>;
  usage?: unknown;
  error?: { code: string };
};

function contentOf(frames: unknown[]): string {
  return frames
    .filter((value): value is Chunk => typeof value === "object")
    .flatMap((chunk) => chunk.choices ?? [])
    .map((choice) => choice.delta.content ?? "")
    .join("");
}

describe("streamed chat completions", () => {
  it("streams to the openai SDK and reassembles", async () => {
    const id = scriptId("sdk-stream");
    await script(id, [{ sse: textStream(["Hel", "lo ", "wor", "ld"]), frameDelayMs: 5 }]);
    const gw = gateway(openaiConfig(id), SECRETS);
    const stream = await gw.client().chat.completions.create({
      model: "gpt-test",
      stream: true,
      messages: [{ role: "user", content: "hi" }],
    });
    let text = "";
    let finish: string | null = null;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? "";
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(text).toBe("Hello world");
    expect(finish).toBe("stop");
  });

  it("redacts a value split across chunks without leaking any piece of it", async () => {
    const id = scriptId("split");
    await script(id, [
      {
        sse: textStream([
          "Write to ja",
          "ne.d",
          "oe@exam",
          "ple.com or call +1 415 ",
          "555 01",
          "00 today.",
        ]),
      },
    ]);
    const gw = gateway(openaiConfig(id), SECRETS);
    const frames = await readSse(
      await chat(gw, {
        model: "gpt-test",
        stream: true,
        messages: [{ role: "user", content: "contact?" }],
      }),
    );
    expect(contentOf(frames)).toBe("Write to [EMAIL] or call [PHONE] today.");
    const raw = JSON.stringify(frames);
    for (const piece of ["ja", "ne.d", "exam", "415", "555"])
      expect(raw).not.toContain(`"content":"${piece}`);
    expect(frames.at(-1)).toBe("[DONE]");
  });

  it("keeps roles, tool calls and finish reasons intact", async () => {
    const id = scriptId("tool-stream");
    const call = {
      index: 0,
      id: "call_9",
      type: "function",
      function: { name: "lookup", arguments: "" },
    };
    await script(id, [
      {
        sse: [
          frame([
            {
              index: 0,
              delta: { role: "assistant", content: null, tool_calls: [call] },
              finish_reason: null,
            },
          ]),
          frame([
            {
              index: 0,
              delta: { tool_calls: [{ index: 0, function: { arguments: '{"q":' } }] },
              finish_reason: null,
            },
          ]),
          frame([
            {
              index: 0,
              delta: { tool_calls: [{ index: 0, function: { arguments: '"x"}' } }] },
              finish_reason: null,
            },
          ]),
          frame([{ index: 0, delta: {}, finish_reason: "tool_calls" }]),
          "data: [DONE]",
        ],
      },
    ]);
    const gw = gateway(openaiConfig(id), SECRETS);
    const frames = (await readSse(
      await chat(gw, {
        model: "gpt-test",
        stream: true,
        messages: [{ role: "user", content: "go" }],
      }),
    )) as Array<Chunk | string>;
    const chunks = frames.filter((value): value is Chunk => typeof value === "object");
    expect(chunks[0]?.choices[0]?.delta).toMatchObject({ role: "assistant", tool_calls: [call] });
    const args = chunks
      .flatMap((chunk) => chunk.choices[0]?.delta.tool_calls ?? [])
      .map((part) => (part as { function: { arguments: string } }).function.arguments)
      .join("");
    expect(args).toBe('{"q":"x"}');
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe("tool_calls");
  });

  it("asks the provider for usage and strips it when the caller did not ask", async () => {
    const id = scriptId("usage-strip");
    await script(id, [{ sse: textStream(["ok"]) }]);
    const gw = gateway(openaiConfig(id), SECRETS);
    const frames = await readSse(
      await chat(gw, {
        model: "gpt-test",
        stream: true,
        messages: [{ role: "user", content: "x" }],
      }),
    );
    expect(JSON.stringify(frames)).not.toContain("usage");
    const [upstream] = await received(id);
    expect(upstream?.body.stream_options).toEqual({ include_usage: true });
  });

  it("passes the usage chunk on when the caller asked for it", async () => {
    const id = scriptId("usage-keep");
    await script(id, [{ sse: textStream(["ok"]) }]);
    const gw = gateway(openaiConfig(id), SECRETS);
    const frames = (await readSse(
      await chat(gw, {
        model: "gpt-test",
        stream: true,
        stream_options: { include_usage: true },
        messages: [{ role: "user", content: "x" }],
      }),
    )) as Chunk[];
    expect(frames.find((chunk) => typeof chunk === "object" && chunk.usage)?.usage).toEqual({
      prompt_tokens: 11,
      completion_tokens: 7,
      total_tokens: 18,
    });
  });

  it("ends a broken upstream stream with an error event, then [DONE]", async () => {
    const id = scriptId("dropped");
    await script(id, [{ sse: textStream(["one ", "two ", "three"]), dropAfter: 2 }]);
    const gw = gateway(openaiConfig(id), SECRETS);
    const frames = (await readSse(
      await chat(gw, {
        model: "gpt-test",
        stream: true,
        messages: [{ role: "user", content: "x" }],
      }),
    )) as Array<Chunk | string>;
    expect(frames.at(-1)).toBe("[DONE]");
    expect((frames.at(-2) as Chunk).error?.code).toBe("upstream_stream_error");
  });

  it("ends a stalled upstream stream with an error event instead of hanging", async () => {
    const id = scriptId("stalled");
    await script(id, [{ sse: textStream(["one ", "two"]), stallAfter: 2 }]);
    const gw = gateway(openaiConfig(id, { timeoutMs: 300 }), SECRETS);
    const frames = (await readSse(
      await chat(gw, {
        model: "gpt-test",
        stream: true,
        messages: [{ role: "user", content: "x" }],
      }),
    )) as Array<Chunk | string>;
    expect(frames.at(-1)).toBe("[DONE]");
    expect((frames.at(-2) as Chunk).error?.code).toBe("upstream_stream_error");
  });

  it("ends with an error event when the provider sends garbage", async () => {
    const id = scriptId("garbage");
    await script(id, [{ sse: [delta("fine "), "data: {not json"] }]);
    const gw = gateway(openaiConfig(id), SECRETS);
    const frames = (await readSse(
      await chat(gw, {
        model: "gpt-test",
        stream: true,
        messages: [{ role: "user", content: "x" }],
      }),
    )) as Array<Chunk | string>;
    expect((frames.at(-2) as Chunk).error?.code).toBe("upstream_stream_error");
  });

  it("stops cleanly with content_filter when an output policy blocks mid-stream", async () => {
    const id = scriptId("mid-block");
    await script(id, [
      {
        sse: textStream([
          "The answer is ",
          "simple. Card: 4111 1111 ",
          "1111 1111 and ",
          "more secrets after",
        ]),
      },
    ]);
    const gw = gateway(
      openaiConfig(id, {
        chain: "pii-detector",
        policy: "  pii-detector:\n    action: block\n    apply_to: [output]\n",
      }),
      SECRETS,
    );
    const frames = (await readSse(
      await chat(gw, {
        model: "gpt-test",
        stream: true,
        messages: [{ role: "user", content: "x" }],
      }),
    )) as Array<Chunk | string>;
    expect(contentOf(frames)).toBe("The answer is simple. Card: ");
    const chunks = frames.filter((value): value is Chunk => typeof value === "object");
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe("content_filter");
    expect(frames.at(-1)).toBe("[DONE]");
    expect(JSON.stringify(frames)).not.toContain("secrets after");
  });
});
