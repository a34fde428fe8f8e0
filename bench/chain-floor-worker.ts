import { Hono } from "hono";
import { compileChain, outputScanner, parseConfig, runInput } from "../workers/policy/index.ts";
import type { ChatMessage, CompiledChain } from "../workers/policy/index.ts";

/**
 * The floor of a governed gateway, for the profiler: the pass-through worker
 * plus only the work governance cannot skip. It parses the request, runs the
 * config's input chain on the messages, forwards the (redacted) body, parses
 * the answer, runs the output policies on it and answers JSON. No middleware,
 * validation, routing, metering, headers or decision events: what the real
 * gateway spends beyond this floor is its own plumbing.
 */
const app = new Hono<{ Bindings: { UPSTREAM_URL: string; KEEPTRUSTS_POLICY_CONFIG: string } }>();

let compiled: CompiledChain | undefined;

function chainOf(text: string): CompiledChain {
  if (compiled) return compiled;
  const parsed = parseConfig(text);
  if (!parsed.ok) throw new Error("the floor worker's config is invalid");
  compiled = compileChain(parsed.config);
  return compiled;
}

interface Answer {
  choices: { message: { content: string | null } }[];
}

app.post("/v1/chat/completions", async (c) => {
  const chain = chainOf(c.env.KEEPTRUSTS_POLICY_CONFIG);
  const body = await c.req.json<{ model: string; messages: ChatMessage[] }>();
  const context = { identity: {}, model: body.model };
  const input = runInput(chain, body.messages, context);
  if (input.action === "block") return c.json({ error: { code: "policy_blocked" } }, 403);
  const response = await fetch(new URL("/v1/chat/completions", c.env.UPSTREAM_URL), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ ...body, messages: input.messages }),
  });
  const answer = (await response.json()) as Answer;
  const output = outputScanner(chain, context, input.tokens);
  if (output)
    answer.choices.forEach((choice, index) => {
      const content = choice.message.content;
      if (content) choice.message.content = output.scanner.scan(content, index).text;
    });
  return c.json(answer, 200, { "x-keeptrusts-verdict": input.action });
});

/** The worker's module export (Hono's `fetch`). */
export default app;
