import { readdir, readFile, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startControl, type RunningControl } from "../runtime/start-control.ts";
import { KT, ROOT, runKt, startNode, temporaryFolder, type Started } from "./run-kt.ts";

const STARTUP_MS = 180_000;
const POLL = "1s";

/**
 * v1 redacts e-mail addresses; v2 blocks them: the switch is visible in every answer.
 * A second target, on a host that does not exist, is reached only through --upstream.
 */
async function configVersion(version: string, action: "redact" | "block"): Promise<string> {
  const text = await readFile(path.join(ROOT, "examples/first-gateway.yaml"), "utf8");
  return text
    .replace("version: 1.0.0", `version: ${version}`)
    .replace("action: redact", `action: ${action}`)
    .replace(
      "      model: mock-echo\n",
      "      model: mock-echo\n    - id: slow\n      provider: openai\n      model: slow-stream\n      base_url: https://upstream.invalid\n",
    );
}

/**
 * A fake OpenAI upstream whose stream sends its first chunk at once and the rest
 * only when `release` is called: a stream guaranteed to be open across a switch.
 */
function slowUpstream(): { server: Server; release: () => void; url: () => string } {
  let release = (): void => undefined;
  const released = new Promise<void>((resolve) => (release = resolve));
  const chunk = (content: string, finish: string | null) =>
    `data: ${JSON.stringify({
      id: "chatcmpl-slow",
      object: "chat.completion.chunk",
      created: 0,
      model: "slow-stream",
      choices: [{ index: 0, delta: { content }, finish_reason: finish }],
    })}\n\n`;
  const server = createServer((request, response) => {
    request.resume();
    request.on("end", () => {
      response.writeHead(200, { "content-type": "text/event-stream" });
      response.write(chunk("part 1, ", null));
      void released.then(() => {
        response.write(chunk("part 2, ", null));
        response.write(chunk("part 3", "stop"));
        response.end("data: [DONE]\n\n");
      });
    });
  });
  server.listen(0, "127.0.0.1");
  const url = () => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { server, release: () => release(), url };
}

/** The text of an OpenAI SSE stream, and whether it ended with [DONE]. */
async function readStream(response: Response): Promise<{ text: string; done: boolean }> {
  const lines = (await response.text()).split("\n").filter((line) => line.startsWith("data: "));
  let text = "";
  for (const line of lines.slice(0, -1)) {
    const chunk = JSON.parse(line.slice(6)) as { choices: { delta: { content?: string } }[] };
    text += chunk.choices[0]?.delta.content ?? "";
  }
  return { text, done: lines.at(-1) === "data: [DONE]" };
}

/** Polls until `read` returns something. */
async function eventually<T>(read: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`nothing after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

interface Health {
  status: string;
  config: { version: string; hash: string; source: string };
  control_plane: { reachable: boolean; last_success_at: string | null; last_error: string | null };
  events: { pending: number; spooled: number; delivered: number; dropped: number };
}

async function health(origin: string): Promise<Health> {
  const response = await fetch(`${origin}/health`);
  expect(response.status).toBe(200);
  return (await response.json()) as Health;
}

function chat(origin: string, content: string): Promise<Response> {
  return fetch(`${origin}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model: "mock-echo", messages: [{ role: "user", content }] }),
  });
}

