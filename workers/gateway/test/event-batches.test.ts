import { describe, expect, it } from "vitest";
import type { DecisionEvent } from "../events/decision-event.ts";
import { queueEvent } from "../events/event-batches.ts";
import { bareEvent } from "./fixtures.ts";

/**
 * A queue binding that records what it was given (each call: its messages, each
 * message: the request ids it packs), and refuses batches or sends when told to.
 */
function recordingQueue(
  options: { refuseBatches?: number; refuseSendsOf?: string[]; refuseAll?: boolean } = {},
) {
  const sends: string[][] = [];
  const batches: string[][][] = [];
  let refused = 0;
  const ids = (body: DecisionEvent[]) => body.map((event) => event.request_id);
  const queue = {
    async send(body: DecisionEvent[]) {
      if (options.refuseAll || ids(body).some((id) => options.refuseSendsOf?.includes(id)))
        throw new Error("refused");
      sends.push(ids(body));
    },
    async sendBatch(messages: Array<{ body: DecisionEvent[] }>) {
      if (options.refuseAll || refused < (options.refuseBatches ?? 0)) {
        refused++;
        throw new Error("batch refused");
      }
      batches.push(messages.map((message) => ids(message.body)));
    },
  } as unknown as Queue;
  return { queue, sends, batches, refusals: () => refused };
}

/** Runs `work` with console.error captured as parsed JSON lines. */
async function capturingErrors(work: () => Promise<unknown>): Promise<unknown[]> {
  const lines: unknown[] = [];
  const original = console.error;
  console.error = (line: string) => lines.push(JSON.parse(line));
  try {
    await work();
  } finally {
    console.error = original;
  }
  return lines;
}

const QUICK_RETRIES = [1, 2];

describe("queueing decision events", () => {
  it("packs the events of concurrent requests into one message of one batch", async () => {
    const { queue, sends, batches } = recordingQueue();
    await Promise.all(["a", "b", "c"].map((id) => queueEvent(queue, bareEvent(id))));
    expect(batches).toEqual([[["a", "b", "c"]]]);
    expect(sends).toEqual([]);
    // The next event opens a new batch.
    await queueEvent(queue, bareEvent("d"));
    expect(batches).toEqual([[["a", "b", "c"]], [["d"]]]);
  });

  it("keeps each queue binding's events apart", async () => {
    const first = recordingQueue();
    const second = recordingQueue();
    await Promise.all([
      queueEvent(first.queue, bareEvent("a")),
      queueEvent(second.queue, bareEvent("b")),
      queueEvent(first.queue, bareEvent("c")),
    ]);
    expect(first.batches).toEqual([[["a", "c"]]]);
    expect(second.batches).toEqual([[["b"]]]);
  });

  it("tries a refused batch again after a pause, and loses nothing", async () => {
    const { queue, sends, batches, refusals } = recordingQueue({ refuseBatches: 2 });
    const errors = await capturingErrors(() =>
      Promise.all(["a", "b", "c"].map((id) => queueEvent(queue, bareEvent(id), QUICK_RETRIES))),
    );
    expect(refusals()).toBe(2);
    expect(batches).toEqual([[["a", "b", "c"]]]);
    expect(sends).toEqual([]);
    expect(errors).toEqual([
      {
        level: "warn",
        message: "the queue refused decision events; trying again",
        events: 3,
        error: "batch refused",
      },
    ]);
  });

  it("after the last retry sends message by message, and logs each event still refused", async () => {
    const medium = { messages: [{ role: "user", content: "é".repeat(2_000) }], answer: null };
    const { queue, sends, batches, refusals } = recordingQueue({
      refuseBatches: 99,
      refuseSendsOf: ["b"],
    });
    const errors = await capturingErrors(() =>
      Promise.all(
        ["a", "b", "c"].map((id) => queueEvent(queue, bareEvent(id, medium), QUICK_RETRIES)),
      ),
    );
    expect(refusals()).toBe(1 + QUICK_RETRIES.length);
    expect(batches).toEqual([]);
    // ~5.4 KB each (as `queuedBytes` counts): two fit in a 12 KB message, the third does not.
    expect(sends).toEqual([["c"]]);
    expect(errors.slice(1)).toEqual([
      { level: "error", request_id: "a", message: "decision event not delivered" },
      { level: "error", request_id: "b", message: "decision event not delivered" },
    ]);
  });

  it("packs up to 12 KB per message, sends a large event alone and splits large batches", async () => {
    const { queue, sends, batches } = recordingQueue();
    const big = { messages: [{ role: "user", content: "x".repeat(60_000) }], answer: null };
    const medium = { messages: [{ role: "user", content: "é".repeat(30_000) }], answer: null };
    const small = ["s1", "s2", "s3"];
    await Promise.all([
      queueEvent(queue, bareEvent("big", big)),
      ...["m1", "m2", "m3", "m4"].map((id) => queueEvent(queue, bareEvent(id, medium))),
    ]);
    const fifth = { messages: [{ role: "user", content: "é".repeat(1_000) }], answer: null };
    await Promise.all([
      ...small.map((id) => queueEvent(queue, bareEvent(id))),
      ...["f1", "f2", "f3", "f4", "f5"].map((id) => queueEvent(queue, bareEvent(id, fifth))),
    ]);
    expect(sends).toEqual([]);
    expect(batches).toEqual([
      [["big"]],
      [["m1"], ["m2"], ["m3"]],
      [["m4"]],
      // 1.2 KB each without text, 3.4 KB with: 12 KB holds the small ones and two more.
      [
        [...small, "f1", "f2"],
        ["f3", "f4", "f5"],
      ],
    ]);
  });
});
