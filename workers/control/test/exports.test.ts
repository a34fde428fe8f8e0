import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { newId } from "../../db/api-key.ts";
import { chainHash } from "../../db/event-chain.ts";
import { recordsFromCsv, type EventRecord } from "../exports/event-record.ts";
import { digestStreamHash } from "../exports/export-stream.ts";
import { verifyPacket } from "../exports/verify-packet.ts";
import { call, json, newMember, newOrg } from "./control.ts";
import { sampleEvent, seed, sha256 } from "./event-fixtures.ts";
import { sampleYaml } from "./route-table-configurations.ts";
import { tamperedJws } from "../../../test-support/tamper-jws.ts";

interface ExportStatus {
  id: string;
  status: string;
  format: string;
  evidence: boolean;
  row_count: number;
  download_url: string;
  evidence_url: string | null;
}

const HOUR = 3_600_000;
const TRICKY = [
  'comma, "quotes" and\na newline',
  "",
  "  edge spaces ",
  "crlf\r\nline",
  "ünïcödé ✓",
];

let org: { orgId: string; ownerKey: string };
let base: number;
let yamlHash: string;

beforeAll(async () => {
  org = await newOrg("exports");
  const yaml = sampleYaml("5.0.0");
  await json("POST", "/v1/configurations", {
    key: org.ownerKey,
    body: { name: "exported", yaml },
  });
  yamlHash = await sha256(yaml);
  base = Date.now() - 20 * HOUR;
  // Two gateways' chains, every verdict, and fields that stress CSV.
  await seed(
    Array.from({ length: 12 }, (_, index) =>
      sampleEvent({
        orgId: org.orgId,
        createdAt: base + index * HOUR,
        gatewayId: index % 2 ? "gw-even" : "gw-odd",
        verdict: index % 3 === 0 ? "block" : "allow",
        model: TRICKY[index % TRICKY.length],
        errorCode: index % 4 === 0 ? "" : null,
        configHash: index < 6 ? yamlHash : "f".repeat(64),
        configVersion: index < 6 ? "5.0.0" : "bundled",
        content: {
          messages: [{ role: "user", content: `line one\nline "two", ${index}` }],
          answer: null,
        },
      }),
    ),
  );
});

async function createExport(body: Record<string, unknown>, key = org.ownerKey) {
  return json<ExportStatus>("POST", "/v1/exports", { key, body });
}

async function download(path: string, key = org.ownerKey): Promise<string> {
  const response = await call("GET", path, { key });
  const text = new TextDecoder().decode(await response.arrayBuffer());
  if (response.status !== 200) throw new Error(`${path}: ${response.status} ${text}`);
  return text;
}

/** The stored rows of the org in the window, straight from D1, for comparison. */
async function storedHashes(from: number, to: number): Promise<string[]> {
  const rows = await env.DB.prepare(
    "SELECT hash FROM decision_events WHERE org_id = ? AND created_at >= ? AND created_at < ? ORDER BY created_at, request_id",
  )
    .bind(org.orgId, from, to)
    .all<{ hash: string }>();
  return rows.results.map((row) => row.hash);
}

async function expectRowsIntact(records: EventRecord[], from: number, to: number) {
  expect(records.map((record) => record.hash)).toEqual(await storedHashes(from, to));
  for (const record of records)
    expect(await chainHash(record.prev_hash as string | null, record)).toBe(record.hash);
}

const window = () => ({ from: base, to: base + 12 * HOUR });

