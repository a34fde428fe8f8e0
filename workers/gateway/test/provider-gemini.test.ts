import { describe, expect, it } from "vitest";
import embeddingsAnswer from "./__fixtures__/gemini-embeddings.json";
import errorStream from "./__fixtures__/gemini-error.sse?raw";
import functionCallAnswer from "./__fixtures__/gemini-function-call.json";
import functionCallStream from "./__fixtures__/gemini-function-call.sse?raw";
import textAnswer from "./__fixtures__/gemini-text.json";
import textStream from "./__fixtures__/gemini-text.sse?raw";
import { reassemble, sseFrames } from "./fixtures.ts";
import { chat, gateway, readSse, received, script, scriptId, upstreamUrl } from "./gateway.ts";

const SECRET = "gemini-test-secret";
const MODEL = "gemini-2.5-flash";
const EMBEDDING_MODEL = "gemini-embedding-001";

/** A gateway whose Gemini chat and embedding targets are answered by the fake upstream script. */
function geminiGateway(id: string) {
  const config = `
providers:
  targets:
    - id: gemini-chat
      provider: gemini
      model: ${MODEL}
      base_url: ${upstreamUrl}/s/${id}
      secret_key_ref: {env: GEMINI_API_KEY}
    - id: gemini-embeddings
      provider: gemini
      model: ${EMBEDDING_MODEL}
      base_url: ${upstreamUrl}/s/${id}
      secret_key_ref: {env: GEMINI_API_KEY}
policies:
  chain: [pii-detector]
`;
  return gateway(config, { GEMINI_API_KEY: SECRET });
}

type ChunkFrame = { choices: Array<{ delta: { content?: string } }> };

const weatherTool = {
  type: "function" as const,
  function: {
    name: "get_forecast",
    description: "Weather forecast for a city",
    parameters: {
      type: "object",
      properties: { city: { type: "string" }, days: { type: "integer" } },
      required: ["city"],
      additionalProperties: false,
    },
  },
};

function withFinishReason(finishReason: string) {
  const [candidate] = textAnswer.candidates;
  return { ...textAnswer, candidates: [{ ...candidate, finishReason }] };
}

