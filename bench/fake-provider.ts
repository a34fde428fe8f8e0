import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";

/**
 * The benchmark's upstream: a plain Node `http` server with keep-alive that
 * answers every `POST …/chat/completions` with canned OpenAI bytes. It reads the
 * body only to look for `"stream":true` (no JSON parsing), so its own cost per
 * request stays small and constant whichever target calls it.
 */

/** The 5 streamed content deltas. The last two split a phone number, so the gateway's holdback window has real work. */
export const STREAM_DELTAS = [
  "Sure! Here is the summary you asked for. ",
  "The customer can be reached at support@example.org for follow-up. ",
  "Their callback number is +1 415 ",
  "555 0100 during office hours. ",
  "Let me know if you need anything else. ",
] as const;

/** The non-streamed answer (with an email, so output redaction does real work). */
export const ANSWER_TEXT =
  "Summary: the customer asked to update the billing address and the card on file. " +
  "Follow-up goes to billing-team@example.org within two business days. " +
  "No further action is needed from the account manager at this stage.";

const CREATED = 1_767_225_600;
const USAGE = { prompt_tokens: 612, completion_tokens: 48, total_tokens: 660 };

function chunk(content: string | undefined, finish: string | null, first: boolean): string {
  const delta = content === undefined ? {} : first ? { role: "assistant", content } : { content };
  return JSON.stringify({
    id: "chatcmpl-bench",
    object: "chat.completion.chunk",
    created: CREATED,
    model: "bench-model",
    choices: [{ index: 0, delta, finish_reason: finish }],
  });
}

/** The canned SSE frames: 5 content chunks (the last with `finish_reason`), then usage, then `[DONE]`. */
export function streamFrames(): Buffer[] {
  const frames = STREAM_DELTAS.map(
    (text, index) =>
      `data: ${chunk(text, index === STREAM_DELTAS.length - 1 ? "stop" : null, index === 0)}\n\n`,
  );
  const usage = JSON.stringify({
    id: "chatcmpl-bench",
    object: "chat.completion.chunk",
    created: CREATED,
    model: "bench-model",
    choices: [],
    usage: USAGE,
  });
  const last = frames.length - 1;
  frames[last] = `${frames[last] ?? ""}data: ${usage}\n\ndata: [DONE]\n\n`;
  return frames.map((frame) => Buffer.from(frame));
}

/** The canned non-streamed chat completion, as bytes. */
export function completionBody(): Buffer {
  return Buffer.from(
    JSON.stringify({
      id: "chatcmpl-bench",
      object: "chat.completion",
      created: CREATED,
      model: "bench-model",
      choices: [
        {
          index: 0,
          message: { role: "assistant", content: ANSWER_TEXT },
          finish_reason: "stop",
        },
      ],
      usage: USAGE,
    }),
  );
}

const STREAM_FLAG = Buffer.from('"stream":true');
const NOT_FOUND = Buffer.from('{"error":{"message":"not found","type":"not_found_error"}}');

/** Options of {@link startFakeProvider}. */
export interface FakeProviderOptions {
  host?: string;
  port?: number;
  /** Milliseconds between streamed content chunks (10 by default). */
  chunkDelayMs?: number;
}

/** Starts the fake provider in this process; resolves once it listens. */
export async function startFakeProvider(
  options: FakeProviderOptions = {},
): Promise<{ server: Server; port: number }> {
  const json = completionBody();
  const frames = streamFrames();
  const delay = options.chunkDelayMs ?? 10;

  const stream = (response: ServerResponse) => {
    response.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache",
    });
    const started = performance.now();
    let next = 0;
    const send = () => {
      if (response.destroyed) return;
      const frame = frames[next];
      if (!frame) return;
      next += 1;
      if (next === frames.length) {
        response.end(frame);
        return;
      }
      response.write(frame);
      // Scheduled against the start, so timer lateness does not add up over the stream.
      setTimeout(send, Math.max(0, started + next * delay - performance.now()));
    };
    send();
  };

  const answer = (request: IncomingMessage, response: ServerResponse, body: Buffer) => {
    if (request.method !== "POST" || !request.url?.endsWith("/chat/completions")) {
      response.writeHead(404, { "content-type": "application/json" });
      response.end(NOT_FOUND);
      return;
    }
    if (body.includes(STREAM_FLAG)) {
      stream(response);
      return;
    }
    response.writeHead(200, {
      "content-type": "application/json",
      "content-length": json.length,
    });
    response.end(json);
  };

  const server = createServer({ keepAlive: true, noDelay: true }, (request, response) => {
    const parts: Buffer[] = [];
    request.on("data", (part: Buffer) => parts.push(part));
    request.on("end", () =>
      answer(request, response, parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts)),
    );
  });
  server.keepAliveTimeout = 120_000;
  server.headersTimeout = 125_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", resolve);
  });
  return { server, port: (server.address() as AddressInfo).port };
}

/** Run as its own process (`node bench/fake-provider.ts [--port N]`), so its CPU can be measured apart. */
async function main(): Promise<void> {
  const portFlag = process.argv.indexOf("--port");
  const delayFlag = process.argv.indexOf("--chunk-delay-ms");
  const { port } = await startFakeProvider({
    port: portFlag > 0 ? Number(process.argv[portFlag + 1]) : 0,
    chunkDelayMs: delayFlag > 0 ? Number(process.argv[delayFlag + 1]) : 10,
  });
  process.stdout.write(`${JSON.stringify({ port })}\n`);
  process.on("SIGTERM", () => process.exit(0));
  // The parent holds our stdin: when it goes away (even killed), so do we.
  process.stdin.on("end", () => process.exit(0));
  process.stdin.resume();
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
