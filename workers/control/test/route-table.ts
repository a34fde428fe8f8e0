import { json, newMember, unique } from "./control.ts";
import { CONFIGURATION_ROUTES } from "./route-table-configurations.ts";
import { EVENT_ROUTES } from "./route-table-events.ts";
import { ESCALATION_ROUTES } from "./route-table-escalations.ts";
import { WALLET_ROUTES } from "./route-table-wallets.ts";
import type { World } from "./world.ts";

/**
 * One request made against someone else's resources, and what must come back:
 * `refused` (403 or 404), `list` (200 with the caller's own data only) or
 * `created` (201 in the caller's own org: a name taken in another org is no clash).
 */
export interface Probe {
  path: string;
  body?: unknown;
  expect: "refused" | "list" | "created";
  /** Values the caller itself sent, which the answer may repeat. */
  echoes?: string[];
}

/** A request that succeeds for the owner, with the audit entry it must write. */
export interface ValidCall {
  path: string;
  body?: unknown;
  action: string;
  /** The audited resource: known before the call, or read from its answer. */
  resourceId: string | ((answer: Record<string, unknown>) => string);
}

/** One route of the control API and how each isolation check exercises it. */
export interface RouteRow {
  method: "GET" | "POST" | "PATCH" | "DELETE";
  /** The path as the OpenAPI document spells it. */
  path: string;
  /** Org A's owner against org B's resources. */
  crossOrg(attacker: World, victim: World): Probe[];
  /** A member who is admin of team X against team Y's resources, in the same org. */
  crossTeam(world: World): Probe[];
  /** For mutating routes: a call that succeeds for the owner (fresh resources are made first). */
  valid?(world: World): Promise<ValidCall>;
}

/** Public routes, covered by their own tests: they take no key, so there is no org to cross. */
export const PUBLIC_ROUTES = ["POST /v1/bootstrap", "POST /v1/invites/accept"];

/**
 * Session routes (login, refresh, logout, OIDC) live under this prefix and are
 * tested with the sessions; they take no org resource id.
 */
export const SESSION_PREFIX = "/v1/auth/";

const refused = (path: string, body?: unknown): Probe => ({ path, body, expect: "refused" });
const list = (path: string): Probe => ({ path, expect: "list" });

async function freshTeam(world: World): Promise<string> {
  const team = await json<{ id: string }>("POST", "/v1/teams", {
    key: world.owner.key,
    body: { name: unique("fresh-team") },
  });
  return team.id;
}

async function freshTeamWithAdmin(world: World): Promise<string> {
  const teamId = await freshTeam(world);
  await json("POST", `/v1/teams/${teamId}/members`, {
    key: world.owner.key,
    body: { email: world.admin.email },
  });
  return teamId;
}

async function freshToken(world: World): Promise<string> {
  const token = await json<{ id: string }>("POST", "/v1/tokens", {
    key: world.owner.key,
    body: { type: "gateway", name: unique("fresh-key") },
  });
  return token.id;
}

const audited = (
  path: string,
  action: string,
  resourceId: ValidCall["resourceId"],
  body?: unknown,
): ValidCall => ({ path, action, resourceId, body });
const idOf = (answer: Record<string, unknown>) => String(answer.id);
const issuerBody = (issuer = `https://${unique("idp")}.example.com`) => ({
  issuer,
  jwks_url: "https://idp.example.com/jwks.json",
});

