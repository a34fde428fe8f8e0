import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import chatPolicyCases from "../../../examples/chat-policy.cases.yaml?raw";
import chatPolicy from "../../../examples/chat-policy.yaml?raw";
import firstGatewayCases from "../../../examples/first-gateway.cases.yaml?raw";
import firstGateway from "../../../examples/first-gateway.yaml?raw";
import multiTeamCases from "../../../examples/multi-team-governance.cases.yaml?raw";
import multiTeam from "../../../examples/multi-team-governance.yaml?raw";
import { generateKey, hashKey, keyPrefix, newId } from "../../db/api-key.ts";
import { parseCaseFile, type PolicyCase } from "../../policy/cases/case-file.ts";
import { caseMessages } from "../../policy/cases/run-cases.ts";
import { chat, gateway } from "./gateway.ts";

/** A gateway key carrying the case's team and role, so identity comes from a real key. */
async function keyFor(testCase: PolicyCase): Promise<string | undefined> {
  const identity = testCase.identity;
  if (!identity?.team && !identity?.role) return undefined;
  const orgId = newId("org");
  const teamId = identity.team ?? null;
  await env.DB.prepare("INSERT INTO orgs (id, name, created_at) VALUES (?, ?, ?)")
    .bind(orgId, orgId, Date.now())
    .run();
  if (teamId)
    await env.DB.prepare("INSERT INTO teams (id, org_id, name, created_at) VALUES (?, ?, ?, ?)")
      .bind(`${teamId}-${orgId}`, orgId, teamId, Date.now())
      .run();
  const key = generateKey("gateway");
  await env.DB.prepare(
    "INSERT INTO api_keys (id, org_id, kind, name, prefix, hash, team_id, role, created_at) VALUES (?, ?, 'gateway', ?, ?, ?, ?, ?, ?)",
  )
    .bind(
      newId("key"),
      orgId,
      newId("name"),
      keyPrefix(key),
      await hashKey(key),
      teamId ? `${teamId}-${orgId}` : null,
      identity.role ?? "member",
      Date.now(),
    )
    .run();
  return key;
}

/**
 * The same case tables `kt policy test` runs offline, sent through the real
 * gateway: verdicts come back as statuses and headers, and the mock provider
 * echoes what reached it, so redactions are checked upstream of the caller.
 */
const examples = [
  { name: "first-gateway", config: firstGateway, cases: firstGatewayCases },
  { name: "multi-team-governance", config: multiTeam, cases: multiTeamCases },
  { name: "chat-policy", config: chatPolicy, cases: chatPolicyCases },
];

for (const example of examples) {
  const parsed = parseCaseFile(example.cases);
  if (!parsed.ok) throw new Error(`${example.name}: ${JSON.stringify(parsed.errors)}`);
  describe(`examples/${example.name} cases through the gateway`, () => {
    for (const testCase of parsed.cases.filter(
      (candidate) => candidate.expect.verdict && caseMessages(candidate).length > 0,
    )) {
      it(testCase.name, async () => {
        const key = await keyFor(testCase);
        const gw = gateway(example.config);
        const response = await chat(
          gw,
          { model: testCase.model ?? "mock-echo", messages: caseMessages(testCase) },
          key ? { authorization: `Bearer ${key}` } : {},
        );
        const verdict = testCase.expect.verdict;
        if (verdict === "block" || verdict === "escalate") {
          expect(response.status).toBe(403);
          const body = (await response.json()) as { error: { code: string; policy: string } };
          expect(body.error.code).toBe(verdict === "block" ? "policy_blocked" : "pending_review");
          if (testCase.expect.blocked_by)
            expect(body.error.policy).toBe(testCase.expect.blocked_by);
          return;
        }
        expect(response.status).toBe(200);
        expect(response.headers.get("x-keeptrusts-verdict")).toBe(verdict);
        const body = (await response.json()) as {
          choices: Array<{ message: { content: string } }>;
        };
        if (testCase.expect.redacted !== undefined)
          expect(body.choices[0]?.message.content).toBe(`Echo: ${testCase.expect.redacted}`);
      });
    }
  });
}
