import { describe, expect, it } from "vitest";
import chatAnswer from "./__fixtures__/azure-openai-chat.json";
import embeddingsAnswer from "./__fixtures__/azure-openai-embeddings.json";
import errorStream from "./__fixtures__/azure-openai-error.sse?raw";
import textStream from "./__fixtures__/azure-openai-text.sse?raw";
import toolCallAnswer from "./__fixtures__/azure-openai-tool-call.json";
import toolCallStream from "./__fixtures__/azure-openai-tool-call.sse?raw";
import { reassemble, sseFrames } from "./fixtures.ts";
import { chat, gateway, readSse, received, script, scriptId, upstreamUrl } from "./gateway.ts";

const SECRET = "azure-test-secret";
const API_VERSION = "2025-01-01-preview";

/**
 * A gateway with three Azure targets on one fake resource: a chat deployment with
 * its own name and api_version, one addressed by its model name and the default
 * api_version, and an embeddings deployment.
 */
function azureGateway(id: string) {
  const base = `base_url: ${upstreamUrl}/s/${id}
      secret_key_ref: {env: AZURE_OPENAI_API_KEY}`;
  const config = `
providers:
  targets:
    - id: azure-chat
      provider: azure-openai
      model: gpt-4o
      deployment: prod-gpt4o
      api_version: ${API_VERSION}
      ${base}
    - id: azure-defaults
      provider: azure-openai
      model: gpt-4o-mini
      ${base}
    - id: azure-embeddings
      provider: azure-openai
      model: text-embedding-3-small
      deployment: embed-small
      api_version: ${API_VERSION}
      ${base}
policies:
  chain: [pii-detector]
`;
  return gateway(config, { AZURE_OPENAI_API_KEY: SECRET });
}

type ChunkFrame = { choices: Array<{ delta: { content?: string } }> };

const weatherTool = {
  type: "function" as const,
  function: {
    name: "get_forecast",
    parameters: { type: "object", properties: { city: { type: "string" } } },
  },
};

