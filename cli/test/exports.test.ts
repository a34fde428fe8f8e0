import { randomUUID } from "node:crypto";
import { readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chainHash } from "../../workers/db/event-chain.ts";
import { recordsFromCsv } from "../../workers/control/exports/event-record.ts";
import { startControl, type RunningControl } from "../runtime/start-control.ts";
import { KT, runKt, startNode, temporaryFolder, type Finished } from "./run-kt.ts";
import { tamperedJws } from "../../test-support/tamper-jws.ts";

const STARTUP_MS = 120_000;
const SLOW_MS = 120_000;
const BOOTSTRAP_TOKEN = "cli-exports-bootstrap-token";
const HOUR = 3_600_000;
const YAML = `pack: {name: exported, version: "1.0.0"}\nproviders:\n  targets: [{id: m, provider: mock, model: mock-echo}]\npolicies:\n  chain: [pii-detector]\n`;

let control: RunningControl | undefined;
let folder = "";
let environment: NodeJS.ProcessEnv = {};
let gatewayToken = "";
let api = "";
const start = Date.now() - 2 * HOUR;

async function call<T>(method: string, route: string, key: string, body?: unknown): Promise<T> {
  const response = await fetch(`${api}${route}`, {
    method,
    headers: {
      authorization: `Bearer ${key}`,
      "content-type": "application/json",
      "x-keeptrusts-bootstrap-token": BOOTSTRAP_TOKEN,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${route}: ${response.status} ${text}`);
  return JSON.parse(text) as T;
}

/** A decision event as a managed gateway posts it. */
function event(index: number, configHash: string) {
  return {
    request_id: `req_${randomUUID().replaceAll("-", "")}`,
    created_at: start + index * 60_000,
    identity: { org_id: null, team_id: null, user_id: null, key_id: null },
    gateway_id: null,
    config: { name: "exported", version: "1.0.0", hash: configHash },
    endpoint: "chat.completions",
    model: ['gpt, "quoted"\nnext line', "", "plain"][index % 3],
    target_id: "m",
    provider: "mock",
    stream: false,
    verdict: index % 4 === 0 ? "block" : "allow",
    status: index % 4 === 0 ? 403 : 200,
    error_code: null,
    blocked_by: index % 4 === 0 ? "pii-detector" : null,
    policies: [{ policy: "pii-detector", phase: "input", action: "allow", findings: [] }],
    attempts: [],
    policy_ms: 0.5,
    upstream_ms: null,
    usage: null,
    content: null,
    retention_days: null,
  };
}

function kt(args: string[]): Promise<Finished> {
  return runKt(args, { env: environment });
}

async function ok(args: string[]): Promise<string> {
  const result = await kt(args);
  expect(result.code, `kt ${args.join(" ")}\n${result.stdout}${result.stderr}`).toBe(0);
  return result.stdout;
}

const window = () => [
  "--from",
  new Date(start).toISOString(),
  "--to",
  new Date(start + HOUR).toISOString(),
];

beforeAll(async () => {
  folder = await temporaryFolder();
  control = await startControl({
    host: "127.0.0.1",
    port: 0,
    persistTo: false,
    bootstrapToken: BOOTSTRAP_TOKEN,
  });
  api = control.url.origin;
  const created = await call<{ access_key: string }>("POST", "/v1/bootstrap", "", {
    org: "exports-cli",
    email: "owner@example.com",
  });
  const owner = created.access_key;
  const pushed = await call<{ version: { sha256: string } }>("POST", "/v1/configurations", owner, {
    name: "exported",
    yaml: YAML,
  });
  const gateway = await call<{ gateway_token: string }>("POST", "/v1/gateways", owner, {
    name: "edge-1",
    kind: "managed",
  });
  gatewayToken = gateway.gateway_token;
  const events = Array.from({ length: 40 }, (_, index) =>
    event(index, index < 20 ? pushed.version.sha256 : "f".repeat(64)),
  );
  await call("POST", "/v1/events/batch", gatewayToken, { events });
  environment = {
    XDG_CONFIG_HOME: folder,
    KEEPTRUSTS_API_URL: api,
    KEEPTRUSTS_API_TOKEN: owner,
  };
}, STARTUP_MS);

afterAll(async () => {
  await control?.close();
  await rm(folder, { recursive: true, force: true });
});

describe("kt export", () => {
  it(
    "creates a CSV export and downloads it: counts, fields and every row hash read back",
    async () => {
      const created = JSON.parse(
        await ok(["export", "create", ...window(), "--format", "csv", "--json"]),
      ) as {
        id: string;
        row_count: number;
      };
      expect(created.row_count).toBe(40);
      const file = path.join(folder, "rows.csv");
      await ok(["export", "download", created.id, "--output", file]);
      const records = recordsFromCsv(await readFile(file, "utf8"));
      expect(records).toHaveLength(40);
      expect(records[0]?.model).toBe('gpt, "quoted"\nnext line');
      expect(records[1]?.model).toBe("");
      for (const record of records)
        expect(await chainHash(record.prev_hash as string | null, record)).toBe(record.hash);
    },
    SLOW_MS,
  );

  it(
    "makes an evidence packet that kt export verify checks offline, with the org's key pinned",
    async () => {
      const created = JSON.parse(
        await ok(["export", "create", ...window(), "--verdict", "allow", "--evidence", "--json"]),
      ) as { id: string };
      const packet = path.join(folder, "packet.jsonl");
      await ok(["export", "download", created.id, "--output", packet]);
      const verified = await ok(["export", "verify", packet]);
      expect(verified).toContain(`${packet}: verified`);
      expect(verified).toMatch(
        /30 events \(0 unchained\), 9 links, 1 chains, 1 configuration versions/,
      );
      const keys = path.join(folder, "keys.json");
      await ok(["export", "signing-key", "--output", keys]);
      expect(await ok(["export", "verify", packet, "--public-key", keys])).toContain(
        "(a pinned key)",
      );
      const stranger = await crypto.subtle.generateKey({ name: "Ed25519" }, true, [
        "sign",
        "verify",
      ]);
      const strangerKey = path.join(folder, "stranger.json");
      await writeFile(
        strangerKey,
        JSON.stringify(await crypto.subtle.exportKey("jwk", stranger.publicKey)),
      );
      const refused = await kt(["export", "verify", packet, "--public-key", strangerKey]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain("not a pinned key");
    },
    SLOW_MS,
  );

  it(
    "exits 1 with a clear line when anything in the packet changed",
    async () => {
      const created = JSON.parse(
        await ok(["export", "create", ...window(), "--evidence", "--json"]),
      ) as { id: string };
      const packet = path.join(folder, "whole.jsonl");
      await ok(["export", "download", created.id, "--output", packet]);
      const lines = (await readFile(packet, "utf8")).trimEnd().split("\n");
      const edit = (type: string, change: (line: string) => string) => {
        const index = lines.findIndex((line) => line.startsWith(`{"type":"${type}"`));
        return lines.map((line, at) => (at === index ? change(line) : line));
      };
      const cases: Array<[string, string[], RegExp]> = [
        [
          "row",
          edit("event", (line) => line.replace('"status":403', '"status":200')),
          /hash does not match/,
        ],
        [
          "yaml",
          edit("configuration", (line) => line.replace("mock-echo", "mock-other")),
          /YAML does not match/,
        ],
        [
          "manifest",
          edit("manifest", (line) => line.replace('"links":0', '"links":1')),
          /signature does not match|count says/,
        ],
        [
          "signature",
          edit("signature", (line) => {
            const value = JSON.parse(line) as { jws: string };
            return JSON.stringify({ ...value, jws: tamperedJws(value.jws) });
          }),
          /signature does not match/,
        ],
        ["truncated", lines.slice(0, -2), /no manifest|incomplete/],
      ];
      // Each tampered copy is checked by its own kt process, all at once.
      await Promise.all(
        cases.map(async ([label, changed, pattern]) => {
          const file = path.join(folder, `tampered-${label}.jsonl`);
          await writeFile(file, `${changed.join("\n")}\n`);
          const result = await kt(["export", "verify", file]);
          expect(result.code, label).toBe(1);
          expect(result.stderr, label).toContain(`kt: ${file}: does not verify:`);
          expect(result.stderr, label).toMatch(pattern);
        }),
      );
      const missing = await kt(["export", "verify", path.join(folder, "nope.jsonl")]);
      expect(missing.code).toBe(2);
    },
    SLOW_MS,
  );

  it(
    "refuses a window whose end comes before its start, with the API's code",
    async () => {
      const result = await kt(["export", "create", "--from", "2026-08-02", "--to", "2026-08-01"]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain("invalid_range");
    },
    SLOW_MS,
  );
});

describe("kt events", () => {
  it(
    "lists with filters and follows new events until Ctrl-C",
    async () => {
      const listed = JSON.parse(
        await ok(["events", "list", "--verdict", "block", "--limit", "200", "--json"]),
      ) as {
        data: unknown[];
      };
      expect(listed.data).toHaveLength(10);
      const table = await ok(["events", "list", "--limit", "3"]);
      expect(table).toMatch(/^TIME\s+REQUEST\s+VERDICT/);
      expect(table).toContain("More: add --cursor");

      const tail = startNode([KT, "events", "tail", "--lines", "2", "--json"], {
        env: environment,
      });
      await tail.waitFor(/"request_id"[\s\S]*"request_id"/, 30_000);
      const fresh = { ...event(0, "0".repeat(64)), created_at: Date.now() };
      await call("POST", "/v1/events/batch", gatewayToken, { events: [fresh] });
      await tail.waitFor(new RegExp(fresh.request_id), 30_000);
      tail.child.kill("SIGINT");
      const finished = await tail.exited;
      expect(finished.code).toBe(0);
      expect(finished.stdout.split(fresh.request_id)).toHaveLength(2);
    },
    SLOW_MS,
  );
});