describe("exports round-trip", () => {
  it("CSV: counts, hashes and every field read back, commas, quotes, newlines and empty strings included", async () => {
    const created = await createExport({ ...window(), format: "csv" });
    expect(created).toMatchObject({ status: "ready", format: "csv", row_count: 12 });
    const text = await download(created.download_url);
    const records = recordsFromCsv(text);
    expect(records).toHaveLength(12);
    await expectRowsIntact(records, base, base + 12 * HOUR);
    expect(records.map((record) => record.model)).toEqual(
      Array.from({ length: 12 }, (_, index) => TRICKY[index % TRICKY.length]),
    );
    expect(records.map((record) => record.error_code)).toEqual(
      Array.from({ length: 12 }, (_, index) => (index % 4 === 0 ? "" : null)),
    );
    expect(records[1]?.content).toEqual({
      messages: [{ role: "user", content: 'line one\nline "two", 1' }],
      answer: null,
    });
    // The export is a pinned query: downloading again gives the same bytes.
    expect(await download(created.download_url)).toBe(text);
  });

  it("JSON lines: the same rows, typed as stored", async () => {
    const created = await createExport({ ...window(), format: "json" });
    const lines = (await download(created.download_url)).trimEnd().split("\n");
    const records = lines.map((line) => JSON.parse(line) as EventRecord);
    expect(records).toHaveLength(created.row_count);
    await expectRowsIntact(records, base, base + 12 * HOUR);
    expect(records[0]).toMatchObject({ stream: false, status: 403, policy_ms: 0.25 });
  });

  it("applies filters and stays pinned: events stored later never join an export", async () => {
    const created = await createExport({ ...window(), filters: { verdict: "block" } });
    expect(created.row_count).toBe(4);
    await seed([
      sampleEvent({ orgId: org.orgId, createdAt: base + 30 * 60_000, verdict: "block" }),
    ]);
    const lines = (await download(created.download_url)).trimEnd().split("\n");
    expect(lines).toHaveLength(4);
    const fresh = await createExport({ ...window(), filters: { verdict: "block" } });
    expect(fresh.row_count).toBe(5);
  });

  it("streams page by page: a large export arrives in many chunks", async () => {
    const big = await newOrg("big-export");
    const start = Date.now() - 2 * HOUR;
    const events = Array.from({ length: 1_000 }, (_, index) =>
      sampleEvent({ orgId: big.orgId, createdAt: start + index }),
    );
    for (let index = 0; index < events.length; index += 100)
      await seed(events.slice(index, index + 100));
    const created = await createExport(
      { from: start, to: start + HOUR, format: "csv" },
      big.ownerKey,
    );
    expect(created.row_count).toBe(1_000);
    const response = await call("GET", created.download_url, { key: big.ownerKey });
    expect(response.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    let chunks = 0;
    let text = "";
    const decoder = new TextDecoder();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      chunks += 1;
      text += decoder.decode(value, { stream: true });
    }
    expect(chunks).toBeGreaterThanOrEqual(5);
    expect(recordsFromCsv(text)).toHaveLength(1_000);
  });
});

/** The packet's lines, verified as `kt export verify` would (same code, workerd's hash). */
async function check(lines: string[], pinned?: JsonWebKey[]) {
  return verifyPacket(lines, { hash: digestStreamHash, ...(pinned ? { pinnedKeys: pinned } : {}) });
}

async function packetOf(body: Record<string, unknown>): Promise<string[]> {
  const created = await createExport({ ...body, evidence: true });
  return (await download(created.evidence_url ?? "")).trimEnd().split("\n");
}

const tamper = (
  lines: string[],
  type: string,
  change: (value: Record<string, unknown>) => void,
) => {
  const index = lines.findIndex((line) => line.startsWith(`{"type":"${type}"`));
  const value = JSON.parse(lines[index] ?? "{}") as Record<string, unknown>;
  change(value);
  return lines.map((line, at) => (at === index ? JSON.stringify(value) : line));
};

