import { env } from "cloudflare:workers";
import { json, newMember, unique } from "./control.ts";
import { sampleEvent, seed } from "./event-fixtures.ts";
import { seedEscalations, type EscalationSeeds } from "./escalation-fixtures.ts";
import { sampleYaml } from "./route-table-configurations.ts";
import { seedSpend, type SpendSeeds } from "./spend-fixtures.ts";

/** Someone in an org, with an access key of their org role. */
export interface Person {
  userId: string;
  email: string;
  key: string;
}

/**
 * A fully populated org: one person per role, two teams, a pending invite,
 * an access key, a gateway key and an end-user issuer. Every name is unique
 * across the run, so finding one in another org's answer proves a leak.
 */
export interface World {
  orgId: string;
  orgName: string;
  owner: Person & { keyId: string };
  admin: Person;
  /** An org member who is admin of team X and in no other team. */
  member: Person;
  /** An org member in team Y only. */
  colleague: Person;
  viewer: Person;
  teamX: { id: string; name: string };
  teamY: { id: string; name: string };
  /** A pending invite to team Y. */
  invite: { id: string; email: string };
  /** The owner's second access key. */
  accessToken: { id: string; name: string };
  /** A gateway key of team Y, made by the owner. */
  gatewayToken: { id: string; name: string };
  /** A gateway key of team X, made by the member. */
  memberToken: { id: string; name: string };
  issuer: { id: string; issuer: string };
  configuration: { id: string; name: string };
  gateway: { id: string; name: string };
  /** Decision events: one of the member (team X), one of the colleague (team Y). */
  events: { member: string; colleague: string };
  /** An export of the org's events, made by the owner. */
  eventExport: { id: string };
  escalations: EscalationSeeds;
  spend: SpendSeeds;
}

/** A PEM public key (Ed25519) the issuer routes accept. */
export async function publicKeyPem(): Promise<string> {
  const pair = (await crypto.subtle.generateKey({ name: "Ed25519" }, true, [
    "sign",
    "verify",
  ])) as CryptoKeyPair;
  const spki = new Uint8Array(
    (await crypto.subtle.exportKey("spki", pair.publicKey)) as ArrayBuffer,
  );
  const base64 = btoa(String.fromCharCode(...spki));
  return `-----BEGIN PUBLIC KEY-----\n${base64}\n-----END PUBLIC KEY-----`;
}

/** Creates a fully populated org through the API (as its owner), for isolation tests. */
export async function populateOrg(label: string): Promise<World> {
  const orgName = unique(`${label}-org`);
  const ownerEmail = `${unique(`${label}-owner`)}@example.com`;
  const created = await json<{
    org: { id: string };
    user: { id: string };
    access_key: string;
    key_id: string;
  }>("POST", "/v1/bootstrap", {
    body: { org: orgName, email: ownerEmail },
    headers: { "x-keeptrusts-bootstrap-token": "test-bootstrap-token" },
  });
  const key = created.access_key;
  const owner = { userId: created.user.id, email: ownerEmail, key, keyId: created.key_id };
  const admin = await newMember(key, "admin", `${label}-admin`);
  const member = await newMember(key, "member", `${label}-member`);
  const colleague = await newMember(key, "member", `${label}-colleague`);
  const viewer = await newMember(key, "viewer", `${label}-viewer`);
  const teamX = await json<{ id: string; name: string }>("POST", "/v1/teams", {
    key,
    body: { name: unique(`${label}-team-x`), description: `${label} team X` },
  });
  const teamY = await json<{ id: string; name: string }>("POST", "/v1/teams", {
    key,
    body: { name: unique(`${label}-team-y`) },
  });
  await json("POST", `/v1/teams/${teamX.id}/members`, {
    key,
    body: { email: member.email, role: "admin" },
  });
  await json("POST", `/v1/teams/${teamY.id}/members`, {
    key,
    body: { email: colleague.email, role: "member" },
  });
  const inviteEmail = `${unique(`${label}-invitee`)}@example.com`;
  const invite = await json<{ id: string }>("POST", "/v1/invites", {
    key,
    body: { email: inviteEmail, role: "member", team: teamY.id },
  });
  const accessToken = await json<{ id: string; name: string }>("POST", "/v1/tokens", {
    key,
    body: { type: "access", name: unique(`${label}-access`), role: "admin" },
  });
  const gatewayToken = await json<{ id: string; name: string }>("POST", "/v1/tokens", {
    key,
    body: { type: "gateway", name: unique(`${label}-gateway`), team_id: teamY.id },
  });
  const memberToken = await json<{ id: string; name: string }>("POST", "/v1/tokens", {
    key: member.key,
    body: { type: "gateway", name: unique(`${label}-member-gateway`), team_id: teamX.id },
  });
  const issuer = await json<{ id: string; issuer: string }>("POST", "/v1/end-user-issuers", {
    key,
    body: { issuer: `https://${unique(label)}.example.com`, public_key_pem: await publicKeyPem() },
  });
  const configuration = await json<{ configuration: { id: string; name: string } }>(
    "POST",
    "/v1/configurations",
    {
      key,
      body: { name: unique(`${label}-config`), yaml: sampleYaml(), status: "active" },
    },
  );
  const gateway = await json<{ id: string; name: string }>("POST", "/v1/gateways", {
    key,
    body: {
      name: unique(`${label}-gw`),
      kind: "managed",
      configuration: configuration.configuration.id,
    },
  });
  const escalations = await seedEscalations(created.org.id, {
    teamX: teamX.id,
    teamY: teamY.id,
    teamXKey: memberToken.id,
    teamYKey: gatewayToken.id,
    ownerId: created.user.id,
  });
  const spend = await seedSpend(
    created.org.id,
    key,
    { teamId: teamX.id, userId: member.userId, keyId: memberToken.id },
    { teamId: teamY.id, userId: colleague.userId, keyId: gatewayToken.id },
  );
  const events = { member: `req_${unique("member")}`, colleague: `req_${unique("colleague")}` };
  await seed([
    sampleEvent({
      orgId: created.org.id,
      requestId: events.member,
      userId: member.userId,
      teamId: teamX.id,
    }),
    sampleEvent({
      orgId: created.org.id,
      requestId: events.colleague,
      userId: colleague.userId,
      teamId: teamY.id,
    }),
  ]);
  const eventExport = await json<{ id: string }>("POST", "/v1/exports", {
    key,
    body: { from: Date.now() - 3_600_000, to: Date.now() + 60_000 },
  });
  return {
    orgId: created.org.id,
    orgName,
    owner,
    admin,
    member,
    colleague,
    viewer,
    teamX: { id: teamX.id, name: teamX.name },
    teamY: { id: teamY.id, name: teamY.name },
    invite: { id: invite.id, email: inviteEmail },
    accessToken: { id: accessToken.id, name: accessToken.name },
    gatewayToken: { id: gatewayToken.id, name: gatewayToken.name },
    memberToken: { id: memberToken.id, name: memberToken.name },
    issuer: { id: issuer.id, issuer: issuer.issuer },
    configuration: { id: configuration.configuration.id, name: configuration.configuration.name },
    gateway: { id: gateway.id, name: gateway.name },
    events,
    eventExport: { id: eventExport.id },
    escalations,
    spend,
  };
}

