import { describe, expect, it } from "vitest";
import errorStream from "./__fixtures__/anthropic-error.sse?raw";
import textAnswer from "./__fixtures__/anthropic-text.json";
import textStream from "./__fixtures__/anthropic-text.sse?raw";
import toolAnswer from "./__fixtures__/anthropic-tool-use.json";
import toolStream from "./__fixtures__/anthropic-tool-use.sse?raw";
import { reassemble, sseFrames } from "./fixtures.ts";
import { chat, gateway, readSse, received, script, scriptId, upstreamUrl } from "./gateway.ts";

const SECRET = "sk-ant-test-secret";
const MODEL = "claude-sonnet-4-5";

function target(id: string, script: string): string {
  return `
    - id: ${id}
      provider: anthropic
      model: ${MODEL}
      base_url: ${upstreamUrl}/s/${script}
      secret_key_ref: {env: ANTHROPIC_API_KEY}`;
}

/** A gateway whose Anthropic target(s) are answered by the fake upstream scripts given. */
function anthropicGateway(...scripts: string[]) {
  const targets = scripts.map((script, index) => target(`claude-${index}`, script)).join("");
  const config = `
providers:
  targets:${targets}
policies:
  chain: [pii-detector]
`;
  return gateway(config, { ANTHROPIC_API_KEY: SECRET });
}

type ChunkFrame = { choices: Array<{ delta: { content?: string } }> };

const weatherTool = {
  type: "function",
  function: {
    name: "get_forecast",
    description: "Weather forecast for a city",
    parameters: {
      type: "object",
      properties: { city: { type: "string" }, days: { type: "integer" } },
      required: ["city"],
    },
  },
};

