import { describe, expect, it } from "vitest";
import type { DecisionEvent } from "../events/decision-event.ts";
import { queueEvent } from "../events/event-batches.ts";

function event(requestId: string, content: DecisionEvent["content"] = null): DecisionEvent {
  return {
    request_id: requestId,
    created_at: Date.now(),
    identity: { org_id: null, team_id: null, user_id: null, key_id: null },
    gateway_id: null,
    config: { name: "p", version: "1", hash: "ab".repeat(32) },
    endpoint: "chat.completions",
    model: "gpt-test",
    target_id: null,
    provider: null,
    stream: false,
    verdict: "allow",
    status: 200,
    error_code: null,
    blocked_by: null,
    policies: [],
    attempts: [],
    policy_ms: 0.1,
    upstream_ms: null,
    usage: null,
    content,
    retention_days: null,
    shadow: null,
  };
}

/** A queue binding that records what it was given, and fails batches when told to. */
function recordingQueue(options: { failBatches?: boolean; failIds?: string[] } = {}) {
  const sends: string[] = [];
  const batches: string[][] = [];
  const queue = {
    async send(body: DecisionEvent) {
      if (options.failIds?.includes(body.request_id)) throw new Error("refused");
      sends.push(body.request_id);
    },
    async sendBatch(messages: Array<{ body: DecisionEvent }>) {
      if (options.failBatches) throw new Error("batch refused");
      batches.push(messages.map((message) => message.body.request_id));
    },
  } as unknown as Queue;
  return { queue, sends, batches };
}

describe("queueing decision events", () => {
  it("sends the events of concurrent requests in one batch", async () => {
    const { queue, sends, batches } = recordingQueue();
    await Promise.all(["a", "b", "c"].map((id) => queueEvent(queue, event(id))));
    expect(batches).toEqual([["a", "b", "c"]]);
    expect(sends).toEqual([]);
    // The next event opens a new batch.
    await queueEvent(queue, event("d"));
    expect(batches).toEqual([["a", "b", "c"], ["d"]]);
  });

  it("keeps each queue binding's events apart", async () => {
    const first = recordingQueue();
    const second = recordingQueue();
    await Promise.all([
      queueEvent(first.queue, event("a")),
      queueEvent(second.queue, event("b")),
      queueEvent(first.queue, event("c")),
    ]);
    expect(first.batches).toEqual([["a", "c"]]);
    expect(second.batches).toEqual([["b"]]);
  });

  it("sends each event alone when the batch is refused, and logs the ones refused again", async () => {
    const { queue, sends, batches } = recordingQueue({ failBatches: true, failIds: ["b"] });
    const errors: string[] = [];
    const original = console.error;
    console.error = (line: string) => errors.push(line);
    try {
      await Promise.all(["a", "b", "c"].map((id) => queueEvent(queue, event(id))));
    } finally {
      console.error = original;
    }
    expect(batches).toEqual([]);
    expect(sends.sort()).toEqual(["a", "c"]);
    expect(errors.map((line) => JSON.parse(line))).toEqual([
      { level: "error", request_id: "b", message: "decision event not delivered" },
    ]);
  });

  it("sends a large event alone, and splits batches that would be too large", async () => {
    const { queue, sends, batches } = recordingQueue();
    const big = { messages: [{ role: "user", content: "x".repeat(60_000) }], answer: null };
    const medium = { messages: [{ role: "user", content: "é".repeat(30_000) }], answer: null };
    await Promise.all([
      queueEvent(queue, event("big", big)),
      ...["m1", "m2", "m3", "m4"].map((id) => queueEvent(queue, event(id, medium))),
    ]);
    expect(sends).toEqual(["big"]);
    expect(batches).toEqual([["m1", "m2", "m3"], ["m4"]]);
  });
});