describe("gemini adapter", () => {
  it("translates a text request and maps the answer, usage and finish reason", async () => {
    const id = scriptId("gemini-text");
    await script(id, [{ json: textAnswer }]);
    const response = await chat(geminiGateway(id), {
      model: MODEL,
      max_tokens: 256,
      temperature: 0.3,
      top_p: 0.9,
      stop: ["END"],
      n: 1,
      messages: [
        { role: "system", content: "You are terse." },
        { role: "user", content: "Capital of France?" },
        { role: "user", content: [{ type: "text", text: "One word." }] },
      ],
    });

    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      id: "q2nYaKvXJbOf1MkP4o2UsQc",
      object: "chat.completion",
      model: "gemini-2.5-flash",
      choices: [
        {
          index: 0,
          message: { role: "assistant", content: "The capital of France is Paris." },
          finish_reason: "stop",
        },
      ],
      usage: {
        prompt_tokens: 12,
        completion_tokens: 33,
        total_tokens: 45,
        completion_tokens_details: { reasoning_tokens: 25 },
      },
    });
    const [call] = await received(id);
    expect(call?.path).toBe(`/v1beta/models/${MODEL}:generateContent`);
    expect(call?.headers["x-goog-api-key"]).toBe(SECRET);
    expect(call?.headers.authorization).toBeUndefined();
    expect(call?.body).toEqual({
      contents: [{ role: "user", parts: [{ text: "Capital of France?" }, { text: "One word." }] }],
      systemInstruction: { parts: [{ text: "You are terse." }] },
      generationConfig: {
        maxOutputTokens: 256,
        temperature: 0.3,
        topP: 0.9,
        stopSequences: ["END"],
        candidateCount: 1,
      },
    });
  });

  it("sends the prompt upstream with personal data already redacted", async () => {
    const id = scriptId("gemini-pii");
    await script(id, [{ json: textAnswer }]);
    await chat(geminiGateway(id), {
      model: MODEL,
      messages: [{ role: "user", content: "Call me on +1 415 555 0132 or jane.doe@example.com" }],
    });

    const [call] = await received(id);
    const sent = JSON.stringify(call?.body);
    expect(sent).not.toContain("jane.doe@example.com");
    expect(sent).not.toContain("555 0132");
    expect(call?.body.contents).toEqual([
      { role: "user", parts: [{ text: "Call me on [PHONE] or [EMAIL]" }] },
    ]);
  });

  it("streams text to the openai SDK with usage and the finish reason", async () => {
    const id = scriptId("gemini-stream");
    await script(id, [{ sse: sseFrames(textStream), frameDelayMs: 2 }]);
    const stream = await geminiGateway(id)
      .client()
      .chat.completions.create({
        model: MODEL,
        stream: true,
        stream_options: { include_usage: true },
        messages: [{ role: "user", content: "Capital of France?" }],
      });
    const answer = await reassemble(stream);

    expect(answer.content).toBe("The capital of France is Paris.");
    expect(answer.finishReason).toBe("stop");
    expect(answer.usage).toMatchObject({
      prompt_tokens: 12,
      completion_tokens: 33,
      total_tokens: 45,
    });
    const [call] = await received(id);
    expect(call?.path).toBe(`/v1beta/models/${MODEL}:streamGenerateContent?alt=sse`);
    expect(call?.headers["x-goog-api-key"]).toBe(SECRET);
    expect(call?.headers.authorization).toBeUndefined();
  });

  it("translates tools, tool calls and tool results, and maps a function call answer", async () => {
    const id = scriptId("gemini-tools");
    await script(id, [{ json: functionCallAnswer }]);
    const response = await chat(geminiGateway(id), {
      model: MODEL,
      tools: [weatherTool],
      tool_choice: { type: "function", function: { name: "get_forecast" } },
      messages: [
        { role: "user", content: "Weather in Paris and Nice?" },
        {
          role: "assistant",
          content: null,
          tool_calls: [
            {
              id: "call_paris",
              type: "function",
              function: { name: "get_forecast", arguments: '{"city":"Paris"}' },
              extra_content: { google: { thought_signature: "sig-paris" } },
            },
            {
              id: "call_nice",
              type: "function",
              function: { name: "get_forecast", arguments: '{"city":"Nice"}' },
            },
          ],
        },
        { role: "tool", tool_call_id: "call_paris", content: '{"sky":"sunny","celsius":24}' },
        { role: "tool", tool_call_id: "call_nice", content: "rain, 18C" },
        { role: "user", content: "And Lyon?" },
      ],
    });

    expect(response.status).toBe(200);
    const completion = (await response.json()) as {
      choices: Array<{ message: { tool_calls: Array<{ id: string }> } }>;
    };
    expect(completion).toMatchObject({
      choices: [
        {
          message: {
            role: "assistant",
            content: null,
            tool_calls: [
              {
                type: "function",
                function: { name: "get_forecast", arguments: '{"city":"Lyon","days":2}' },
                extra_content: {
                  google: { thought_signature: "CsgCAdHtim9kq1Lr0fGzX4v3Wn8yPqEo2bT7uJcZ5sMd" },
                },
              },
            ],
          },
          finish_reason: "tool_calls",
        },
      ],
      usage: { prompt_tokens: 96, completion_tokens: 18, total_tokens: 114 },
    });
    expect(completion.choices[0]?.message.tool_calls[0]?.id).toMatch(/^call_\w+$/);
    const [call] = await received(id);
    expect(call?.body).toMatchObject({
      tools: [
        {
          functionDeclarations: [
            {
              name: "get_forecast",
              description: "Weather forecast for a city",
              parametersJsonSchema: weatherTool.function.parameters,
            },
          ],
        },
      ],
      toolConfig: {
        functionCallingConfig: { mode: "ANY", allowedFunctionNames: ["get_forecast"] },
      },
      contents: [
        { role: "user", parts: [{ text: "Weather in Paris and Nice?" }] },
        {
          role: "model",
          parts: [
            {
              functionCall: { name: "get_forecast", args: { city: "Paris" } },
              thoughtSignature: "sig-paris",
            },
            { functionCall: { name: "get_forecast", args: { city: "Nice" } } },
          ],
        },
        {
          role: "user",
          parts: [
            {
              functionResponse: {
                name: "get_forecast",
                response: { sky: "sunny", celsius: 24 },
              },
            },
            { functionResponse: { name: "get_forecast", response: { content: "rain, 18C" } } },
            { text: "And Lyon?" },
          ],
        },
      ],
    });
  });

  it("streams a function call as a tool call the SDK reassembles", async () => {
    const id = scriptId("gemini-tool-stream");
    await script(id, [{ sse: sseFrames(functionCallStream) }]);
    const stream = await geminiGateway(id)
      .client()
      .chat.completions.create({
        model: MODEL,
        stream: true,
        stream_options: { include_usage: true },
        tools: [weatherTool],
        messages: [{ role: "user", content: "Weather in Lyon?" }],
      });
    const answer = await reassemble(stream);

    expect(answer.content).toBe("Checking the forecast.");
    expect(answer.toolCalls).toHaveLength(1);
    expect(answer.toolCalls[0]?.name).toBe("get_forecast");
    expect(answer.toolCalls[0]?.id).toMatch(/^call_\w+$/);
    expect(JSON.parse(answer.toolCalls[0]?.arguments ?? "")).toEqual({ city: "Lyon", days: 2 });
    expect(answer.finishReason).toBe("tool_calls");
    expect(answer.usage).toMatchObject({ prompt_tokens: 96, completion_tokens: 22 });
  });

  it.each([
    ["MAX_TOKENS", "length"],
    ["SAFETY", "content_filter"],
    ["RECITATION", "content_filter"],
    ["PROHIBITED_CONTENT", "content_filter"],
  ])("maps finishReason %s to %s", async (finishReason, expected) => {
    const id = scriptId("gemini-finish");
    await script(id, [{ json: withFinishReason(finishReason) }]);
    const response = await chat(geminiGateway(id), {
      model: MODEL,
      messages: [{ role: "user", content: "Hi" }],
    });

    const body = (await response.json()) as { choices: Array<{ finish_reason: string }> };
    expect(body.choices[0]?.finish_reason).toBe(expected);
  });

  it("answers a blocked prompt as an empty content_filter choice", async () => {
    const id = scriptId("gemini-blocked");
    await script(id, [
      {
        json: {
          promptFeedback: { blockReason: "PROHIBITED_CONTENT" },
          usageMetadata: { promptTokenCount: 9, totalTokenCount: 9 },
          modelVersion: MODEL,
        },
      },
    ]);
    const response = await chat(geminiGateway(id), {
      model: MODEL,
      messages: [{ role: "user", content: "Hi" }],
    });

    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      choices: [{ message: { content: "" }, finish_reason: "content_filter" }],
      usage: { prompt_tokens: 9, completion_tokens: 0, total_tokens: 9 },
    });
  });

  it("ends the client stream with an error frame, then [DONE], on an error event", async () => {
    const id = scriptId("gemini-stream-error");
    await script(id, [{ sse: sseFrames(errorStream) }]);
    const response = await chat(geminiGateway(id), {
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
        message: expect.stringContaining("UNAVAILABLE: The model is overloaded"),
      },
    });
    const text = frames
      .slice(0, -2)
      .map((frame) => (frame as ChunkFrame).choices[0]?.delta.content ?? "")
      .join("");
    expect(text).toMatch(/^Once upon a time, in a village/);
  });

  it("passes an upstream 400 on as an OpenAI-shaped upstream_error", async () => {
    const id = scriptId("gemini-400");
    await script(id, [
      {
        status: 400,
        json: {
          error: {
            code: 400,
            message: "* GenerateContentRequest.generation_config.candidate_count: must be <= 8",
            status: "INVALID_ARGUMENT",
          },
        },
      },
    ]);
    const response = await chat(geminiGateway(id), {
      model: MODEL,
      n: 16,
      messages: [{ role: "user", content: "Hi" }],
    });

    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      error: {
        code: "upstream_error",
        message: expect.stringContaining("candidate_count: must be <= 8"),
      },
    });
  });

  it("embeds a batch through batchEmbedContents, inputs redacted", async () => {
    const id = scriptId("gemini-embeddings");
    await script(id, [{ json: embeddingsAnswer }]);
    const result = await geminiGateway(id)
      .client()
      .embeddings.create({
        model: EMBEDDING_MODEL,
        input: ["first text", "mail jane.doe@example.com"],
        dimensions: 4,
      });

    expect(result.data.map((item) => [item.index, item.embedding])).toEqual([
      [0, [0.0123, -0.0456, 0.0789, -0.0012]],
      [1, [-0.0321, 0.0654, -0.0987, 0.021]],
    ]);
    expect(result.model).toBe(EMBEDDING_MODEL);
    const [call] = await received(id);
    expect(call?.path).toBe(`/v1beta/models/${EMBEDDING_MODEL}:batchEmbedContents`);
    expect(call?.headers["x-goog-api-key"]).toBe(SECRET);
    expect(call?.headers.authorization).toBeUndefined();
    const model = `models/${EMBEDDING_MODEL}`;
    expect(call?.body).toEqual({
      requests: [
        { model, content: { parts: [{ text: "first text" }] }, outputDimensionality: 4 },
        { model, content: { parts: [{ text: "mail [EMAIL]" }] }, outputDimensionality: 4 },
      ],
    });
  });
});
