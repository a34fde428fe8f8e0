import { decisionEventSchema } from "../workers/gateway/events/decision-event.ts";
import {
  chatRequestSchema,
  upstreamCompletionSchema,
} from "../workers/gateway/providers/openai-shapes.ts";
import {
  compileChain,
  outputScanner,
  parseConfig,
  runInput,
  StreamWindow,
  type ChatMessage,
  type CompiledChain,
  type PolicyContext,
} from "../workers/policy/index.ts";
import { completionBody, STREAM_DELTAS } from "./fake-provider.ts";
import { median } from "./stats.ts";
import { chainOnConfig, ID_PLACEHOLDER, JSON_BODY, uniqueId } from "./workload.ts";

/**
 * Micro-benchmarks, in Node, of the pure pieces one gateway request runs: body
 * parsing and validation, the input chain, the output scan, the stream window,
 * and the decision event's validation by the queue consumer. They say how much
 * of the gateway's per-request CPU is the policy engine and how much is not.
 */

/** The cost of one piece, per request. */
export interface MicroResult {
  piece: string;
  where: string;
  microseconds: number;
}

function timeIt(budgetMs: number, work: () => unknown): number {
  for (let warm = 0; warm < 200; warm += 1) work();
  const rounds: number[] = [];
  for (let batch = 0; batch < 5; batch += 1) {
    let count = 0;
    const started = performance.now();
    let elapsed = 0;
    while (elapsed < budgetMs / 5 && count < 1_000_000) {
      work();
      count += 1;
      elapsed = performance.now() - started;
    }
    rounds.push((elapsed * 1000) / count);
  }
  return median(rounds);
}

function chain(): CompiledChain {
  const parsed = parseConfig(chainOnConfig("http://127.0.0.1:9"));
  if (!parsed.ok) throw new Error("bench config is invalid");
  return compileChain(parsed.config);
}

/** A decision event shaped like the one the gateway sends for the bench request. */
function sampleEvent(messages: readonly ChatMessage[]) {
  return {
    request_id: "req_0123456789abcdef0123456789abcdef",
    created_at: Date.now(),
    identity: { org_id: null, team_id: null, user_id: null, key_id: null },
    gateway_id: null,
    config: { name: "bench-chain-on", version: "0.0.0", hash: "0".repeat(64) },
    endpoint: "chat.completions",
    model: "bench-model",
    target_id: "fake-provider",
    provider: "openai",
    stream: false,
    verdict: "redact",
    status: 200,
    error_code: null,
    blocked_by: null,
    policies: [
      { policy: "prompt-injection", phase: "input", action: "allow", findings: [] },
      {
        policy: "pii-detector",
        phase: "input",
        action: "redact",
        findings: Array.from({ length: 5 }, (_, index) => ({
          type: "email",
          category: "pii",
          messageIndex: 1,
          field: "content",
          start: index * 10,
          end: index * 10 + 8,
        })),
      },
    ],
    attempts: [{ target: "fake-provider", outcome: "ok", status: 200, ms: 1.2 }],
    policy_ms: 0.05,
    upstream_ms: 1.2,
    usage: { prompt_tokens: 612, completion_tokens: 48, total_tokens: 660 },
    content: { messages, answer: "redacted answer" },
    retention_days: 90,
  };
}

/** Times each piece for about `budgetMs`; returns microseconds per request. */
export function benchPieces(budgetMs: number): MicroResult[] {
  const compiled = chain();
  const context: PolicyContext = { identity: {}, model: "bench-model" };
  const body = JSON.parse(JSON_BODY) as { messages: ChatMessage[] };
  const answerText = completionBody().toString("utf8");
  const answer = JSON.parse(answerText) as unknown;
  const output = outputScanner(compiled, context);
  if (!output) throw new Error("the bench chain has no output scanner");
  const redacted = runInput(compiled, body.messages, context).messages;
  const event = sampleEvent(redacted);
  let counter = 0;
  // A prompt of its own per run, as in the load runs: prompt-injection's cache cannot answer.
  const freshMessages = () => {
    counter += 1;
    const id = uniqueId(counter);
    return body.messages.map((message) =>
      typeof message.content === "string"
        ? { ...message, content: message.content.replace(ID_PLACEHOLDER, id) }
        : message,
    );
  };
  const pieces: Array<[string, string, () => unknown]> = [
    ["JSON.parse of the 2.3 KB request", "hono c.req.json()", () => JSON.parse(JSON_BODY)],
    [
      "chatRequestSchema.safeParse",
      "workers/gateway/routes/read-json.ts readJson",
      () => chatRequestSchema.safeParse(JSON.parse(JSON_BODY)),
    ],
    [
      "runInput (prompt-injection + pii-detector + audit-logger)",
      "workers/policy/chain.ts runInput",
      () => runInput(compiled, freshMessages(), context),
    ],
    [
      "JSON.stringify of the upstream body",
      "workers/gateway/providers/openai-compatible.ts post",
      () => JSON.stringify({ ...body, messages: redacted }),
    ],
    [
      "upstreamCompletionSchema.safeParse of the answer",
      "workers/gateway/providers/openai-compatible.ts parseChat",
      () => upstreamCompletionSchema.safeParse(JSON.parse(answerText)),
    ],
    [
      "output scan of the answer",
      "workers/policy/chain.ts outputScanner().scan",
      () =>
        output.scanner.scan(
          (answer as { choices: [{ message: { content: string } }] }).choices[0].message.content,
          0,
        ),
    ],
    [
      "StreamWindow over the 5 streamed deltas",
      "workers/policy/stream-window.ts StreamWindow.push/flush",
      () => {
        const window = new StreamWindow(output.scanner, 0);
        for (const delta of STREAM_DELTAS) window.push(delta);
        return window.flush();
      },
    ],
    [
      "JSON.stringify of the decision event",
      "queue send (serialisation)",
      () => JSON.stringify(event),
    ],
    [
      "decisionEventSchema.safeParse (consumer)",
      "workers/gateway/events/consume-events.ts",
      () => decisionEventSchema.safeParse(event),
    ],
  ];
  return pieces.map(([piece, where, work]) => ({
    piece,
    where,
    microseconds: timeIt(budgetMs, work),
  }));
}