/** Every id, name and email of an org: none may appear in an answer to another org. */
export function identifiersOf(world: World): string[] {
  const people = [world.owner, world.admin, world.member, world.colleague, world.viewer];
  return [
    world.orgId,
    world.orgName,
    world.owner.keyId,
    ...people.flatMap((person) => [person.userId, person.email]),
    world.teamX.id,
    world.teamX.name,
    world.teamY.id,
    world.teamY.name,
    world.invite.id,
    world.invite.email,
    world.accessToken.id,
    world.accessToken.name,
    world.gatewayToken.id,
    world.gatewayToken.name,
    world.memberToken.id,
    world.memberToken.name,
    world.issuer.id,
    world.issuer.issuer,
    world.configuration.id,
    world.configuration.name,
    world.gateway.id,
    world.gateway.name,
    world.events.member,
    world.events.colleague,
    world.eventExport.id,
    ...Object.values(world.escalations),
    ...Object.values(world.spend),
  ];
}

/** The tables that hold an org's rows, each with the query that selects that org's rows. */
const ORG_TABLES: Record<string, string> = {
  orgs: "SELECT * FROM orgs WHERE id = ?1",
  users:
    "SELECT * FROM users WHERE id IN (SELECT user_id FROM memberships WHERE org_id = ?1) ORDER BY id",
  memberships: "SELECT * FROM memberships WHERE org_id = ?1 ORDER BY user_id",
  teams: "SELECT * FROM teams WHERE org_id = ?1 ORDER BY id",
  team_members: "SELECT * FROM team_members WHERE org_id = ?1 ORDER BY team_id, user_id",
  invites: "SELECT * FROM invites WHERE org_id = ?1 ORDER BY id",
  api_keys: "SELECT * FROM api_keys WHERE org_id = ?1 ORDER BY id",
  sessions: "SELECT * FROM sessions WHERE org_id = ?1 ORDER BY id",
  end_user_issuers: "SELECT * FROM end_user_issuers WHERE org_id = ?1 ORDER BY id",
  audit_log: "SELECT * FROM audit_log WHERE org_id = ?1 ORDER BY id",
  decision_events: "SELECT * FROM decision_events WHERE org_id = ?1 ORDER BY request_id",
  event_exports: "SELECT * FROM event_exports WHERE org_id = ?1 ORDER BY id",
  org_signing_keys: "SELECT * FROM org_signing_keys WHERE org_id = ?1 ORDER BY id",
  escalations: "SELECT * FROM escalations WHERE org_id = ?1 ORDER BY id",
  escalation_trail: "SELECT * FROM escalation_trail WHERE org_id = ?1 ORDER BY escalation_id, seq",
  wallets: "SELECT * FROM wallets WHERE org_id = ?1 ORDER BY id",
  ledger_entries: "SELECT * FROM ledger_entries WHERE org_id = ?1 ORDER BY seq",
  cost_tickets: "SELECT * FROM cost_tickets WHERE org_id = ?1 ORDER BY id",
  usage_records: "SELECT * FROM usage_records WHERE org_id = ?1 ORDER BY request_id",
  pricing: "SELECT * FROM pricing WHERE org_id = ?1 ORDER BY id",
};

/**
 * Every row of an org, per table, read straight from D1: to prove nothing changed.
 * `last_used_at` is left out: reading with a key legitimately stamps it.
 */
export async function snapshotOrg(orgId: string): Promise<Record<string, unknown[]>> {
  const tables = Object.keys(ORG_TABLES);
  const answers = await env.DB.batch<Record<string, unknown>>(
    Object.values(ORG_TABLES).map((query) => env.DB.prepare(query).bind(orgId)),
  );
  return Object.fromEntries(
    answers.map((answer, index) => [
      tables[index] ?? String(index),
      answer.results.map(({ last_used_at: _lastUsed, ...rest }) => rest),
    ]),
  );
}

/** How many rows an org has per table (the shape a failure message can show at a glance). */
export function countRows(snapshot: Record<string, unknown[]>): Record<string, number> {
  return Object.fromEntries(Object.entries(snapshot).map(([table, rows]) => [table, rows.length]));
}