/** Every authenticated route of the control API. A route missing here fails the isolation test. */
export const ROUTES: RouteRow[] = [
  {
    method: "GET",
    path: "/v1/me",
    crossOrg: () => [list("/v1/me")],
    crossTeam: () => [list("/v1/me")],
  },
  {
    method: "POST",
    path: "/v1/teams",
    crossOrg: (_a, v) => [
      {
        path: "/v1/teams",
        body: { name: v.teamX.name },
        expect: "created",
        echoes: [v.teamX.name],
      },
    ],
    crossTeam: () => [refused("/v1/teams", { name: unique("team") })],
    valid: async () => ({
      path: "/v1/teams",
      body: { name: unique("audited") },
      action: "team.create",
      resourceId: idOf,
    }),
  },
  {
    method: "GET",
    path: "/v1/teams",
    crossOrg: () => [list("/v1/teams")],
    crossTeam: () => [list("/v1/teams")],
  },
  {
    method: "GET",
    path: "/v1/teams/{id}",
    crossOrg: (_a, v) => [refused(`/v1/teams/${v.teamX.id}`), refused(`/v1/teams/${v.teamX.name}`)],
    crossTeam: (w) => [refused(`/v1/teams/${w.teamY.id}`), refused(`/v1/teams/${w.teamY.name}`)],
  },
  {
    method: "PATCH",
    path: "/v1/teams/{id}",
    crossOrg: (_a, v) => [refused(`/v1/teams/${v.teamX.id}`, { name: unique("renamed") })],
    crossTeam: (w) => [refused(`/v1/teams/${w.teamY.id}`, { description: "taken over" })],
    valid: async (w) => {
      const teamId = await freshTeam(w);
      return audited(`/v1/teams/${teamId}`, "team.update", teamId, { name: unique("renamed") });
    },
  },
  {
    method: "DELETE",
    path: "/v1/teams/{id}",
    crossOrg: (_a, v) => [refused(`/v1/teams/${v.teamY.id}`)],
    crossTeam: (w) => [refused(`/v1/teams/${w.teamY.id}`)],
    valid: async (w) => {
      const teamId = await freshTeam(w);
      return audited(`/v1/teams/${teamId}`, "team.delete", teamId);
    },
  },
  {
    method: "GET",
    path: "/v1/teams/{id}/members",
    crossOrg: (_a, v) => [refused(`/v1/teams/${v.teamX.id}/members`)],
    crossTeam: (w) => [refused(`/v1/teams/${w.teamY.id}/members`)],
  },
  {
    method: "POST",
    path: "/v1/teams/{id}/members",
    crossOrg: (a, v) => [
      refused(`/v1/teams/${v.teamX.id}/members`, { email: a.member.email }),
      // Org B's user by email into org A's team: "not a member of this org", like any stranger.
      {
        ...refused(`/v1/teams/${a.teamX.id}/members`, { email: v.member.email }),
        echoes: [v.member.email],
      },
    ],
    crossTeam: (w) => [
      refused(`/v1/teams/${w.teamY.id}/members`, { email: w.member.email, role: "admin" }),
    ],
    valid: async (w) => {
      const teamId = await freshTeam(w);
      return audited(`/v1/teams/${teamId}/members`, "team.member.add", teamId, {
        email: w.admin.email,
      });
    },
  },
  {
    method: "PATCH",
    path: "/v1/teams/{id}/members/{userId}",
    crossOrg: (a, v) => [
      refused(`/v1/teams/${v.teamX.id}/members/${v.member.userId}`, { role: "member" }),
      refused(`/v1/teams/${a.teamX.id}/members/${v.member.userId}`, { role: "admin" }),
    ],
    crossTeam: (w) => [
      refused(`/v1/teams/${w.teamY.id}/members/${w.colleague.userId}`, { role: "admin" }),
    ],
    valid: async (w) => {
      const teamId = await freshTeamWithAdmin(w);
      return audited(`/v1/teams/${teamId}/members/${w.admin.userId}`, "team.member.role", teamId, {
        role: "admin",
      });
    },
  },
  {
    method: "DELETE",
    path: "/v1/teams/{id}/members/{userId}",
    crossOrg: (a, v) => [
      refused(`/v1/teams/${v.teamX.id}/members/${v.member.userId}`),
      refused(`/v1/teams/${a.teamX.id}/members/${v.member.userId}`),
    ],
    crossTeam: (w) => [refused(`/v1/teams/${w.teamY.id}/members/${w.colleague.userId}`)],
    valid: async (w) => {
      const teamId = await freshTeamWithAdmin(w);
      return audited(`/v1/teams/${teamId}/members/${w.admin.userId}`, "team.member.remove", teamId);
    },
  },
  {
    method: "GET",
    path: "/v1/members",
    crossOrg: () => [list("/v1/members")],
    crossTeam: () => [refused("/v1/members")],
  },
  {
    method: "PATCH",
    path: "/v1/members/{userId}",
    crossOrg: (_a, v) => [
      refused(`/v1/members/${v.member.userId}`, { role: "viewer" }),
      refused(`/v1/members/${v.owner.userId}`, { role: "member" }),
    ],
    crossTeam: (w) => [refused(`/v1/members/${w.colleague.userId}`, { role: "viewer" })],
    valid: async (w) => {
      const person = await newMember(w.owner.key, "member", "audited");
      return audited(`/v1/members/${person.userId}`, "member.role", person.userId, {
        role: "viewer",
      });
    },
  },
  {
    method: "DELETE",
    path: "/v1/members/{userId}",
    crossOrg: (_a, v) => [refused(`/v1/members/${v.member.userId}`)],
    crossTeam: (w) => [refused(`/v1/members/${w.colleague.userId}`)],
    valid: async (w) => {
      const person = await newMember(w.owner.key, "member", "audited");
      return audited(`/v1/members/${person.userId}`, "member.remove", person.userId);
    },
  },
  {
    method: "POST",
    path: "/v1/invites",
    crossOrg: (_a, v) => [
      refused("/v1/invites", { email: `${unique("x")}@example.com`, team: v.teamY.id }),
      // Someone in org B is no member of org A: inviting them is no clash and reveals nothing.
      {
        path: "/v1/invites",
        body: { email: v.owner.email },
        expect: "created",
        echoes: [v.owner.email],
      },
    ],
    crossTeam: (w) => [
      refused("/v1/invites", { email: `${unique("x")}@example.com`, team: w.teamY.id }),
    ],
    valid: async () => ({
      path: "/v1/invites",
      body: { email: `${unique("audited")}@example.com`, role: "viewer" },
      action: "invite.create",
      resourceId: idOf,
    }),
  },
  {
    method: "GET",
    path: "/v1/invites",
    crossOrg: () => [list("/v1/invites")],
    crossTeam: () => [refused("/v1/invites")],
  },
  {
    method: "DELETE",
    path: "/v1/invites/{id}",
    crossOrg: (_a, v) => [refused(`/v1/invites/${v.invite.id}`)],
    crossTeam: (w) => [refused(`/v1/invites/${w.invite.id}`)],
    valid: async (w) => {
      const invite = await json<{ id: string }>("POST", "/v1/invites", {
        key: w.owner.key,
        body: { email: `${unique("revoked")}@example.com` },
      });
      return audited(`/v1/invites/${invite.id}`, "invite.revoke", invite.id);
    },
  },
  {
    method: "POST",
    path: "/v1/tokens",
    crossOrg: (_a, v) => [
      refused("/v1/tokens", { type: "gateway", name: unique("k"), team_id: v.teamY.id }),
      refused("/v1/tokens", { type: "gateway", name: unique("k"), team_id: v.teamY.name }),
      {
        path: "/v1/tokens",
        body: { type: "access", name: v.accessToken.name },
        expect: "created",
        echoes: [v.accessToken.name],
      },
    ],
    crossTeam: (w) => [
      refused("/v1/tokens", { type: "gateway", name: unique("k"), team_id: w.teamY.id }),
      refused("/v1/tokens", { type: "gateway", name: unique("k"), team_id: w.teamY.name }),
    ],
    valid: async (w) => ({
      path: "/v1/tokens",
      body: { type: "gateway", name: unique("audited"), team_id: w.teamX.id },
      action: "token.create",
      resourceId: idOf,
    }),
  },
  {
    method: "GET",
    path: "/v1/tokens",
    crossOrg: () => [list("/v1/tokens?include_revoked=true")],
    crossTeam: () => [list("/v1/tokens?include_revoked=true")],
  },
  {
    method: "POST",
    path: "/v1/tokens/{id}/rotate",
    crossOrg: (_a, v) => [
      refused(`/v1/tokens/${v.gatewayToken.id}/rotate`),
      refused(`/v1/tokens/${v.owner.keyId}/rotate`),
    ],
    crossTeam: (w) => [
      refused(`/v1/tokens/${w.gatewayToken.id}/rotate`),
      refused(`/v1/tokens/${w.accessToken.id}/rotate`),
    ],
    valid: async (w) => {
      const id = await freshToken(w);
      return audited(`/v1/tokens/${id}/rotate`, "token.rotate", id);
    },
  },
  {
    method: "DELETE",
    path: "/v1/tokens/{id}",
    crossOrg: (_a, v) => [
      refused(`/v1/tokens/${v.accessToken.id}`),
      refused(`/v1/tokens/${v.memberToken.id}`),
    ],
    crossTeam: (w) => [
      refused(`/v1/tokens/${w.gatewayToken.id}`),
      refused(`/v1/tokens/${w.owner.keyId}`),
    ],
    valid: async (w) => {
      const id = await freshToken(w);
      return audited(`/v1/tokens/${id}`, "token.revoke", id);
    },
  },
  {
    method: "POST",
    path: "/v1/end-user-issuers",
    crossOrg: (_a, v) => [
      {
        path: "/v1/end-user-issuers",
        body: issuerBody(v.issuer.issuer),
        expect: "created",
        echoes: [v.issuer.issuer],
      },
    ],
    crossTeam: () => [refused("/v1/end-user-issuers", issuerBody())],
    valid: async () => ({
      path: "/v1/end-user-issuers",
      body: issuerBody(),
      action: "issuer.create",
      resourceId: idOf,
    }),
  },
  {
    method: "GET",
    path: "/v1/end-user-issuers",
    crossOrg: () => [list("/v1/end-user-issuers")],
    crossTeam: () => [refused("/v1/end-user-issuers")],
  },
  {
    method: "DELETE",
    path: "/v1/end-user-issuers/{id}",
    crossOrg: (_a, v) => [refused(`/v1/end-user-issuers/${v.issuer.id}`)],
    crossTeam: (w) => [refused(`/v1/end-user-issuers/${w.issuer.id}`)],
    valid: async (w) => {
      const issuer = await json<{ id: string }>("POST", "/v1/end-user-issuers", {
        key: w.owner.key,
        body: issuerBody(),
      });
      return audited(`/v1/end-user-issuers/${issuer.id}`, "issuer.delete", issuer.id);
    },
  },
  {
    method: "GET",
    path: "/v1/audit",
    crossOrg: (_a, v) => [
      list("/v1/audit?limit=200"),
      list(`/v1/audit?resource_id=${v.teamX.id}`),
      list(`/v1/audit?actor_id=${v.owner.keyId}`),
    ],
    crossTeam: () => [refused("/v1/audit")],
  },
  ...CONFIGURATION_ROUTES,
  ...EVENT_ROUTES,
  ...ESCALATION_ROUTES,
  ...WALLET_ROUTES,
];
