import { rm } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBothWorkers, type BothWorkers } from "./both-workers.ts";
import { runKt, temporaryFolder, type Finished } from "./run-kt.ts";

const STARTUP_MS = 120_000;
const SLOW_MS = 60_000;
const CONFIG = `providers:
  targets: [{id: m, provider: mock, model: mock-echo}]
`;
const ASK = {
  model: "mock-echo",
  max_tokens: 100,
  messages: [{ role: "user", content: "Summarise the budget" }],
};

let workers: BothWorkers | undefined;
let api = "";
let ownerKey = "";
let gatewayKey = "";
let config = "";

function controlCall<T>(method: string, pathname: string, body: unknown, key?: string): Promise<T> {
  if (!workers) throw new Error("the workers are not running");
  return workers.control<T>(method, pathname, body, key);
}

function ask(headers: Record<string, string> = {}): Promise<Response> {
  if (!workers) throw new Error("the workers are not running");
  return workers.chat(ASK, gatewayKey, headers);
}

function kt(args: string[]): Promise<Finished> {
  return runKt(args, {
    env: { XDG_CONFIG_HOME: config, KEEPTRUSTS_API_URL: api, KEEPTRUSTS_API_TOKEN: ownerKey },
  });
}

async function ok(args: string[]): Promise<string> {
  const result = await kt(args);
  expect(result.code, `kt ${args.join(" ")}\n${result.stdout}${result.stderr}`).toBe(0);
  return result.stdout;
}

beforeAll(async () => {
  config = await temporaryFolder();
  workers = await startBothWorkers({ policyConfig: CONFIG, label: "spend" });
  api = workers.api;
  ({ ownerKey, gatewayKey } = await workers.orgWithGatewayKey(
    "finance-org",
    "finance@example.com",
    "budget-app",
  ));
}, STARTUP_MS);

afterAll(async () => {
  await workers?.miniflare.dispose();
  await rm(config, { recursive: true, force: true });
});

describe("kt wallets, cost-tickets, pricing and usage", () => {
  it(
    "a wallet runs out, the gateway answers 402 with a ticket, an approval lets the retry through, and the ledger and usage explain it",
    async () => {
      expect(await ok(["wallets", "top-up", "--amount", "0.0001", "--reference", "INV-1"])).toMatch(
        /Topped up 0\.0001 USD\.\n {2}wal_\w+ {2}org org_\w+: 0\.0001 USD available/,
      );
      const refused = await ask();
      expect(refused.status).toBe(402);
      const error = ((await refused.json()) as { error: { code: string; cost_ticket_id: string } })
        .error;
      expect(error.code).toBe("insufficient_balance");
      const ticket = error.cost_ticket_id;

      expect(await ok(["cost-tickets", "list", "--status", "pending"])).toContain(ticket);
      expect(await ok(["cost-tickets", "approve", ticket, "--overdraft", "1"])).toContain(
        `Approved ${ticket}: its retry may go 1 USD below zero`,
      );
      const retry = await ask({ "x-keeptrusts-cost-ticket": ticket });
      expect(retry.status).toBe(200);
      expect(await ok(["cost-tickets", "show", ticket])).toContain("used by  req_");

      const wallets = JSON.parse(await ok(["wallets", "list", "--json"])) as Array<{ id: string }>;
      const walletId = wallets[0]?.id ?? "";
      let ledger = "";
      for (let attempt = 0; attempt < 50 && !ledger.includes("settle"); attempt += 1) {
        ledger = await ok(["wallets", "ledger", walletId]);
        if (!ledger.includes("settle")) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(ledger).toMatch(/release[\s\S]*settle[\s\S]*hold[\s\S]*topup/);

      const usage = await ok(["usage", "--group-by", "model"]);
      expect(usage).toMatch(/MODEL\s+REQUESTS\s+PROMPT\s+COMPLETION\s+COST/);
      expect(usage).toMatch(/mock-echo\s+1\s/);
    },
    SLOW_MS,
  );

  it(
    "sets the org's price, allocates to a team, and refuses what it cannot send",
    async () => {
      expect(
        await ok([
          "pricing",
          "set",
          "--provider",
          "mock",
          "--model",
          "mock-echo",
          "--input",
          "10",
          "--output",
          "20",
        ]),
      ).toContain("Priced mock mock-echo: 10 in, 20 out USD per million tokens.");
      expect(await ok(["pricing", "list", "--provider", "mock"])).toMatch(
        /mock\s+mock-echo\s+10\s.*org\s+yes/,
      );
      await controlCall("POST", "/v1/teams", { name: "legal" }, ownerKey);
      await ok(["wallets", "top-up", "--amount", "5"]);
      expect(await ok(["wallets", "allocate", "--team", "legal", "--amount", "2"])).toMatch(
        /Allocated 2 USD\.[\s\S]*team team_\w+: 2 USD available/,
      );
      for (const args of [
        ["wallets", "allocate", "--amount", "2"],
        ["wallets", "top-up", "--amount", "1", "--team", "legal", "--user", "usr_1"],
        ["wallets", "top-up", "--amount", "-1"],
        ["pricing", "set", "--provider", "acme", "--model", "m", "--input", "1", "--output", "1"],
        ["usage", "--group-by", "planet"],
      ]) {
        const result = await kt(args);
        expect(result.code, args.join(" ")).toBe(2);
      }
      const tooMuch = await kt(["wallets", "allocate", "--team", "legal", "--amount", "1000"]);
      expect(tooMuch.code).toBe(1);
      expect(tooMuch.stderr).toContain("insufficient_balance");
    },
    SLOW_MS,
  );
});
