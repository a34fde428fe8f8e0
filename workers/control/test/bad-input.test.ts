import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { call, json, unique } from "./control.ts";
import { invalid, ROWS, type BadCase, type BadRow, type Fixture } from "./bad-input-table.ts";
import { populateOrg, snapshotOrg, type World } from "./world.ts";

const WRONG_TYPE = { wrong: "type" };
const LONG = "x".repeat(300_000);
let fixture: Fixture;

/** The path of a route with its parameters filled in. */
function fill(template: string, params: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (_match, name: string) => params[name] ?? name);
}

type Schema = { properties?: Record<string, unknown>; required?: string[] };
type Document = {
  paths: Record<
    string,
    Record<string, { requestBody?: { content: Record<string, { schema: Schema }> } }>
  >;
};

/** The bad requests every mutating route gets, derived from its OpenAPI entry. */
function genericCases(row: BadRow, document: Document, w: World): BadCase[] {
  const [method = "", template = ""] = row.route.split(" ");
  const schema =
    document.paths[template]?.[method.toLowerCase()]?.requestBody?.content["application/json"]
      ?.schema;
  const params = row.params?.(w) ?? {};
  const path = fill(template, params);
  const body = row.body?.(w);
  const cases: BadCase[] = [
    {
      label: "oversized body",
      path,
      body: JSON.stringify({ name: LONG }),
      status: 413,
      code: "payload_too_large",
    },
  ];
  for (const name of Object.keys(params)) {
    cases.push({
      label: `unknown ${name}`,
      path: fill(template, { ...params, [name]: "nope_0000" }),
      body,
      status: 404,
      code: "not_found",
    });
    cases.push(
      invalid(
        `${name} too long`,
        fill(template, { ...params, [name]: "i".repeat(201) }),
        body,
        name,
      ),
    );
  }
  if (!schema || !body) return cases;
  cases.push({ label: "invalid JSON", path, body: "{not json", status: 400, code: "invalid_json" });
  if (schema.required?.length) cases.push(invalid("no body", path, undefined));
  cases.push(invalid("unknown field", path, { ...body, unexpected: true }, ""));
  for (const field of schema.required ?? []) {
    const { [field]: _dropped, ...rest } = body;
    cases.push(invalid(`missing ${field}`, path, rest, field));
  }
  for (const field of Object.keys(schema.properties ?? {}))
    cases.push(
      invalid(`${field} of the wrong type`, path, { ...body, [field]: WRONG_TYPE }, field),
    );
  return cases;
}

let tables: string[] = [];

/** Row counts of every table, for the whole database, in one round trip. */
async function countAll(): Promise<Record<string, number>> {
  if (tables.length === 0) {
    const listed = await env.DB.prepare(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' AND name NOT LIKE '%_fts%'",
    ).all<{ name: string }>();
    tables = listed.results.map((row) => row.name);
  }
  const answers = await env.DB.batch<{ n: number }>(
    tables.map((name) => env.DB.prepare(`SELECT COUNT(*) AS n FROM "${name}"`)),
  );
  return Object.fromEntries(
    tables.map((name, index) => [name, answers[index]?.results[0]?.n ?? -1]),
  );
}

let document: Document;

beforeAll(async () => {
  const world = await populateOrg("bad");
  document = await json<Document>("GET", "/v1/openapi.json");
  const revoked = await json<{ id: string }>("POST", "/v1/tokens", {
    key: world.owner.key,
    body: { type: "gateway", name: unique("revoked") },
  });
  await json("DELETE", `/v1/tokens/${revoked.id}`, { key: world.owner.key });
  const accepted = await env.DB.prepare(
    "SELECT id FROM invites WHERE org_id = ? AND accepted_at IS NOT NULL LIMIT 1",
  )
    .bind(world.orgId)
    .first<{ id: string }>();
  fixture = { world, revokedKeyId: revoked.id, acceptedInviteId: accepted?.id ?? "" };
});

describe("the bad-input table", () => {
  it("covers every mutating route of the OpenAPI document", () => {
    const mutating = Object.entries(document.paths).flatMap(([path, operations]) =>
      ["post", "put", "patch", "delete"]
        .filter((method) => operations[method])
        .map((method) => `${method.toUpperCase()} ${path}`),
    );
    const covered = ROWS.map((row) => row.route);
    expect(
      mutating.filter((route) => !covered.includes(route) && !route.includes(" /v1/auth/")),
    ).toEqual([]);
    expect(covered.filter((route) => !mutating.includes(route))).toEqual([]);
  });
});

describe.each(ROWS.map((row) => [row.route, row] as const))("%s", (_route, row) => {
  it("answers every bad request with a clear problem and writes nothing", async () => {
    const { world } = fixture;
    const cases = [...genericCases(row, document, world), ...row.cases(world, fixture)];
    for (const bad of cases) {
      const where = `${row.route} — ${bad.label}`;
      const countsBefore = await countAll();
      const before = await snapshotOrg(world.orgId);
      const response = await call(row.route.split(" ")[0] ?? "", bad.path, {
        ...(row.anonymous ? {} : { key: world.owner.key }),
        body: bad.body,
        ...(bad.headers ? { headers: bad.headers } : {}),
      });
      const text = await response.text();
      expect(response.status, `${where}: ${text}`).toBe(bad.status);
      expect(response.headers.get("content-type"), where).toBe("application/problem+json");
      const problem = JSON.parse(text) as {
        code: string;
        detail: string;
        title: string;
        errors?: Array<{ path: string }>;
      };
      expect(problem.code, where).toBe(bad.code);
      expect(problem.title.length, where).toBeGreaterThan(0);
      expect(problem.detail.length, where).toBeGreaterThan(0);
      if (bad.field !== undefined)
        expect(
          problem.errors?.map((error) => error.path),
          where,
        ).toContain(bad.field);
      expect(await countAll(), `${where}: rows added`).toEqual(countsBefore);
      expect(await snapshotOrg(world.orgId), `${where}: rows changed`).toEqual(before);
    }
  }, 60_000);
});
