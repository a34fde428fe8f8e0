/**
 * `node bench/ledger.ts`: what the wallet ledger costs.
 *
 * 1. Holds + settles per second through ONE LedgerDO (one org: every request of
 *    the org is serialised through it), driven from a worker inside the same
 *    workerd, at several concurrencies. Each pair is a real hold (cascade,
 *    limits, entry, outbox) and a real settle (cost, settle + release entries,
 *    usage record), with the D1 copy running beside it as in production.
 * 2. The latency the wallet step adds to a request: the same chat completion
 *    (mock provider, no network) sent anonymously (not metered) and with a
 *    gateway key of an org with a funded wallet (hold before the upstream call,
 *    settle after it), interleaved in reps, deltas paired per rep.
 *
 * Everything runs under workerd through miniflare's API (no dev proxy), like
 * `kt gateway run`. Options: --pairs N (default 4000), --requests N per variant
 * and rep (default 300), --reps N (default 5), --concurrency 1,8,64.
 */
import path from "node:path";
import { parseArgs } from "node:util";
import { Log, LogLevel, Miniflare } from "miniflare";
import { bundleWorker, ROOT } from "../cli/runtime/bundle-gateway.ts";
import { applyMigrations } from "../cli/runtime/migrations.ts";
import { EVENTS_CONSUMER } from "../cli/runtime/start-gateway.ts";
import { generateKey, hashKey, keyPrefix } from "../workers/db/api-key.ts";
import { fixed, formatSpread, pairedDeltas, percentile, sortedCopy, spread } from "./stats.ts";

const { values: options } = parseArgs({
  options: {
    pairs: { type: "string", default: "4000" },
    requests: { type: "string", default: "300" },
    reps: { type: "string", default: "5" },
    concurrency: { type: "string", default: "1,8,64" },
  },
});
const PAIRS = Number(options.pairs);
const REQUESTS = Number(options.requests);
const REPS = Number(options.reps);
const CONCURRENCY = options.concurrency.split(",").map(Number);

const CONFIG = `pack: {name: bench-ledger}
providers:
  targets: [{id: m, provider: mock, model: bench-model}]
`;

/** Runs `n` hold + settle pairs with `c` lanes against one org's ledger; per-call times in ms. */
const DRIVER = `
const LIMITS = { keyDailyBudget: null, perRequest: null, session: null };
const PRICE = { currency: "USD", input: 1000000, output: 2000000, cachedInput: null };
export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const n = Number(url.searchParams.get("n"));
    const c = Number(url.searchParams.get("c"));
    const org = url.searchParams.get("org");
    const stub = env.LEDGER.get(env.LEDGER.idFromName(org));
    await stub.topUp({ orgId: org, to: { scope: "org", ownerId: org }, amount: 1e12,
      currency: "USD", idempotencyKey: "bench", actor: "bench", source: "manual",
      reference: null, ticketId: null });
    const hold = [];
    const settle = [];
    let next = 0;
    async function lane() {
      while (next < n) {
        const id = org + "-" + next++;
        let started = performance.now();
        const held = await stub.hold({ orgId: org, holdId: id, teamId: "team_a", userId: "usr_a",
          keyId: "key_bench", model: "bench-model", amount: 5000, currency: "USD", priced: true,
          limits: LIMITS });
        hold.push(performance.now() - started);
        if (!held.ok) throw new Error(JSON.stringify(held));
        started = performance.now();
        await stub.settle({ orgId: org, holdId: id, estimated: false, price: PRICE,
          usage: { promptTokens: 1000, cachedTokens: 0, completionTokens: 500 },
          provider: "mock", model: "bench-model" });
        settle.push(performance.now() - started);
      }
    }
    await Promise.all(Array.from({ length: c }, lane));
    const audit = await stub.audit();
    const flushed = await stub.flush();
    return Response.json({ hold, settle, audit, flushed });
  },
};
`;

interface DriverAnswer {
  hold: number[];
  settle: number[];
  audit: Array<{ balance: number; entries_sum: number; held: number }>;
  flushed: boolean;
}

const ms = (values: readonly number[], q: number) => fixed(percentile(sortedCopy(values), q), 2);

async function start(): Promise<Miniflare> {
  const scriptPath = await bundleWorker("workers/gateway/index.ts");
  const miniflare = new Miniflare({
    host: "127.0.0.1",
    port: 0,
    cf: false,
    log: new Log(LogLevel.WARN),
    workers: [
      {
        name: "gateway",
        modules: true,
        scriptPath,
        modulesRoot: path.dirname(scriptPath),
        compatibilityDate: "2026-08-01",
        bindings: {
          KEEPTRUSTS_POLICY_CONFIG: CONFIG,
          KEEPTRUSTS_MAX_BODY_BYTES: String(1024 * 1024),
          KEEPTRUSTS_AUTH: "optional",
        },
        d1Databases: { DB: "keeptrusts" },
        durableObjects: {
          RATE_LIMITER: "RateLimiter",
          ESCALATIONS: { className: "EscalationDO", useSQLite: true },
          LEDGER: { className: "LedgerDO", useSQLite: true },
        },
        queueProducers: { EVENTS: { queueName: "keeptrusts-events" } },
        queueConsumers: { "keeptrusts-events": EVENTS_CONSUMER },
      },
      {
        name: "driver",
        modules: true,
        script: DRIVER,
        compatibilityDate: "2026-08-01",
        durableObjects: {
          LEDGER: { className: "LedgerDO", scriptName: "gateway", useSQLite: true },
        },
      },
    ],
  });
  await miniflare.ready;
  await applyMigrations(
    await miniflare.getD1Database("DB", "gateway"),
    path.join(ROOT, "d1-migrations"),
  );
  return miniflare;
}

