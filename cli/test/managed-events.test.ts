import { readdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { parse } from "yaml";
import { afterEach, describe, expect, it } from "vitest";
import { readCachedConfig, sha256Hex, writeCachedConfig } from "../runtime/managed/config-cache.ts";
import type { CallResult } from "../runtime/managed/control-client.ts";
import { backoffMs, EventForwarder } from "../runtime/managed/event-forwarder.ts";
import { EventSpool } from "../runtime/managed/event-spool.ts";
import { overrideUpstream } from "../runtime/managed/upstream-override.ts";
import { temporaryFolder } from "./run-kt.ts";

const folders: string[] = [];
async function folder(): Promise<string> {
  const created = await temporaryFolder();
  folders.push(created);
  return created;
}
afterEach(async () => {
  for (const created of folders.splice(0)) await rm(created, { recursive: true, force: true });
});

const events = (from: number, count: number) =>
  Array.from({ length: count }, (_, index) => ({ request_id: `req_${from + index}` }));
const ids = (batch: readonly unknown[]) =>
  batch.map((event) => (event as { request_id: string }).request_id);
const ok: CallResult<unknown> = { ok: true, value: null };
const down: CallResult<unknown> = { ok: false, kind: "unreachable", message: "ECONNREFUSED" };

describe("the event forwarder", () => {
  it("delivers in batches of at most 100", async () => {
    const batches: number[] = [];
    const forwarder = new EventForwarder({
      send: async (batch) => (batches.push(batch.length), ok),
      spool: await EventSpool.open(await folder()),
      log: () => undefined,
    });
    for (const event of events(0, 250)) forwarder.push(event);
    await forwarder.flush();
    await forwarder.flush();
    expect(batches.every((size) => size <= 100)).toBe(true);
    expect(batches.reduce((sum, size) => sum + size, 0)).toBe(250);
    expect(forwarder.status()).toMatchObject({ pending: 0, delivered: 250, dropped: 0 });
  });

  it("keeps undelivered events on disk, and a new process delivers them oldest first", async () => {
    const spoolFolder = await folder();
    const first = new EventForwarder({
      send: async () => down,
      spool: await EventSpool.open(spoolFolder),
      log: () => undefined,
    });
    for (const event of events(0, 150)) first.push(event);
    await first.flush();
    for (const event of events(150, 10)) first.push(event);
    await first.close(100);
    expect(first.status()).toMatchObject({
      pending: 160,
      spooled: 160,
      last_error: "ECONNREFUSED",
    });

    const delivered: string[] = [];
    const second = new EventForwarder({
      send: async (batch) => (delivered.push(...ids(batch)), ok),
      spool: await EventSpool.open(spoolFolder),
      log: () => undefined,
    });
    expect(second.status().spooled).toBe(160);
    await second.flush();
    expect(delivered).toEqual(ids(events(0, 160)));
    expect(await readdir(spoolFolder)).toEqual([]);
  });

  it("splits a batch the control API rejects and drops only the invalid event", async () => {
    const delivered: string[] = [];
    const logged: string[] = [];
    const forwarder = new EventForwarder({
      send: async (batch) => {
        if (ids(batch).includes("req_7"))
          return { ok: false, kind: "rejected", status: 400, message: "invalid event" };
        delivered.push(...ids(batch));
        return ok;
      },
      spool: await EventSpool.open(await folder()),
      log: (message) => logged.push(message),
    });
    for (const event of events(0, 20)) forwarder.push(event);
    await forwarder.flush();
    expect(delivered.sort()).toEqual(
      ids(events(0, 20))
        .filter((id) => id !== "req_7")
        .sort(),
    );
    expect(forwarder.status()).toMatchObject({ pending: 0, dropped: 1 });
    expect(logged).toHaveLength(1);
  });

  it("past the spool's bound, drops the oldest batches and counts them", async () => {
    const spool = await EventSpool.open(await folder(), 1_000);
    for (let batch = 0; batch < 10; batch++) await spool.push(events(batch * 10, 10));
    expect(spool.dropped).toBeGreaterThan(0);
    expect(spool.events + spool.dropped).toBe(100);
    const oldest = await spool.take(100);
    expect(ids(oldest?.events ?? [])[0]).toBe(`req_${spool.dropped}`);
  });

  it("backs off exponentially with jitter, up to a minute, and honours Retry-After", () => {
    expect(backoffMs(1, () => 0)).toBe(500);
    expect(backoffMs(1, () => 1)).toBe(1_000);
    expect(backoffMs(4, () => 1)).toBe(8_000);
    expect(backoffMs(30, () => 1)).toBe(60_000);
    expect(backoffMs(1, () => 0, 5_000)).toBe(5_000);
  });
});

describe("the config cache", () => {
  const yaml =
    "pack: {name: p, version: 1.0.0}\nproviders:\n  targets:\n    - {id: m, provider: mock, model: m}\n";

  it("round-trips a checked config, and refuses one whose YAML does not match its hash", async () => {
    const cache = await folder();
    const config = { version: "1.0.0", sha256: sha256Hex(yaml), yaml };
    await writeCachedConfig(cache, { gateway_id: "gw_1", ...config, fetched_at: 1 });
    expect(await readCachedConfig(cache, "gw_1")).toMatchObject({ ok: true, config });
    expect(await readCachedConfig(cache, "gw_2")).toMatchObject({ ok: false, missing: false });
    await writeFile(
      path.join(cache, "config.json"),
      JSON.stringify({ gateway_id: "gw_1", ...config, yaml: `${yaml}# edited\n`, fetched_at: 1 }),
    );
    expect(await readCachedConfig(cache, "gw_1")).toMatchObject({
      ok: false,
      reason: expect.stringContaining("does not match its sha256"),
    });
    expect(await readCachedConfig(await folder(), "gw_1")).toMatchObject({
      ok: false,
      missing: true,
    });
  });

  it("--upstream rewrites every target's base_url and nothing else", () => {
    const rewritten = parse(
      overrideUpstream(
        `${yaml}    - {id: n, provider: openai, model: gpt}\n`,
        "http://127.0.0.1:4010",
      ),
    ) as { pack: unknown; providers: { targets: { base_url?: string }[] } };
    expect(rewritten.pack).toEqual({ name: "p", version: "1.0.0" });
    expect(rewritten.providers.targets.map((target) => target.base_url)).toEqual([
      "http://127.0.0.1:4010",
      "http://127.0.0.1:4010",
    ]);
  });
});
