import { readFile, rm, stat } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startControl, type RunningControl } from "../runtime/start-control.ts";
import { runKt, temporaryFolder, type Finished } from "./run-kt.ts";

const STARTUP_MS = 120_000;
const SLOW_MS = 120_000;
const BOOTSTRAP_TOKEN = "cli-test-bootstrap-token";
const ACCESS_KEY = /kt_ak_[A-Za-z0-9]{40}/g;
const GATEWAY_KEY = /kt_gk_[A-Za-z0-9]{40}/g;

let control: RunningControl | undefined;
let api = "";
let config = "";
let ownerKey = "";

/** Runs kt with its own config folder and no KEEPTRUSTS_* settings from the outer shell. */
function kt(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Finished> {
  return runKt(args, {
    env: {
      XDG_CONFIG_HOME: config,
      KEEPTRUSTS_API_URL: "",
      KEEPTRUSTS_API_TOKEN: "",
      KEEPTRUSTS_BOOTSTRAP_TOKEN: "",
      ...env,
    },
  });
}

/** Runs kt and expects exit 0, returning stdout. */
async function ok(args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  const result = await kt(args, env);
  expect(result.code, `kt ${args.join(" ")}\n${result.stdout}${result.stderr}`).toBe(0);
  return result.stdout;
}

beforeAll(async () => {
  config = await temporaryFolder();
  control = await startControl({
    host: "127.0.0.1",
    port: 0,
    persistTo: false,
    bootstrapToken: BOOTSTRAP_TOKEN,
  });
  api = control.url.origin;
}, STARTUP_MS);

afterAll(async () => {
  await control?.close();
  await rm(config, { recursive: true, force: true });
});

describe("kt init", () => {
  it(
    "creates the first org and its owner, and prints the owner key once",
    async () => {
      const stdout = await ok([
        "init",
        "--api-url",
        api,
        "--org",
        "acme",
        "--email",
        "ann@example.com",
      ]);
      expect(stdout).toContain('Created org "acme"');
      expect(stdout).toContain("ann@example.com");
      const keys = stdout.match(ACCESS_KEY) ?? [];
      expect(keys).toHaveLength(1);
      ownerKey = keys[0] ?? "";
    },
    SLOW_MS,
  );

  it(
    "refuses a second org without the bootstrap token: exit 1 and one clear line",
    async () => {
      const second = await kt([
        "init",
        "--api-url",
        api,
        "--org",
        "two",
        "--email",
        "b@example.com",
      ]);
      expect(second.code).toBe(1);
      expect(second.stdout).toBe("");
      expect(second.stderr).toBe(
        "kt: already_bootstrapped: this control API has an org already; to add another, pass the worker's KEEPTRUSTS_BOOTSTRAP_TOKEN with --bootstrap-token\n",
      );
      const wrong = await kt([
        "init",
        "--api-url",
        api,
        "--org",
        "two",
        "--email",
        "b@example.com",
        "--bootstrap-token",
        "nope",
      ]);
      expect(wrong).toMatchObject({
        code: 1,
        stderr: "kt: forbidden: the bootstrap token is wrong\n",
      });
      const withToken = await ok(
        ["init", "--api-url", api, "--org", "two", "--email", "b@example.com", "--json"],
        { KEEPTRUSTS_BOOTSTRAP_TOKEN: BOOTSTRAP_TOKEN },
      );
      expect(JSON.parse(withToken)).toMatchObject({
        org: { name: "two" },
        access_key: expect.stringMatching(/^kt_ak_/),
      });
    },
    SLOW_MS,
  );
});

describe("kt login", () => {
  it(
    "checks the key with GET /v1/me before storing anything",
    async () => {
      const result = await kt(["login", "--api-url", api, "--token", `kt_ak_${"0".repeat(40)}`]);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(
        /^kt: unauthenticated: the access key is unknown, revoked or expired/,
      );
      await expect(stat(path.join(config, "keeptrusts/credentials.json"))).rejects.toThrow();
      const gateway = await kt(["login", "--api-url", api, "--token", `kt_gk_${"0".repeat(40)}`]);
      expect(gateway.code).toBe(2);
    },
    SLOW_MS,
  );

  it(
    "stores the access key readable by the user only, for later commands",
    async () => {
      const stdout = await ok(["login", "--api-url", api, "--token", ownerKey]);
      expect(stdout).toContain(`Logged in to ${api} as ann@example.com, owner of "acme".`);
      const file = path.join(config, "keeptrusts/credentials.json");
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      expect(JSON.parse(await readFile(file, "utf8"))).toEqual({ api_url: api, token: ownerKey });
      expect(await ok(["team", "list"])).toBe("No teams.\n");
    },
    SLOW_MS,
  );
});

describe("kt team, kt invites and kt members", () => {
  it(
    "creates and lists teams, and refuses a duplicate with the API's reason",
    async () => {
      expect(
        await ok(["team", "create", "--name", "legal", "--description", "Legal team"]),
      ).toMatch(/^Created team legal \(team_[0-9a-f]+\)\.\n$/);
      const duplicate = await kt(["team", "create", "--name", "legal"]);
      expect(duplicate).toMatchObject({
        code: 1,
        stderr: 'kt: conflict: a team named "legal" already exists\n',
      });
      const table = (await ok(["team", "list"])).split("\n");
      expect(table[0]).toMatch(/^ID\s+NAME\s+DESCRIPTION\s+CREATED$/);
      expect(table[1]).toMatch(/^team_\w+\s+legal\s+Legal team\s+\d{4}-\d\d-\d\d \d\d:\d\d$/);
      expect(JSON.parse(await ok(["team", "list", "--json"]))).toEqual([
        expect.objectContaining({ name: "legal", description: "Legal team" }),
      ]);
    },
    SLOW_MS,
  );

  it(
    "adds someone to a team once they accepted their invite",
    async () => {
      const invite = JSON.parse(
        await ok(["invites", "create", "--email", "bob@example.com", "--role", "member", "--json"]),
      ) as { accept_url: string };
      const token = new URL(invite.accept_url).searchParams.get("token");
      const accepted = await fetch(`${api}/v1/invites/accept`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ token }),
      });
      expect(accepted.status).toBe(200);
      expect(
        await ok([
          "team",
          "add-member",
          "--team",
          "legal",
          "--email",
          "bob@example.com",
          "--role",
          "admin",
        ]),
      ).toBe("Added bob@example.com to legal as admin.\n");
      expect(JSON.parse(await ok(["team", "members", "--team", "legal", "--json"]))).toEqual([
        expect.objectContaining({ email: "bob@example.com", role: "admin" }),
      ]);
      expect(await ok(["members", "list"])).toMatch(/bob@example\.com\s+-\s+member/);
      expect(
        await ok(["members", "set-role", "--email", "bob@example.com", "--role", "viewer"]),
      ).toBe("bob@example.com is now viewer.\n");
      expect(
        await ok(["team", "remove-member", "--team", "legal", "--email", "bob@example.com"]),
      ).toBe("Removed bob@example.com from legal.\n");
    },
    SLOW_MS,
  );
});