describe("azure-openai adapter", () => {
  it("calls the deployment URL with api-version and api-key, no model in the body", async () => {
    const id = scriptId("azure-chat");
    await script(id, [{ json: chatAnswer }]);
    const response = await chat(azureGateway(id), {
      model: "gpt-4o",
      messages: [{ role: "user", content: "Capital of France?" }],
    });

    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      id: "chatcmpl-AzR7qK2mT9vXc4LbN8wYp3HdJ6sE",
      object: "chat.completion",
      choices: [
        {
          message: { role: "assistant", content: "The capital of France is Paris." },
          finish_reason: "stop",
        },
      ],
      usage: { prompt_tokens: 14, completion_tokens: 8, total_tokens: 22 },
    });
    const [call] = await received(id);
    expect(call?.path).toBe(
      `/openai/deployments/prod-gpt4o/chat/completions?api-version=${API_VERSION}`,
    );
    expect(call?.headers["api-key"]).toBe(SECRET);
    expect(call?.headers.authorization).toBeUndefined();
    expect(call?.body).not.toHaveProperty("model");
    expect(call?.body.messages).toEqual([{ role: "user", content: "Capital of France?" }]);
  });

  it("uses the model as deployment and the default api-version when unset", async () => {
    const id = scriptId("azure-defaults");
    await script(id, [{ json: chatAnswer }]);
    await chat(azureGateway(id), {
      model: "gpt-4o-mini",
      messages: [{ role: "user", content: "Hi" }],
    });

    const [call] = await received(id);
    expect(call?.path).toBe(
      "/openai/deployments/gpt-4o-mini/chat/completions?api-version=2024-10-21",
    );
  });

  it("sends the prompt upstream with personal data already redacted", async () => {
    const id = scriptId("azure-pii");
    await script(id, [{ json: chatAnswer }]);
    await chat(azureGateway(id), {
      model: "gpt-4o",
      messages: [
        { role: "user", content: "Refund card 4111 1111 1111 1111 for jane.doe@example.com" },
      ],
    });

    const [call] = await received(id);
    const sent = JSON.stringify(call?.body);
    expect(sent).not.toContain("jane.doe@example.com");
    expect(sent).not.toContain("4111 1111 1111 1111");
    expect(call?.body.messages).toEqual([
      { role: "user", content: "Refund card [CREDIT_CARD] for [EMAIL]" },
    ]);
  });

  it("streams text to the openai SDK through the content-filter preamble", async () => {
    const id = scriptId("azure-stream");
    await script(id, [{ sse: sseFrames(textStream), frameDelayMs: 2 }]);
    const stream = await azureGateway(id)
      .client()
      .chat.completions.create({
        model: "gpt-4o",
        stream: true,
        stream_options: { include_usage: true },
        messages: [{ role: "user", content: "Capital of France?" }],
      });
    const answer = await reassemble(stream);

    expect(answer.content).toBe("The capital of France is Paris.");
    expect(answer.finishReason).toBe("stop");
    expect(answer.usage).toMatchObject({
      prompt_tokens: 14,
      completion_tokens: 8,
      total_tokens: 22,
    });
    const [call] = await received(id);
    expect(call?.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    expect(call?.headers["api-key"]).toBe(SECRET);
    expect(call?.headers.authorization).toBeUndefined();
  });

  it("passes tools, tool calls and results through, and the tool call answer back", async () => {
    const id = scriptId("azure-tools");
    await script(id, [{ json: toolCallAnswer }]);
    const messages = [
      { role: "user", content: "Weather in Paris?" },
      {
        role: "assistant",
        content: null,
        tool_calls: [
          {
            id: "call_paris",
            type: "function",
            function: { name: "get_forecast", arguments: '{"city":"Paris"}' },
          },
        ],
      },
      { role: "tool", tool_call_id: "call_paris", content: "sunny, 24C" },
      { role: "user", content: "And Lyon?" },
    ];
    const response = await chat(azureGateway(id), {
      model: "gpt-4o",
      tools: [weatherTool],
      tool_choice: "required",
      messages,
    });

    expect(await response.json()).toMatchObject({
      choices: [
        {
          message: {
            content: null,
            tool_calls: [
              {
                id: "call_Qm4xT8vKc2NwZ7bYp3LdR9sF",
                type: "function",
                function: { name: "get_forecast", arguments: '{"city":"Lyon","days":2}' },
              },
            ],
          },
          finish_reason: "tool_calls",
        },
      ],
    });
    const [call] = await received(id);
    expect(call?.body).toMatchObject({ tools: [weatherTool], tool_choice: "required", messages });
  });

  it("streams tool call arguments that reassemble", async () => {
    const id = scriptId("azure-tool-stream");
    await script(id, [{ sse: sseFrames(toolCallStream) }]);
    const stream = await azureGateway(id)
      .client()
      .chat.completions.create({
        model: "gpt-4o",
        stream: true,
        tools: [weatherTool],
        messages: [{ role: "user", content: "Weather in Lyon?" }],
      });
    const answer = await reassemble(stream);

    expect(answer.toolCalls).toEqual([
      {
        id: "call_Wn5yU9xLd3OaZ8cZq4MeS0tG",
        name: "get_forecast",
        arguments: '{"city":"Lyon","days":2}',
      },
    ]);
    expect(answer.finishReason).toBe("tool_calls");
    expect(answer.usage).toBeUndefined();
  });

  it("ends the client stream with an error frame, then [DONE], on an error event", async () => {
    const id = scriptId("azure-stream-error");
    await script(id, [{ sse: sseFrames(errorStream) }]);
    const response = await chat(azureGateway(id), {
      model: "gpt-4o",
      stream: true,
      messages: [{ role: "user", content: "Tell me a story." }],
    });

    const frames = await readSse(response);
    expect(frames.at(-1)).toBe("[DONE]");
    expect(frames.at(-2)).toMatchObject({ error: { code: "upstream_stream_error" } });
    const text = frames
      .slice(0, -2)
      .map((frame) => (frame as ChunkFrame).choices[0]?.delta.content ?? "")
      .join("");
    expect(text).toMatch(/^Once upon a time, in a village/);
  });

  it("passes an upstream 400 on as an OpenAI-shaped upstream_error", async () => {
    const id = scriptId("azure-400");
    await script(id, [
      {
        status: 400,
        json: {
          error: {
            message:
              "The response was filtered due to the prompt triggering content management policy.",
            type: null,
            param: "prompt",
            code: "content_filter",
            status: 400,
          },
        },
      },
    ]);
    const response = await chat(azureGateway(id), {
      model: "gpt-4o",
      messages: [{ role: "user", content: "Hi" }],
    });

    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      error: {
        code: "upstream_error",
        message: expect.stringContaining("content management policy"),
      },
    });
  });

  it("embeds through the embeddings deployment", async () => {
    const id = scriptId("azure-embeddings");
    await script(id, [{ json: embeddingsAnswer }]);
    const result = await azureGateway(id)
      .client()
      .embeddings.create({
        model: "text-embedding-3-small",
        input: ["first text", "second text"],
        encoding_format: "float",
      });

    expect(result.data.map((item) => item.embedding)).toEqual([
      [0.0023, -0.0091, 0.0154, -0.0042],
      [-0.0107, 0.0066, -0.0019, 0.0128],
    ]);
    expect(result.usage).toEqual({ prompt_tokens: 7, total_tokens: 7 });
    const [call] = await received(id);
    expect(call?.path).toBe(
      `/openai/deployments/embed-small/embeddings?api-version=${API_VERSION}`,
    );
    expect(call?.headers["api-key"]).toBe(SECRET);
    expect(call?.headers.authorization).toBeUndefined();
    expect(call?.body).toEqual({ input: ["first text", "second text"], encoding_format: "float" });
  });
});