/** SIGTERM first, so the gateway stops its workerd processes; SIGKILL would orphan them. */
async function stopChild(started: Started | undefined): Promise<void> {
  const child = started?.child;
  if (!started || !child || child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
  await started.exited;
  clearTimeout(timer);
}

describe("kt run --managed", () => {
  let folder = "";
  let control: RunningControl | undefined;
  let controlPort = 0;
  let api = "";
  let ownerKey = "";
  let gatewayId = "";
  let gatewayToken = "";
  let managed: Started | undefined;
  let origin = "";
  const whileDown: string[] = [];
  const upstream = slowUpstream();

  const admin = async (method: string, route: string, body?: unknown): Promise<unknown> => {
    const response = await fetch(`${api}${route}`, {
      method,
      headers: { authorization: `Bearer ${ownerKey}`, "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${route}: ${response.status} ${text}`);
    return JSON.parse(text) as unknown;
  };

  const startManaged = (persistTo: string, apiUrl = api): Started =>
    startNode(
      [
        KT,
        "run",
        "--managed",
        "--gateway-id",
        gatewayId,
        "--api-url",
        apiUrl,
        "--listen",
        "127.0.0.1:0",
        "--poll-interval",
        POLL,
        "--persist-to",
        persistTo,
        "--upstream",
        upstream.url(),
      ],
      { cwd: folder, env: { KEEPTRUSTS_GATEWAY_TOKEN: gatewayToken } },
    );

  const listening = async (started: Started): Promise<string> =>
    (await started.waitFor(/listening on (http:\/\/\S+)/, STARTUP_MS))[1] ?? "";

  const storedEvents = async (): Promise<string[]> => {
    const database = await control?.miniflare.getD1Database("DB");
    const rows = await database
      ?.prepare("SELECT request_id FROM decision_events WHERE gateway_id = ?")
      .bind(gatewayId)
      .all<{ request_id: string }>();
    return (rows?.results ?? []).map((row) => row.request_id);
  };

  beforeAll(async () => {
    folder = await temporaryFolder();
    control = await startControl({
      host: "127.0.0.1",
      port: 0,
      persistTo: path.join(folder, "control"),
    });
    api = control.url.origin;
    controlPort = Number(control.url.port);
    const bootstrap = (await (
      await fetch(`${api}/v1/bootstrap`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ org: "acme", email: "owner@example.com" }),
      })
    ).json()) as { access_key: string };
    ownerKey = bootstrap.access_key;
    await admin("POST", "/v1/configurations", {
      name: "edge",
      yaml: await configVersion("1.0.0", "redact"),
      status: "active",
    });
    const gateway = (await admin("POST", "/v1/gateways", {
      name: "edge-1",
      kind: "managed",
      configuration: "edge",
    })) as { id: string; gateway_token: string };
    gatewayId = gateway.id;
    gatewayToken = gateway.gateway_token;
    await admin("POST", "/v1/admin/configurations/rollout", {
      gateway_ids: [gatewayId],
      version: "1.0.0",
    });
  }, STARTUP_MS);

  afterAll(async () => {
    await stopChild(managed);
    await control?.close().catch(() => undefined);
    upstream.release();
    upstream.server.closeAllConnections();
    await new Promise((resolve) => upstream.server.close(resolve));
    await rm(folder, { recursive: true, force: true });
  }, 60_000);

  it("without --managed, says what to use instead", async () => {
    const result = await runKt(["run"], { cwd: folder });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("kt gateway run --policy-config");
  });

  it("explains itself in --help, and asks for what is missing with exit 2", async () => {
    const help = await runKt(["run", "--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("KEEPTRUSTS_GATEWAY_TOKEN");
    expect(help.stdout).toMatch(/Examples:\n {2}\$ kt run --managed/);
    const missing = await runKt(["run", "--managed", "--api-url", "http://127.0.0.1:9"], {
      cwd: folder,
      env: { KEEPTRUSTS_GATEWAY_ID: "", KEEPTRUSTS_GATEWAY_TOKEN: "" },
    });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("needs --gateway-id (or KEEPTRUSTS_GATEWAY_ID)");
  });

  it(
    "refuses to start (exit 1) with neither a control API nor a cached config",
    async () => {
      const result = await startManaged(path.join(folder, "empty"), "http://127.0.0.1:9").exited;
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/no policy config to serve: the control API is unreachable/);
      expect(result.stderr).toContain("there is no cached config");
    },
    STARTUP_MS,
  );

  it(
    "fetches its config from the control plane and serves it",
    async () => {
      managed = startManaged(path.join(folder, "state"));
      origin = await listening(managed);
      const state = await health(origin);
      expect(state).toMatchObject({
        status: "ok",
        config: { version: "1.0.0", source: "control-plane" },
        control_plane: { reachable: true, last_error: null },
      });
      const response = await chat(origin, "Mail ann@example.com");
      expect(response.status).toBe(200);
      const body = (await response.json()) as { choices: { message: { content: string } }[] };
      expect(body.choices[0]?.message.content).toBe("Echo: Mail [EMAIL]");
      const cache = JSON.parse(
        await readFile(path.join(folder, "state/managed", gatewayId, "config.json"), "utf8"),
      ) as { version: string; sha256: string };
      expect(cache).toMatchObject({ version: "1.0.0", sha256: state.config.hash });
    },
    STARTUP_MS,
  );

  it(
    "switches to a rolled-out version under load without failing a request",
    async () => {
      const outcomes: string[][] = [];
      let switchedAt = 0;
      const deadline = Date.now() + 150_000;
      const loop = async (lane: number): Promise<void> => {
        const seen: string[] = [];
        outcomes[lane] = seen;
        // Runs until the switch has been seen for a while, or the time is up.
        while (Date.now() < deadline && (switchedAt === 0 || Date.now() - switchedAt < 3_000)) {
          try {
            const response = await chat(origin, `lane ${lane}: write to ann@example.com`);
            const body = (await response.json()) as { error?: { code?: string } };
            if (response.status === 403 && body.error?.code === "policy_blocked") {
              switchedAt ||= Date.now();
              seen.push("block");
            } else if (response.status === 200) {
              seen.push(response.headers.get("x-keeptrusts-verdict") ?? "no verdict");
            } else {
              seen.push(`status ${response.status}`);
            }
          } catch (error) {
            seen.push(`failed: ${String((error as Error).cause ?? error)}`);
          }
        }
      };
      // A stream opened on v1 stays open until v2 serves: the old gateway must wait for it.
      const stream = await fetch(`${origin}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          model: "slow-stream",
          stream: true,
          messages: [{ role: "user", content: "tell me a story" }],
        }),
      });
      expect(stream.status).toBe(200);
      const streamed = readStream(stream).catch((error: unknown) => ({
        text: `the stream broke: ${String(error)}`,
        done: false,
      }));
      const lanes = [0, 1, 2, 3].map(loop);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      await admin("POST", "/v1/configurations", {
        name: "edge",
        yaml: await configVersion("2.0.0", "block"),
      });
      await admin("POST", "/v1/admin/configurations/rollout", {
        gateway_ids: [gatewayId],
        version: "2.0.0",
      });
      await Promise.all(lanes);
      upstream.release();
      expect(await streamed).toEqual({ text: "part 1, part 2, part 3", done: true });

      const all = outcomes.flat();
      expect(all.filter((outcome) => outcome !== "redact" && outcome !== "block")).toEqual([]);
      expect(all).toContain("redact");
      for (const lane of outcomes) expect(lane.at(-1)).toBe("block");
      expect(await health(origin)).toMatchObject({ config: { version: "2.0.0" } });
      expect(managed?.stdout()).toContain("switched to version 2.0.0 (was 1.0.0)");
      const reported = await eventually(async () => {
        const state = (await admin(
          "GET",
          `/v1/admin/configurations/gateways/${gatewayId}/runtime-state`,
        )) as { running_version: string; health: { config_source?: string } };
        return state.running_version === "2.0.0" ? state : undefined;
      }, 60_000);
      expect(reported.health).toMatchObject({ serving: true, config_source: "control-plane" });
    },
    STARTUP_MS,
  );

  it(
    "forwards its decision events to the control API",
    async () => {
      const response = await chat(origin, "hello");
      const requestId = response.headers.get("x-keeptrusts-request-id") ?? "";
      expect(requestId).not.toBe("");
      await eventually(
        async () => ((await storedEvents()).includes(requestId) ? true : undefined),
        60_000,
      );
      expect((await storedEvents()).length).toBeGreaterThan(10);
    },
    STARTUP_MS,
  );

  it(
    "keeps serving when the control API goes away, and says so in /health",
    async () => {
      await control?.close();
      control = undefined;
      const state = await eventually(async () => {
        const current = await health(origin);
        return current.control_plane.reachable ? undefined : current;
      }, 60_000);
      expect(state).toMatchObject({
        status: "degraded",
        config: { version: "2.0.0" },
        control_plane: { reachable: false },
      });
      expect(state.control_plane.last_error).toBeTruthy();
      expect(state.control_plane.last_success_at).toBeTruthy();
      const blocked = await chat(origin, "Mail ann@example.com");
      expect(blocked.status).toBe(403);
      const allowed = await chat(origin, "no personal data here");
      expect(allowed.status).toBe(200);
      for (const response of [blocked, allowed])
        whileDown.push(response.headers.get("x-keeptrusts-request-id") ?? "");
      // Their events wait, on disk once a delivery has failed.
      await eventually(
        async () => ((await health(origin)).events.spooled >= 2 ? true : undefined),
        60_000,
      );
    },
    STARTUP_MS,
  );

  it(
    "after a restart with the control API still down, serves the cached version",
    async () => {
      managed?.child.kill("SIGTERM");
      expect(await managed?.exited).toMatchObject({ code: 0 });
      const spool = path.join(folder, "state/managed", gatewayId, "events");
      expect((await readdir(spool)).length).toBeGreaterThan(0);

      managed = startManaged(path.join(folder, "state"));
      origin = await listening(managed);
      expect(managed.stderr()).toMatch(/serving the cached version 2\.0\.0/);
      expect(await health(origin)).toMatchObject({
        status: "degraded",
        config: { version: "2.0.0", source: "cache" },
        control_plane: { reachable: false },
      });
      expect((await chat(origin, "Mail ann@example.com")).status).toBe(403);
    },
    STARTUP_MS,
  );

  it(
    "delivers the events kept on disk once the control API is back",
    async () => {
      control = await startControl({
        host: "127.0.0.1",
        port: controlPort,
        persistTo: path.join(folder, "control"),
      });
      const state = await eventually(async () => {
        const current = await health(origin);
        return current.control_plane.reachable && current.events.pending === 0
          ? current
          : undefined;
      }, 90_000);
      expect(state).toMatchObject({
        status: "ok",
        config: { version: "2.0.0", source: "control-plane" },
      });
      expect(await readdir(path.join(folder, "state/managed", gatewayId, "events"))).toEqual([]);
      expect(state.events.dropped).toBe(0);
      const stored = await storedEvents();
      for (const requestId of whileDown) expect(stored).toContain(requestId);
    },
    STARTUP_MS,
  );

  it("stops cleanly on SIGTERM", async () => {
    managed?.child.kill("SIGTERM");
    expect(await managed?.exited).toMatchObject({ code: 0, signal: null });
  }, 60_000);
});
