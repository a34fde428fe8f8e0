import { describe, expect, it } from "vitest";
import { chat, gateway, readSse, storedEvent } from "./gateway.ts";

const config = `
providers:
  targets:
    - {id: mock, provider: mock, model: mock-echo}
policies:
  chain: [prompt-injection, pii-detector, audit-logger]
`;

describe("smoke", () => {
  it("answers through the mock", async () => {
    const gw = gateway(config);
    const response = await chat(gw, {
      model: "mock-echo",
      messages: [{ role: "user", content: "hi me@example.com" }],
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { choices: Array<{ message: { content: string } }> };
    expect(body.choices[0]?.message.content).toBe("Echo: hi [EMAIL]");
    await gw.settle();
    const id = response.headers.get("x-keeptrusts-request-id") ?? "";
    const row = await storedEvent(id);
    expect(row.verdict).toBe("redact");
  });
  it("streams", async () => {
    const gw = gateway(config);
    const response = await chat(gw, {
      model: "mock-echo",
      stream: true,
      messages: [{ role: "user", content: "hello there world" }],
    });
    const frames = await readSse(response);
    expect(frames.at(-1)).toBe("[DONE]");
    const client = gw.client();
    const completion = await client.chat.completions.create({
      model: "mock-echo",
      messages: [{ role: "user", content: "x" }],
    });
    expect(completion.choices[0]?.message.content).toBe("Echo: x");
  });
});
