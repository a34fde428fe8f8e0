import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { consumeEvents } from "../events/consume-events.ts";
import worker from "../index.ts";
import { sampleEvent } from "./fixtures.ts";

async function storedCount(prefix: string): Promise<number> {
  const row = await env.DB.prepare(
    "SELECT COUNT(*) AS n FROM decision_events WHERE request_id LIKE ?",
  )
    .bind(`${prefix}%`)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

describe("the queue consumer", () => {
  it("stores packed messages and single events, each once, and reports what is not an event", async () => {
    const stamp = Date.now();
    const prefix = `req_pack_${stamp}_`;
    const one = sampleEvent(`${prefix}1`, `gw_pack_${stamp}`, stamp, "a");
    const two = sampleEvent(`${prefix}2`, `gw_pack_${stamp}`, stamp + 1, "b");
    const three = sampleEvent(`${prefix}3`, `gw_pack_${stamp}`, stamp + 2, "c");
    const batch = createMessageBatch<unknown>("keeptrusts-events", [
      { id: "p1", timestamp: new Date(), attempts: 1, body: [one, { not: "an event" }, two] },
      // A redelivered packed message, and a single event from an older gateway.
      { id: "p2", timestamp: new Date(), attempts: 2, body: [one] },
      { id: "p3", timestamp: new Date(), attempts: 1, body: three },
      { id: "p4", timestamp: new Date(), attempts: 1, body: [42, "x"] },
      { id: "p5", timestamp: new Date(), attempts: 1, body: [] },
    ]);
    const context = createExecutionContext();
    const reports: unknown[] = [];
    const original = console.error;
    console.error = (line: string) => reports.push(JSON.parse(line));
    try {
      await worker.queue(batch, env);
    } finally {
      console.error = original;
    }
    const result = await getQueueResult(batch, context);
    expect(result.explicitAcks).toEqual(["p4", "p5"]);
    expect(result.ackAll).toBe(true);
    expect(result.retryMessages).toEqual([]);
    expect(await storedCount(prefix)).toBe(3);
    expect(reports).toEqual([
      {
        level: "error",
        message: "dropped queue content that is not a decision event",
        id: "p1",
        count: 1,
      },
      {
        level: "error",
        message: "dropped queue content that is not a decision event",
        id: "p4",
        count: 2,
      },
    ]);
  });

  it("retries the stored events when D1 fails, and keeps a dropped message acked", async () => {
    const stamp = Date.now();
    const failing = {
      prepare: (query: string) => env.DB.prepare(query),
      batch: () => Promise.reject(new Error("D1 is down")),
    } as unknown as D1Database;
    const batch = createMessageBatch<unknown>("keeptrusts-events", [
      {
        id: "f1",
        timestamp: new Date(),
        attempts: 1,
        body: sampleEvent(`req_f1_${stamp}`, "gw_f", stamp, "a"),
      },
      {
        id: "f2",
        timestamp: new Date(),
        attempts: 1,
        body: sampleEvent(`req_f2_${stamp}`, "gw_f", stamp, "b"),
      },
      { id: "f3", timestamp: new Date(), attempts: 1, body: "not an event" },
    ]);
    const context = createExecutionContext();
    await consumeEvents(batch, failing);
    const result = await getQueueResult(batch, context);
    expect(result.ackAll).toBe(false);
    expect(result.explicitAcks).toEqual(["f3"]);
    expect(result.retryMessages.map((message) => message.msgId).sort()).toEqual(["f1", "f2"]);
  });
});