/** Part 1: holds + settles per second through one LedgerDO. */
async function throughput(miniflare: Miniflare): Promise<string[]> {
  const driver = await miniflare.getWorker("driver");
  const lines = [
    `## Holds + settles through one LedgerDO (${PAIRS} pairs per row)`,
    "",
    "| lanes | pairs/s | calls/s | hold p50 / p99 ms | settle p50 / p99 ms | books balance |",
    "| ---: | ---: | ---: | ---: | ---: | :---: |",
  ];
  for (const lanes of CONCURRENCY) {
    const org = `org_bench_${lanes}_${Date.now()}`;
    const started = performance.now();
    const response = await driver.fetch(`http://driver/?n=${PAIRS}&c=${lanes}&org=${org}`);
    const elapsed = (performance.now() - started) / 1000;
    if (!response.ok) throw new Error(`driver failed: ${await response.text()}`);
    const answer = (await response.json()) as DriverAnswer;
    const books = answer.audit.every((w) => w.entries_sum === w.balance && w.held === 0);
    lines.push(
      `| ${lanes} | ${fixed(PAIRS / elapsed, 0)} | ${fixed((2 * PAIRS) / elapsed, 0)} | ${ms(answer.hold, 0.5)} / ${ms(answer.hold, 0.99)} | ${ms(answer.settle, 0.5)} / ${ms(answer.settle, 0.99)} | ${books && answer.flushed ? "yes" : "NO"} |`,
    );
  }
  return lines;
}

/** A funded org with a gateway key, straight into D1 and the ledger. */
async function fundedKey(miniflare: Miniflare): Promise<string> {
  const database = await miniflare.getD1Database("DB", "gateway");
  const orgId = `org_bench_e2e_${Date.now()}`;
  const key = generateKey("gateway");
  await database
    .prepare("INSERT INTO orgs (id, name, created_at) VALUES (?, ?, ?)")
    .bind(orgId, orgId, Date.now())
    .run();
  await database
    .prepare(
      "INSERT INTO api_keys (id, org_id, kind, name, prefix, hash, role, created_at) VALUES (?, ?, 'gateway', 'bench', ?, ?, 'member', ?)",
    )
    .bind(`key_${orgId}`, orgId, keyPrefix(key), await hashKey(key), Date.now())
    .run();
  const driver = await miniflare.getWorker("driver");
  await driver.fetch(`http://driver/?n=0&c=1&org=${orgId}`);
  return key;
}

async function timedRequests(url: string, key: string | null): Promise<number[]> {
  const body = JSON.stringify({
    model: "bench-model",
    max_tokens: 64,
    messages: [{ role: "user", content: "Summarise the quarterly report in two sentences." }],
  });
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (key) headers.authorization = `Bearer ${key}`;
  const times: number[] = [];
  for (let index = 0; index < REQUESTS; index += 1) {
    const started = performance.now();
    const response = await fetch(`${url}v1/chat/completions`, { method: "POST", headers, body });
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`request failed with ${response.status}`);
    times.push(performance.now() - started);
  }
  return times;
}

/** Part 2: the latency the wallet step adds to a request, c=1. */
async function addedLatency(miniflare: Miniflare): Promise<string[]> {
  const url = (await miniflare.ready).href;
  const key = await fundedKey(miniflare);
  await timedRequests(url, null);
  await timedRequests(url, key);
  const p50 = { anonymous: [] as number[], metered: [] as number[] };
  const p99 = { anonymous: [] as number[], metered: [] as number[] };
  for (let rep = 0; rep < REPS; rep += 1) {
    const order = rep % 2 === 0 ? [null, key] : [key, null];
    for (const which of order) {
      const sorted = sortedCopy(await timedRequests(url, which));
      const side = which ? "metered" : "anonymous";
      p50[side].push(percentile(sorted, 0.5));
      p99[side].push(percentile(sorted, 0.99));
    }
  }
  return [
    "",
    `## What the wallet step adds to a request (c=1, ${REPS} reps × ${REQUESTS} requests)`,
    "",
    "| figure | anonymous (not metered) | gateway key + funded wallet | added (paired per rep) |",
    "| --- | ---: | ---: | ---: |",
    `| p50 ms | ${formatSpread(spread(p50.anonymous), 2)} | ${formatSpread(spread(p50.metered), 2)} | ${formatSpread(spread(pairedDeltas(p50.metered, p50.anonymous)), 2)} |`,
    `| p99 ms | ${formatSpread(spread(p99.anonymous), 2)} | ${formatSpread(spread(p99.metered), 2)} | ${formatSpread(spread(pairedDeltas(p99.metered, p99.anonymous)), 2)} |`,
    "",
    "The keyed side also resolves its gateway key (cached in the isolate after the first",
    "request); the hold is the one awaited call, the settle runs after the answer (waitUntil).",
  ];
}

const miniflare = await start();
try {
  const lines = [...(await throughput(miniflare)), ...(await addedLatency(miniflare))];
  console.log(lines.join("\n"));
} finally {
  await miniflare.dispose();
}