describe("kt tokens", () => {
  let keyId = "";
  let firstKey = "";

  it(
    "creates a gateway key with every flag and prints it once",
    async () => {
      const stdout = await ok([
        "tokens",
        "create",
        "--type",
        "gateway",
        "--name",
        "support-bot",
        "--team-id",
        "legal",
        "--config",
        "support-config",
        "--models",
        "gpt-4o-mini,mock-echo",
        "--daily-budget",
        "25",
        "--rpm-limit",
        "60",
        "--knowledge-assets",
        "handbook",
        "--expires-in",
        "30d",
      ]);
      const keys = stdout.match(GATEWAY_KEY) ?? [];
      expect(keys).toHaveLength(1);
      firstKey = keys[0] ?? "";
      keyId = /\((key_[0-9a-f]+)\)/.exec(stdout)?.[1] ?? "";
      expect(stdout).toContain(`Created gateway key "support-bot" (${keyId}) for team team_`);
      const listed = JSON.parse(
        await ok(["tokens", "list", "--type", "gateway", "--json"]),
      ) as Array<Record<string, unknown>>;
      expect(listed).toEqual([
        expect.objectContaining({
          id: keyId,
          configuration: "support-config",
          models: ["gpt-4o-mini", "mock-echo"],
          daily_budget: 25,
          rpm_limit: 60,
          knowledge_assets: ["handbook"],
          prefix: firstKey.slice(0, 10),
        }),
      ]);
      expect(listed[0]).not.toHaveProperty("key");
      const table = await ok(["tokens", "list"]);
      expect(table).toContain("support-bot");
      expect(table).not.toMatch(GATEWAY_KEY);
      expect(table).not.toMatch(ACCESS_KEY);
    },
    SLOW_MS,
  );

  it(
    "rotates (a new key, once) and revokes",
    async () => {
      const rotated = await ok(["tokens", "rotate", "support-bot"]);
      const keys = rotated.match(GATEWAY_KEY) ?? [];
      expect(keys).toHaveLength(1);
      expect(keys[0]).not.toBe(firstKey);
      expect(rotated).toContain(`Rotated gateway key "support-bot" (${keyId})`);
      expect(await ok(["tokens", "revoke", keyId])).toBe(
        `Revoked gateway key "support-bot" (${keyId}).\n`,
      );
      expect(await ok(["tokens", "list", "--type", "gateway"])).toBe("No keys.\n");
      const all = JSON.parse(await ok(["tokens", "list", "--all", "--json"])) as Array<{
        id: string;
        revoked_at: number | null;
      }>;
      expect(all.find((token) => token.id === keyId)?.revoked_at).toEqual(expect.any(Number));
    },
    SLOW_MS,
  );

  it(
    "turns an API refusal into one line and exit 1",
    async () => {
      const created = JSON.parse(
        await ok([
          "tokens",
          "create",
          "--type",
          "access",
          "--name",
          "reader",
          "--scopes",
          "teams:read",
          "--json",
        ]),
      ) as { key: string };
      const refused = await kt(["team", "create", "--name", "x"], {
        KEEPTRUSTS_API_URL: api,
        KEEPTRUSTS_API_TOKEN: created.key,
      });
      expect(refused).toMatchObject({
        code: 1,
        stdout: "",
        stderr: "kt: forbidden: this needs the teams:write permission\n",
      });
    },
    SLOW_MS,
  );

  it(
    "forgets the key on logout",
    async () => {
      expect(await ok(["logout"])).toContain("Logged out");
      const after = await kt(["team", "list"]);
      expect(after.code).toBe(2);
      expect(after.stderr).toContain("no access key");
    },
    SLOW_MS,
  );
});