describe("anthropic adapter", () => {
  it("translates a text request and maps the answer, usage and finish reason", async () => {
    const id = scriptId("anthropic-text");
    await script(id, [{ json: textAnswer }]);
    const response = await chat(anthropicGateway(id), {
      model: MODEL,
      temperature: 0.2,
      stop: "END",
      messages: [
        { role: "system", content: "You are terse." },
        { role: "developer", content: "Answer in English." },
        { role: "user", content: "Capital of France?" },
        { role: "user", content: [{ type: "text", text: "One word." }] },
      ],
    });

    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      id: "msg_01KtGq7ZbXv3mWcQe8RnYp4D",
      object: "chat.completion",
      model: "claude-sonnet-4-5-20250929",
      choices: [
        {
          index: 0,
          message: { role: "assistant", content: "The capital of France is Paris." },
          finish_reason: "stop",
        },
      ],
      usage: {
        prompt_tokens: 29,
        completion_tokens: 9,
        total_tokens: 38,
        prompt_tokens_details: { cached_tokens: 8 },
      },
    });
    const [call] = await received(id);
    expect(call?.path).toBe("/v1/messages");
    expect(call?.headers["x-api-key"]).toBe(SECRET);
    expect(call?.headers["anthropic-version"]).toBe("2023-06-01");
    expect(call?.headers.authorization).toBeUndefined();
    expect(call?.body).toEqual({
      model: MODEL,
      max_tokens: 4096,
      system: "You are terse.\n\nAnswer in English.",
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "Capital of France?" },
            { type: "text", text: "One word." },
          ],
        },
      ],
      temperature: 0.2,
      stop_sequences: ["END"],
    });
  });

  it("sends the prompt upstream with personal data already redacted", async () => {
    const id = scriptId("anthropic-pii");
    await script(id, [{ json: textAnswer }]);
    const response = await chat(anthropicGateway(id), {
      model: MODEL,
      max_tokens: 50,
      messages: [{ role: "user", content: "Write to jane.doe@example.com about the invoice." }],
    });

    expect(response.status).toBe(200);
    const [call] = await received(id);
    const sent = JSON.stringify(call?.body);
    expect(sent).not.toContain("jane.doe@example.com");
    expect(call?.body).toMatchObject({
      max_tokens: 50,
      messages: [
        { role: "user", content: [{ type: "text", text: "Write to [EMAIL] about the invoice." }] },
      ],
    });
  });

  it("streams text to the openai SDK with usage and the finish reason", async () => {
    const id = scriptId("anthropic-stream");
    await script(id, [{ sse: sseFrames(textStream), frameDelayMs: 2 }]);
    const gw = anthropicGateway(id);
    const stream = await gw.client().chat.completions.create({
      model: MODEL,
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: "user", content: "Capital of France?" }],
    });
    const answer = await reassemble(stream);

    expect(answer.content).toBe("The capital of France is Paris.");
    expect(answer.finishReason).toBe("stop");
    expect(answer.usage).toMatchObject({
      prompt_tokens: 29,
      completion_tokens: 9,
      total_tokens: 38,
    });
    const [call] = await received(id);
    expect(call?.body).toMatchObject({ stream: true });
    expect(call?.body).not.toHaveProperty("stream_options");
    expect(call?.headers["x-api-key"]).toBe(SECRET);
    expect(call?.headers.authorization).toBeUndefined();
  });

  it("translates tools, tool calls and tool results, and maps a tool_use answer", async () => {
    const id = scriptId("anthropic-tools");
    await script(id, [{ json: toolAnswer }]);
    const response = await chat(anthropicGateway(id), {
      model: MODEL,
      tools: [weatherTool],
      tool_choice: "required",
      messages: [
        { role: "user", content: "Weather in Paris and Nice?" },
        {
          role: "assistant",
          content: null,
          tool_calls: [
            {
              id: "toolu_paris",
              type: "function",
              function: { name: "get_forecast", arguments: '{"city":"Paris"}' },
            },
            {
              id: "toolu_nice",
              type: "function",
              function: { name: "get_forecast", arguments: "{not json" },
            },
          ],
        },
        { role: "tool", tool_call_id: "toolu_paris", content: "sunny, 24C" },
        { role: "tool", tool_call_id: "toolu_nice", content: "rain, 18C" },
        { role: "user", content: "And Lyon?" },
      ],
    });

    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      choices: [
        {
          message: {
            role: "assistant",
            content: "Let me look up the forecast.",
            tool_calls: [
              {
                id: "toolu_01Q7mZkT3vNw8cXa2bYe5Hj4",
                type: "function",
                function: { name: "get_forecast", arguments: '{"city":"Lyon","days":2}' },
              },
            ],
          },
          finish_reason: "tool_calls",
        },
      ],
      usage: { prompt_tokens: 412, completion_tokens: 61, total_tokens: 473 },
    });
    const [call] = await received(id);
    expect(call?.body).toMatchObject({
      tools: [
        {
          name: "get_forecast",
          description: "Weather forecast for a city",
          input_schema: weatherTool.function.parameters,
        },
      ],
      tool_choice: { type: "any" },
      messages: [
        { role: "user", content: [{ type: "text", text: "Weather in Paris and Nice?" }] },
        {
          role: "assistant",
          content: [
            { type: "tool_use", id: "toolu_paris", name: "get_forecast", input: { city: "Paris" } },
            { type: "tool_use", id: "toolu_nice", name: "get_forecast", input: {} },
          ],
        },
        {
          role: "user",
          content: [
            {
              type: "tool_result",
              tool_use_id: "toolu_paris",
              content: [{ type: "text", text: "sunny, 24C" }],
            },
            {
              type: "tool_result",
              tool_use_id: "toolu_nice",
              content: [{ type: "text", text: "rain, 18C" }],
            },
            { type: "text", text: "And Lyon?" },
          ],
        },
      ],
    });
  });

  it("maps a specific tool choice and serial tool use", async () => {
    const id = scriptId("anthropic-tool-choice");
    await script(id, [{ json: toolAnswer }]);
    await chat(anthropicGateway(id), {
      model: MODEL,
      tools: [weatherTool],
      tool_choice: { type: "function", function: { name: "get_forecast" } },
      parallel_tool_calls: false,
      messages: [{ role: "user", content: "Weather in Lyon?" }],
    });

    const [call] = await received(id);
    expect(call?.body.tool_choice).toEqual({
      type: "tool",
      name: "get_forecast",
      disable_parallel_tool_use: true,
    });
  });

  it("streams a tool call whose arguments reassemble, skipping thinking blocks", async () => {
    const id = scriptId("anthropic-tool-stream");
    await script(id, [{ sse: sseFrames(toolStream) }]);
    const stream = await anthropicGateway(id)
      .client()
      .chat.completions.create({
        model: MODEL,
        stream: true,
        stream_options: { include_usage: true },
        tools: [weatherTool as never],
        messages: [{ role: "user", content: "Weather in Lyon?" }],
      });
    const answer = await reassemble(stream);

    expect(answer.content).toBe("Let me look up the forecast.");
    expect(answer.toolCalls).toEqual([
      { id: "toolu_01Fd8YqKc4MwZ7nXb2Tv6Lp9", name: "get_forecast", arguments: expect.any(String) },
    ]);
    expect(JSON.parse(answer.toolCalls[0]?.arguments ?? "")).toEqual({ city: "Lyon", days: 2 });
    expect(answer.finishReason).toBe("tool_calls");
    expect(answer.usage).toMatchObject({ prompt_tokens: 388, completion_tokens: 74 });
  });

  it("ends the client stream with an error frame, then [DONE], on an error event", async () => {
    const id = scriptId("anthropic-stream-error");
    await script(id, [{ sse: sseFrames(errorStream) }]);
    const response = await chat(anthropicGateway(id), {
      model: MODEL,
      stream: true,
      messages: [{ role: "user", content: "Tell me a story." }],
    });

    expect(response.status).toBe(200);
    const frames = await readSse(response);
    expect(frames.at(-1)).toBe("[DONE]");
    expect(frames.at(-2)).toMatchObject({
      error: {
        code: "upstream_stream_error",
        message: expect.stringContaining("overloaded_error"),
      },
    });
    const text = frames
      .slice(0, -2)
      .map((frame) => (frame as ChunkFrame).choices[0]?.delta.content ?? "")
      .join("");
    expect(text).toMatch(/^Once upon a time, in a village/);
  });

  it("errors the client stream when the upstream stream ends before message_stop", async () => {
    const id = scriptId("anthropic-truncated");
    await script(id, [{ sse: sseFrames(textStream).slice(0, -1) }]);
    const response = await chat(anthropicGateway(id), {
      model: MODEL,
      stream: true,
      messages: [{ role: "user", content: "Capital of France?" }],
    });

    const frames = await readSse(response);
    expect(frames.at(-1)).toBe("[DONE]");
    expect(frames.at(-2)).toMatchObject({
      error: { code: "upstream_stream_error", message: expect.stringContaining("message_stop") },
    });
  });

  it("falls back to the next target when the first answers 500", async () => {
    const failing = scriptId("anthropic-500");
    const healthy = scriptId("anthropic-fallback");
    await script(failing, [
      { status: 500, json: { type: "error", error: { type: "api_error", message: "Internal" } } },
    ]);
    await script(healthy, [{ json: textAnswer }]);
    const response = await chat(anthropicGateway(failing, healthy), {
      model: MODEL,
      messages: [{ role: "user", content: "Capital of France?" }],
    });

    expect(response.status).toBe(200);
    const body = (await response.json()) as { choices: Array<{ message: { content: string } }> };
    expect(body.choices[0]?.message.content).toBe("The capital of France is Paris.");
    expect(await received(failing)).toHaveLength(1);
    expect(await received(healthy)).toHaveLength(1);
  });

  it("passes an upstream 400 on as an OpenAI-shaped upstream_error", async () => {
    const id = scriptId("anthropic-400");
    await script(id, [
      {
        status: 400,
        json: {
          type: "error",
          error: { type: "invalid_request_error", message: "max_tokens: 999999 > 64000" },
        },
      },
    ]);
    const response = await chat(anthropicGateway(id), {
      model: MODEL,
      max_tokens: 999999,
      messages: [{ role: "user", content: "Hi" }],
    });

    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      error: {
        type: "invalid_request_error",
        code: "upstream_error",
        message: expect.stringContaining("max_tokens: 999999 > 64000"),
      },
    });
  });
});
