import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import OpenAI from "openai";
import { inject } from "vitest";
import worker from "../index.ts";
import type { GatewayEnv } from "../env.ts";

/** The fake provider started by global-setup.ts. */
export const upstreamUrl = inject("upstreamUrl");

let counter = 0;
/** A fresh id for scripting the fake upstream, unique across the run. */
export function scriptId(label: string): string {
  counter += 1;
  return `${label}-${Date.now().toString(36)}-${counter}`;
}

/** Scripts the fake upstream's next answers for `id` (see test-support/fake-upstream.ts). */
export async function script(id: string, responses: unknown[]): Promise<void> {
  const response = await fetch(`${upstreamUrl}/_script/${id}`, {
    method: "POST",
    body: JSON.stringify(responses),
  });
  if (response.status !== 204)
    throw new Error(`could not script the fake upstream: ${response.status}`);
}

/** What the fake upstream received for `id`. */
export async function received(
  id: string,
): Promise<
  Array<{ path: string; headers: Record<string, string>; body: Record<string, unknown> }>
> {
  return (await fetch(`${upstreamUrl}/_received/${id}`)).json();
}

/** A gateway under test: the real worker's fetch, run with the given config and extra bindings. */
export interface TestGateway {
  fetch(input: string, init?: RequestInit): Promise<Response>;
  /** Waits for everything the worker left running (decision events). */
  settle(): Promise<void>;
  client(): OpenAI;
}

/** Runs the real gateway worker inside workerd with a config given as YAML text. */
export function gateway(configYaml: string, bindings: Record<string, unknown> = {}): TestGateway {
  const contexts: ExecutionContext[] = [];
  const testEnv = {
    ...env,
    KEEPTRUSTS_AUTH: "optional",
    KEEPTRUSTS_POLICY_CONFIG: configYaml,
    ...bindings,
  } as GatewayEnv;
  const send = async (input: string, init?: RequestInit) => {
    const context = createExecutionContext();
    contexts.push(context);
    const url = new URL(input, "http://gateway.test");
    return worker.fetch(new Request(url, init), testEnv, context);
  };
  return {
    fetch: send,
    async settle() {
      await Promise.all(contexts.map((context) => waitOnExecutionContext(context)));
    },
    client() {
      return new OpenAI({
        apiKey: "kt_test_client_key",
        baseURL: "http://gateway.test/v1",
        maxRetries: 0,
        fetch: (input, init) =>
          send(String(input instanceof Request ? input.url : input), init as RequestInit),
      });
    },
  };
}

/** Sends a chat completion with plain fetch and returns the response. */
export function chat(
  gw: TestGateway,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return gw.fetch("/v1/chat/completions", {
    method: "POST",
    headers: {
      "content-type": "application/json",
      authorization: "Bearer client-secret",
      ...headers,
    },
    body: JSON.stringify(body),
  });
}

/** Reads an SSE body into its `data:` payloads (JSON-parsed, `[DONE]` kept as a string). */
export async function readSse(response: Response): Promise<unknown[]> {
  const text = await response.text();
  return text
    .split("\n\n")
    .map((frame) => frame.trim())
    .filter((frame) => frame.startsWith("data: "))
    .map((frame) => frame.slice(6))
    .map((data) => (data === "[DONE]" ? data : JSON.parse(data)));
}

/** Waits until the decision event of a request has landed in D1 through the queue. */
export async function storedEvent(
  requestId: string,
  timeoutMs = 5_000,
): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const row = await env.DB.prepare("SELECT * FROM decision_events WHERE request_id = ?")
      .bind(requestId)
      .first();
    if (row) return row;
    if (Date.now() > deadline) throw new Error(`no decision event stored for ${requestId}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
