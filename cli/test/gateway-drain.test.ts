import { readFile, rm } from "node:fs/promises";
import path from "node:path";
import { Log, LogLevel, Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGateway } from "../runtime/start-gateway.ts";
import { KT, ROOT, startNode, temporaryFolder } from "./run-kt.ts";

/**
 * A stopping gateway stores the decision events already handed to it: miniflare's
 * local queue keeps unconsumed messages in memory only, and its consumer takes a
 * batch up to a second after the batch's first event, so a stop that disposed at
 * once lost the events of the last second of requests.
 */

const STARTUP_MS = 120_000;
const BURST = 50;
const CONFIG = path.join(ROOT, "examples/first-gateway.yaml");

/** Sends `BURST` concurrent chat completions; resolves with their request ids. */
async function burst(origin: string): Promise<string[]> {
  const answers = await Promise.all(
    Array.from({ length: BURST }, async (_, index) => {
      const response = await fetch(`${origin}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          model: "mock-echo",
          messages: [{ role: "user", content: `request ${index}: mail ann@example.com` }],
        }),
      });
      await response.arrayBuffer();
      expect(response.status).toBe(200);
      return response.headers.get("x-keeptrusts-request-id") ?? "";
    }),
  );
  expect(new Set(answers).size).toBe(BURST);
  return answers;
}

/** The request ids stored in the D1 a gateway persisted to `persistTo`, read with a bare miniflare. */
async function storedRequestIds(persistTo: string): Promise<Set<string>> {
  const miniflare = new Miniflare({
    modules: true,
    script: "export default { fetch: () => new Response(null, { status: 204 }) };",
    log: new Log(LogLevel.WARN),
    d1Databases: { DB: "keeptrusts" },
    d1Persist: path.join(persistTo, "d1"),
  });
  try {
    const database = await miniflare.getD1Database("DB");
    const rows = await database
      .prepare("SELECT request_id FROM decision_events")
      .all<{ request_id: string }>();
    return new Set(rows.results.map((row) => row.request_id));
  } finally {
    await miniflare.dispose();
  }
}

describe("stopping a gateway", () => {
  let folder = "";

  beforeAll(async () => {
    folder = await temporaryFolder();
  });

  afterAll(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it(
    "close() stores every decision event of the requests answered before it",
    async () => {
      const persistTo = path.join(folder, "library");
      const gateway = await startGateway({
        host: "127.0.0.1",
        port: 0,
        configText: await readFile(CONFIG, "utf8"),
        persistTo,
        environment: {},
      });
      let ids: string[];
      try {
        ids = await burst(gateway.url.origin);
      } finally {
        await gateway.close();
      }
      const stored = await storedRequestIds(persistTo);
      expect(stored.size).toBe(BURST);
      expect([...stored].sort()).toEqual([...ids].sort());
    },
    STARTUP_MS,
  );

  it(
    "close() without persisted state still hands every event to onEvent (as a managed gateway does)",
    async () => {
      const received = new Set<string>();
      const gateway = await startGateway({
        host: "127.0.0.1",
        port: 0,
        configText: await readFile(CONFIG, "utf8"),
        persistTo: false,
        environment: {},
        onEvent: (event) => received.add((event as { request_id: string }).request_id),
      });
      let ids: string[];
      try {
        ids = await burst(gateway.url.origin);
      } finally {
        await gateway.close();
      }
      expect([...received].sort()).toEqual([...ids].sort());
    },
    STARTUP_MS,
  );

  it(
    "kt gateway run stores them on SIGTERM, then exits 0",
    async () => {
      const persistTo = path.join(folder, "command");
      const gateway = startNode(
        [
          KT,
          "gateway",
          "run",
          "--policy-config",
          CONFIG,
          "--listen",
          "127.0.0.1:0",
          "--persist-to",
          persistTo,
        ],
        { cwd: folder },
      );
      try {
        const match = await gateway.waitFor(/listening on (http:\/\/\S+)/, STARTUP_MS);
        const ids = await burst(match[1] ?? "");
        gateway.child.kill("SIGTERM");
        const finished = await gateway.exited;
        const stored = await storedRequestIds(persistTo);
        expect(stored.size).toBe(BURST);
        expect([...stored].sort()).toEqual([...ids].sort());
        expect(finished).toMatchObject({ code: 0, signal: null });
        expect(finished.stdout).toContain(
          "SIGTERM: stopping the gateway (storing pending decision events…)",
        );
      } finally {
        if (gateway.child.exitCode === null && gateway.child.signalCode === null) {
          gateway.child.kill("SIGKILL");
          await gateway.exited;
        }
      }
    },
    STARTUP_MS,
  );
});