describe("evidence packets", () => {
  it("verify: rows, chain links across filtered rows, configuration YAML, manifest and signature", async () => {
    const lines = await packetOf({ ...window(), filters: { verdict: "allow" } });
    const result = await check(lines);
    expect(result.problems).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.summary).toMatchObject({
      events: 8,
      // Blocked rows between the first and last allowed row of each chain: one and two.
      links: 3,
      configurations: 1,
      chains: 2,
      missing_configurations: ["f".repeat(64)],
    });
    const keys = await json<{ keys: Array<JsonWebKey & { kid: string }> }>(
      "GET",
      "/v1/exports/signing-key",
      { key: org.ownerKey },
    );
    expect(keys.keys).toHaveLength(1);
    expect((await check(lines, keys.keys)).ok).toBe(true);
  });

  it("fails on any change: a row, a YAML, the manifest, the signature, a missing line, another key", async () => {
    const lines = await packetOf(window());
    expect((await check(lines)).ok).toBe(true);
    const expectFailure = async (
      label: string,
      changed: string[],
      pattern: RegExp,
      pinned?: JsonWebKey[],
    ) => {
      const result = await check(changed, pinned);
      expect(result.ok, label).toBe(false);
      expect(result.problems.join("\n"), label).toMatch(pattern);
    };
    await expectFailure(
      "row",
      tamper(lines, "event", (value) => ((value.row as Record<string, unknown>).model = "forged")),
      /hash does not match its content/,
    );
    await expectFailure(
      "unhashed column",
      tamper(
        lines,
        "event",
        (value) =>
          ((value.row as Record<string, unknown>).content = { messages: [], answer: "forged" }),
      ),
      /events\.jsonl: SHA-256 mismatch/,
    );
    await expectFailure(
      "yaml",
      tamper(lines, "configuration", (value) => (value.yaml = `${String(value.yaml)}# edited\n`)),
      /YAML does not match its sha256/,
    );
    await expectFailure(
      "manifest",
      tamper(lines, "manifest", (value) => ((value.counts as Record<string, number>).events = 1)),
      /signature does not match|count says/,
    );
    await expectFailure(
      "signature",
      tamper(lines, "signature", (value) => (value.jws = tamperedJws(String(value.jws)))),
      /signature does not match/,
    );
    const eventAt = lines.findIndex((line) => line.startsWith('{"type":"event"'));
    await expectFailure(
      "dropped row",
      lines.filter((_, index) => index !== eventAt + 1),
      /jumps from sequence|SHA-256 mismatch/,
    );
    const other = (await crypto.subtle.generateKey({ name: "Ed25519" }, true, [
      "sign",
      "verify",
    ])) as CryptoKeyPair;
    const otherJwk = (await crypto.subtle.exportKey("jwk", other.publicKey)) as JsonWebKey;
    await expectFailure("pinned key", lines, /not a pinned key/, [otherJwk]);
  });
});

describe("bad export requests", () => {
  it("answers from > to, absurd windows, viewers, members' evidence and unknown exports with clear 4xx", async () => {
    const refuse = async (body: unknown, status: number, code: string, key = org.ownerKey) => {
      const response = await call("POST", "/v1/exports", { key, body });
      expect(response.status, JSON.stringify(body)).toBe(status);
      expect(await response.json()).toMatchObject({ code });
    };
    const now = Date.now();
    await refuse({ from: now, to: now - HOUR }, 400, "invalid_range");
    await refuse({ from: "2026-08-02", to: "2026-08-01" }, 400, "invalid_range");
    await refuse({ from: 0, to: now }, 400, "window_too_large");
    await refuse({ from: now, to: now + 400 * 86_400_000 }, 400, "window_too_large");
    await refuse({ from: "last week", to: now }, 400, "invalid_request");
    await refuse({ from: now - HOUR, to: now, format: "xml" }, 400, "invalid_request");
    await refuse({ from: now - HOUR, to: now, filters: { colour: "red" } }, 400, "invalid_request");
    const viewer = await newMember(org.ownerKey, "viewer");
    await refuse({ from: now - HOUR, to: now }, 403, "forbidden", viewer.key);
    const member = await newMember(org.ownerKey, "member");
    await refuse({ from: now - HOUR, to: now, evidence: true }, 403, "forbidden", member.key);
    const plain = await createExport({ from: now - HOUR, to: now });
    const notEvidence = await call("GET", `/v1/exports/${plain.id}/evidence`, {
      key: org.ownerKey,
    });
    expect(notEvidence.status).toBe(409);
    const stranger = await newOrg("export-stranger");
    for (const path of [`/v1/exports/${plain.id}`, plain.download_url])
      expect((await call("GET", path, { key: stranger.ownerKey })).status).toBe(404);
    expect((await call("GET", `/v1/exports/${plain.id}`, { key: member.key })).status).toBe(404);
    expect((await call("GET", plain.download_url, { key: viewer.key })).status).toBe(200);
    expect((await call("GET", `/v1/exports/${newId("exp")}`, { key: org.ownerKey })).status).toBe(
      404,
    );
  });
});
