import { rm } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBothWorkers, type BothWorkers } from "./both-workers.ts";
import { runKt, temporaryFolder, type Finished } from "./run-kt.ts";

const STARTUP_MS = 120_000;
const SLOW_MS = 60_000;
const CONFIG = `providers:
  targets: [{id: m, provider: mock, model: mock-echo}]
policies:
  chain: [human-oversight]
`;
const ASK = { model: "mock-echo", messages: [{ role: "user", content: "Summarise the merger" }] };

let workers: BothWorkers | undefined;
let api = "";
let ownerKey = "";
let gatewayKey = "";
let config = "";

function ask(headers: Record<string, string> = {}): Promise<Response> {
  if (!workers) throw new Error("the workers are not running");
  return workers.chat(ASK, gatewayKey, headers);
}

function kt(args: string[]): Promise<Finished> {
  return runKt(["escalations", ...args], {
    env: { XDG_CONFIG_HOME: config, KEEPTRUSTS_API_URL: api, KEEPTRUSTS_API_TOKEN: ownerKey },
  });
}

beforeAll(async () => {
  config = await temporaryFolder();
  workers = await startBothWorkers({ policyConfig: CONFIG, label: "escalations" });
  api = workers.api;
  ({ ownerKey, gatewayKey } = await workers.orgWithGatewayKey(
    "review-org",
    "reviewer@example.com",
    "legal-app",
  ));
}, STARTUP_MS);

afterAll(async () => {
  await workers?.miniflare.dispose();
  await rm(config, { recursive: true, force: true });
});

describe("kt escalations", () => {
  it(
    "lists, shows, claims and resolves what the gateway escalated; the caller's retry then passes once",
    async () => {
      const refused = await ask();
      expect(refused.status).toBe(403);
      const id = ((await refused.json()) as { error: { escalation_id: string } }).error
        .escalation_id;

      const listed = await kt(["list", "--status", "queued"]);
      expect(listed.code, listed.stderr).toBe(0);
      expect(listed.stdout).toContain(id);
      expect(listed.stdout).toMatch(/ID\s+STATUS\s+OUTCOME\s+REASON/);

      const claimed = await kt(["claim", id, "--for", "1h"]);
      expect(claimed.code, claimed.stderr).toBe(0);
      expect(claimed.stdout).toContain(`Claimed ${id}`);

      const shown = await kt(["show", id]);
      expect(shown.code, shown.stderr).toBe(0);
      expect(shown.stdout).toContain("user: Summarise the merger");
      expect(shown.stdout).toMatch(/1\. .* create by gateway key_/);
      expect(shown.stdout).toMatch(/2\. .* claim by user usr_/);

      const resolved = await kt(["resolve", id, "--outcome", "allow", "--note", "board approved"]);
      expect(resolved.code, resolved.stderr).toBe(0);
      expect(resolved.stdout).toContain(`Resolved ${id}: allow.`);

      const again = await kt(["resolve", id, "--outcome", "block", "--note", "too late"]);
      expect(again.code).toBe(1);
      expect(again.stderr).toContain("escalation_resolved");

      const header = { "x-keeptrusts-escalation-id": id };
      expect((await ask(header)).status).toBe(200);
      const used = await ask(header);
      expect(used.status).toBe(403);
      expect(((await used.json()) as { error: { code: string } }).error.code).toBe(
        "escalation_used",
      );

      const json = await kt(["list", "--status", "resolved", "--json"]);
      const rows = JSON.parse(json.stdout) as Array<{
        id: string;
        outcome: string;
        used_at: number;
      }>;
      expect(rows).toEqual([expect.objectContaining({ id, outcome: "allow" })]);
      expect(rows[0]?.used_at).toBeGreaterThan(0);
    },
    SLOW_MS,
  );

  it(
    "refuses what it cannot send: a missing note, an unknown outcome, a bad duration or time",
    async () => {
      for (const args of [
        ["resolve", "esc_1", "--outcome", "allow"],
        ["resolve", "esc_1", "--outcome", "maybe", "--note", "x"],
        ["claim", "esc_1", "--for", "2w"],
        ["list", "--from", "yesterday"],
        ["list", "--status", "open"],
      ]) {
        const result = await kt(args);
        expect(result.code, args.join(" ")).toBe(2);
      }
      const unknown = await kt(["show", `esc_${"0".repeat(32)}`]);
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toContain("not_found");
    },
    SLOW_MS,
  );
});
