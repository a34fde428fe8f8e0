import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** One scripted answer of the fake upstream. */
export interface ScriptedResponse {
  status?: number;
  headers?: Record<string, string>;
  /** A JSON body. */
  json?: unknown;
  /** Raw SSE frames (each written followed by a blank line), e.g. `data: {...}` or `event: x\ndata: {...}`. */
  sse?: string[];
  /** Milliseconds to wait before the headers (timeouts) and between SSE frames. */
  delayMs?: number;
  frameDelayMs?: number;
  /** After this many SSE frames, stop sending but keep the connection open (a stalled provider). */
  stallAfter?: number;
  /** After this many SSE frames, destroy the connection (a broken provider). */
  dropAfter?: number;
}

/** What the fake upstream received, so tests can check what left the gateway. */
export interface ReceivedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

const sleep = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

async function readBody(request: IncomingMessage): Promise<unknown> {
  const parts: Buffer[] = [];
  for await (const part of request) parts.push(part as Buffer);
  const text = Buffer.concat(parts).toString("utf8");
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return text;
  }
}

function echo(body: unknown): ScriptedResponse {
  const request = body as {
    model?: string;
    stream?: boolean;
    messages?: Array<{ role: string; content?: unknown }>;
  };
  const last = [...(request.messages ?? [])].reverse().find((message) => message.role === "user");
  const content = `echo: ${typeof last?.content === "string" ? last.content : ""}`;
  const usage = { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 };
  if (!request.stream) {
    return {
      json: {
        id: "chatcmpl-fake",
        object: "chat.completion",
        created: 1,
        model: request.model,
        choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop" }],
        usage,
      },
    };
  }
  const frame = (choices: unknown[], extra: object = {}) =>
    `data: ${JSON.stringify({ id: "chatcmpl-fake", object: "chat.completion.chunk", created: 1, model: request.model, choices, ...extra })}`;
  return {
    sse: [
      frame([{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }]),
      frame([{ index: 0, delta: { content }, finish_reason: null }]),
      frame([{ index: 0, delta: {}, finish_reason: "stop" }]),
      frame([], { usage }),
      "data: [DONE]",
    ],
  };
}

async function answer(response: ServerResponse, script: ScriptedResponse): Promise<void> {
  if (script.delayMs) await sleep(script.delayMs);
  if (script.sse) {
    response.writeHead(script.status ?? 200, {
      "content-type": "text/event-stream",
      ...script.headers,
    });
    response.flushHeaders();
    for (const [index, frame] of script.sse.entries()) {
      if (script.dropAfter !== undefined && index >= script.dropAfter) {
        response.socket?.destroy();
        return;
      }
      if (script.stallAfter !== undefined && index >= script.stallAfter) return;
      if (index > 0 && script.frameDelayMs) await sleep(script.frameDelayMs);
      response.write(`${frame}\n\n`);
    }
    response.end();
    return;
  }
  response.writeHead(script.status ?? 200, {
    "content-type": "application/json",
    ...script.headers,
  });
  response.end(JSON.stringify(script.json ?? {}));
}

/**
 * A fake provider that speaks real HTTP and SSE on loopback. Tests script it:
 * `POST /_script/ID` with a list of responses, then point a target's base_url at
 * `/s/ID`; calls are answered in order (the last repeats), or echoed OpenAI-style
 * when nothing is scripted. `GET /_received/ID` lists what it was sent.
 */
export async function startFakeUpstream(port = 0): Promise<{ url: string; server: Server }> {
  const scripts = new Map<string, ScriptedResponse[]>();
  const received = new Map<string, ReceivedRequest[]>();
  const server = createServer((request, response) => {
    void (async () => {
      const url = new URL(request.url ?? "/", "http://fake");
      const body = await readBody(request);
      const script = /^\/_script\/([^/]+)$/.exec(url.pathname);
      if (script?.[1] && request.method === "POST") {
        scripts.set(script[1], body as ScriptedResponse[]);
        received.set(script[1], []);
        response.writeHead(204).end();
        return;
      }
      const seen = /^\/_received\/([^/]+)$/.exec(url.pathname);
      if (seen?.[1]) {
        response
          .writeHead(200, { "content-type": "application/json" })
          .end(JSON.stringify(received.get(seen[1]) ?? []));
        return;
      }
      const call = /^\/s\/([^/]+)(\/.*)$/.exec(url.pathname);
      const id = call?.[1] ?? "default";
      const log = received.get(id) ?? [];
      log.push({
        method: request.method ?? "GET",
        path: `${call?.[2] ?? url.pathname}${url.search}`,
        headers: request.headers,
        body,
      });
      received.set(id, log);
      const queue = scripts.get(id);
      const next = queue && queue.length > 1 ? queue.shift() : queue?.[0];
      await answer(response, next ?? echo(body));
    })().catch(() => response.destroy());
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const { port: bound } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${bound}`, server };
}