describe("kt admin usage", () => {
  it.concurrent.each([
    [["tokens", "create", "--type", "nope", "--name", "x"], "Allowed choices are access, gateway"],
    [
      ["tokens", "create", "--type", "gateway", "--name", "x", "--daily-budget", "lots"],
      "expected a number above 0",
    ],
    [
      ["tokens", "create", "--type", "gateway", "--name", "x", "--expires-in", "30 days"],
      "expected a duration like 30d",
    ],
    [
      ["tokens", "create", "--type", "access", "--name", "x", "--models", "a"],
      "--models applies to gateway keys only",
    ],
    [["team", "create"], "required option '--name <name>' not specified"],
    [
      ["team", "add-member", "--team", "t", "--email", "e", "--role", "owner"],
      "Allowed choices are member, admin",
    ],
    [["members", "set-role", "--email", "e"], "required option '--role <role>' not specified"],
    [["init", "--api-url", "not-a-url", "--org", "o", "--email", "e"], "expected an http(s) URL"],
  ])(
    "kt %j exits 2 with a usage message",
    async (args, message) => {
      const result = await kt(args);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(message);
    },
    SLOW_MS,
  );

  it.concurrent.each([
    [["init"]],
    [["login"]],
    [["logout"]],
    [["team"]],
    [["team", "create"]],
    [["team", "list"]],
    [["team", "members"]],
    [["team", "add-member"]],
    [["team", "remove-member"]],
    [["members"]],
    [["members", "list"]],
    [["members", "set-role"]],
    [["members", "remove"]],
    [["invites"]],
    [["invites", "create"]],
    [["invites", "list"]],
    [["invites", "revoke"]],
    [["tokens"]],
    [["tokens", "create"]],
    [["tokens", "list"]],
    [["tokens", "rotate"]],
    [["tokens", "revoke"]],
  ])(
    "kt %j --help shows usage and an example",
    async (command) => {
      const result = await kt([...command, "--help"]);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(`Usage: ${["kt", ...command].join(" ")}`);
      expect(result.stdout).toMatch(/Examples?:\n {2}\$ kt /);
    },
    SLOW_MS,
  );
});
