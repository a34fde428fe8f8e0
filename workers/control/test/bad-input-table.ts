import { CONFIGURATION_BAD_ROWS } from "./bad-input-configurations.ts";
import { EVENT_BAD_ROWS } from "./bad-input-events.ts";
import { ESCALATION_BAD_ROWS } from "./bad-input-escalations.ts";
import { WALLET_BAD_ROWS } from "./bad-input-wallets.ts";
import { unique } from "./control.ts";
import type { World } from "./world.ts";

/** One bad request and the problem it must get. */
export interface BadCase {
  label: string;
  path: string;
  /** A JSON value, or a string sent as the raw body. */
  body?: unknown;
  status: number;
  code: string;
  /** The field the problem must name, for validation errors. */
  field?: string;
  headers?: Record<string, string>;
}

/** A mutating route: real targets and a valid body (never sent as is), and its own bad cases. */
export interface BadRow {
  route: string;
  /** Public routes are called without a key. */
  anonymous?: boolean;
  params?(w: World): Record<string, string>;
  body?(w: World): Record<string, unknown>;
  cases(w: World, fixture: Fixture): BadCase[];
}

const email = () => `${unique("bad")}@example.com`;
/** A 400 `invalid_request` naming `field`. */
export const invalid = (label: string, path: string, body: unknown, field?: string): BadCase => ({
  label,
  path,
  body,
  status: 400,
  code: "invalid_request",
  ...(field === undefined ? {} : { field }),
});
const conflict = (label: string, path: string, body: unknown): BadCase => ({
  label,
  path,
  body,
  status: 409,
  code: "conflict",
});

/** The org the bad requests aim at, and two resources no longer in use. */
export interface Fixture {
  world: World;
  revokedKeyId: string;
  acceptedInviteId: string;
}

/** Every mutating route, with what is specific to it; the generic cases come from the OpenAPI document. */
export const ROWS: BadRow[] = [
  {
    route: "POST /v1/bootstrap",
    anonymous: true,
    body: () => ({ org: unique("org"), email: email(), password: "correct horse battery" }),
    cases: (w) => [
      invalid(
        "short password",
        "/v1/bootstrap",
        { org: unique("o"), email: email(), password: "short" },
        "password",
      ),
      {
        label: "no bootstrap token while orgs exist",
        path: "/v1/bootstrap",
        body: { org: unique("o"), email: email() },
        status: 409,
        code: "already_bootstrapped",
      },
      {
        label: "wrong bootstrap token",
        path: "/v1/bootstrap",
        body: { org: unique("o"), email: email() },
        status: 403,
        code: "forbidden",
        headers: { "x-keeptrusts-bootstrap-token": "wrong" },
      },
      {
        label: "duplicate org name (and no user is left behind)",
        path: "/v1/bootstrap",
        body: { org: w.orgName, email: email() },
        status: 409,
        code: "conflict",
        headers: { "x-keeptrusts-bootstrap-token": "test-bootstrap-token" },
      },
    ],
  },
  {
    route: "POST /v1/invites/accept",
    anonymous: true,
    body: () => ({ token: "t".repeat(40), name: "Ann", password: "correct horse battery" }),
    cases: () => [
      invalid("token too short", "/v1/invites/accept", { token: "short" }, "token"),
      {
        label: "unknown token",
        path: "/v1/invites/accept",
        body: { token: "u".repeat(40) },
        status: 404,
        code: "invite_invalid",
      },
    ],
  },
  {
    route: "POST /v1/teams",
    body: () => ({ name: unique("team"), description: "d" }),
    cases: (w) => [
      invalid("empty name", "/v1/teams", { name: "" }, "name"),
      invalid("blank name", "/v1/teams", { name: "   " }, "name"),
      invalid("control character", "/v1/teams", { name: "a\u0007b" }, "name"),
      invalid("name too long", "/v1/teams", { name: "n".repeat(101) }, "name"),
      invalid(
        "description too long",
        "/v1/teams",
        { name: unique("t"), description: "d".repeat(501) },
        "description",
      ),
      conflict("duplicate name", "/v1/teams", { name: w.teamX.name }),
      conflict("duplicate name with spaces", "/v1/teams", { name: ` ${w.teamX.name} ` }),
    ],
  },
  {
    route: "PATCH /v1/teams/{id}",
    params: (w) => ({ id: w.teamX.id }),
    body: () => ({ name: unique("renamed"), description: "d" }),
    cases: (w) => [
      invalid("empty name", `/v1/teams/${w.teamX.id}`, { name: "" }, "name"),
      conflict("another team's name", `/v1/teams/${w.teamX.id}`, { name: w.teamY.name }),
    ],
  },
  { route: "DELETE /v1/teams/{id}", params: (w) => ({ id: w.teamY.id }), cases: () => [] },
  {
    route: "POST /v1/teams/{id}/members",
    params: (w) => ({ id: w.teamX.id }),
    body: (w) => ({ email: w.colleague.email, role: "member" }),
    cases: (w) => [
      invalid("not an email", `/v1/teams/${w.teamX.id}/members`, { email: "nobody" }, "email"),
      invalid(
        "org role as team role",
        `/v1/teams/${w.teamX.id}/members`,
        { email: w.colleague.email, role: "owner" },
        "role",
      ),
      {
        label: "someone outside the org",
        path: `/v1/teams/${w.teamX.id}/members`,
        body: { email: email() },
        status: 404,
        code: "not_found",
      },
      conflict("already in the team", `/v1/teams/${w.teamX.id}/members`, {
        email: w.member.email.toUpperCase(),
      }),
    ],
  },
  {
    route: "PATCH /v1/teams/{id}/members/{userId}",
    params: (w) => ({ id: w.teamX.id, userId: w.member.userId }),
    body: () => ({ role: "member" }),
    cases: (w) => [
      invalid(
        "unknown role",
        `/v1/teams/${w.teamX.id}/members/${w.member.userId}`,
        { role: "boss" },
        "role",
      ),
      {
        label: "an org member not in this team",
        path: `/v1/teams/${w.teamX.id}/members/${w.colleague.userId}`,
        body: { role: "admin" },
        status: 404,
        code: "not_found",
      },
    ],
  },
  {
    route: "DELETE /v1/teams/{id}/members/{userId}",
    params: (w) => ({ id: w.teamX.id, userId: w.member.userId }),
    cases: (w) => [
      {
        label: "an org member not in this team",
        path: `/v1/teams/${w.teamX.id}/members/${w.colleague.userId}`,
        status: 404,
        code: "not_found",
      },
    ],
  },
  {
    route: "PATCH /v1/members/{userId}",
    params: (w) => ({ userId: w.member.userId }),
    body: () => ({ role: "viewer" }),
    cases: (w) => [
      invalid("unknown role", `/v1/members/${w.member.userId}`, { role: "god" }, "role"),
      invalid("role in capitals", `/v1/members/${w.member.userId}`, { role: "ADMIN" }, "role"),
      {
        label: "the last owner demoted",
        path: `/v1/members/${w.owner.userId}`,
        body: { role: "admin" },
        status: 409,
        code: "last_owner",
      },
    ],
  },
  {
    route: "DELETE /v1/members/{userId}",
    params: (w) => ({ userId: w.member.userId }),
    cases: (w) => [
      {
        label: "the last owner removed",
        path: `/v1/members/${w.owner.userId}`,
        status: 409,
        code: "last_owner",
      },
    ],
  },
  {
    route: "POST /v1/invites",
    body: (w) => ({ email: email(), role: "member", team: w.teamX.id }),
    cases: (w) => [
      invalid("not an email", "/v1/invites", { email: "a@" }, "email"),
      invalid("unknown role", "/v1/invites", { email: email(), role: "guest" }, "role"),
      {
        label: "unknown team",
        path: "/v1/invites",
        body: { email: email(), team: "team_nope" },
        status: 404,
        code: "not_found",
      },
      conflict("already a member (any case)", "/v1/invites", {
        email: w.admin.email.toUpperCase(),
      }),
    ],
  },
  {
    route: "DELETE /v1/invites/{id}",
    params: (w) => ({ id: w.invite.id }),
    cases: (_w, f) => [
      {
        label: "an accepted invite",
        path: `/v1/invites/${f.acceptedInviteId}`,
        status: 404,
        code: "not_found",
      },
    ],
  },
  {
    route: "POST /v1/tokens",
    body: (w) => ({
      type: "gateway",
      name: unique("k"),
      role: "member",
      scopes: ["teams:read"],
      team_id: w.teamX.id,
      configuration: "c",
      models: ["m"],
      daily_budget: 1,
      knowledge_assets: ["a"],
      rpm_limit: 1,
      expires_in: "1d",
    }),
    cases: (w) => [
      invalid("unknown type", "/v1/tokens", { type: "root", name: unique("k") }, "type"),
      invalid(
        "gateway fields on an access key",
        "/v1/tokens",
        { type: "access", name: unique("k"), team_id: w.teamX.id },
        "team_id",
      ),
      invalid(
        "scopes on a gateway key",
        "/v1/tokens",
        { type: "gateway", name: unique("k"), scopes: ["teams:read"] },
        "scopes",
      ),
      invalid(
        "unknown scope",
        "/v1/tokens",
        { type: "access", name: unique("k"), scopes: ["root"] },
        "scopes.0",
      ),
      invalid(
        "duration in words",
        "/v1/tokens",
        { type: "gateway", name: unique("k"), expires_in: "30 days" },
        "expires_in",
      ),
      invalid(
        "zero duration",
        "/v1/tokens",
        { type: "gateway", name: unique("k"), expires_in: "0d" },
        "expires_in",
      ),
      invalid(
        "negative budget",
        "/v1/tokens",
        { type: "gateway", name: unique("k"), daily_budget: -1 },
        "daily_budget",
      ),
      invalid(
        "budget as text",
        "/v1/tokens",
        { type: "gateway", name: unique("k"), daily_budget: "25" },
        "daily_budget",
      ),
      invalid(
        "fractional rpm",
        "/v1/tokens",
        { type: "gateway", name: unique("k"), rpm_limit: 1.5 },
        "rpm_limit",
      ),
      invalid(
        "models as one string",
        "/v1/tokens",
        { type: "gateway", name: unique("k"), models: "a,b" },
        "models",
      ),
      invalid(
        "no models",
        "/v1/tokens",
        { type: "gateway", name: unique("k"), models: [] },
        "models",
      ),
      {
        label: "unknown team",
        path: "/v1/tokens",
        body: { type: "gateway", name: unique("k"), team_id: "team_nope" },
        status: 404,
        code: "not_found",
      },
      conflict("an active key's name", "/v1/tokens", { type: "access", name: w.accessToken.name }),
    ],
  },
  {
    route: "POST /v1/tokens/{id}/rotate",
    params: (w) => ({ id: w.gatewayToken.id }),
    cases: (_w, f) => [
      {
        label: "a revoked key",
        path: `/v1/tokens/${f.revokedKeyId}/rotate`,
        status: 409,
        code: "revoked",
      },
    ],
  },
  { route: "DELETE /v1/tokens/{id}", params: (w) => ({ id: w.gatewayToken.id }), cases: () => [] },
  {
    route: "POST /v1/end-user-issuers",
    body: () => ({
      issuer: unique("iss"),
      audience: "a",
      jwks_url: "https://idp.example.com/jwks",
      public_key_pem: "p".repeat(60),
    }),
    cases: (w) => [
      invalid("neither jwks_url nor a key", "/v1/end-user-issuers", { issuer: unique("iss") }, ""),
      invalid(
        "both jwks_url and a key",
        "/v1/end-user-issuers",
        {
          issuer: unique("iss"),
          jwks_url: "https://idp.example.com/j",
          public_key_pem: "p".repeat(60),
        },
        "",
      ),
      invalid(
        "jwks_url not http(s)",
        "/v1/end-user-issuers",
        { issuer: unique("iss"), jwks_url: "ftp://idp.example.com/j" },
        "jwks_url",
      ),
      invalid("a key that is no PEM", "/v1/end-user-issuers", {
        issuer: unique("iss"),
        public_key_pem: "p".repeat(60),
      }),
      conflict("duplicate issuer", "/v1/end-user-issuers", {
        issuer: w.issuer.issuer,
        jwks_url: "https://idp.example.com/j",
      }),
    ],
  },
  {
    route: "DELETE /v1/end-user-issuers/{id}",
    params: (w) => ({ id: w.issuer.id }),
    cases: () => [],
  },
  ...CONFIGURATION_BAD_ROWS,
  ...EVENT_BAD_ROWS,
  ...ESCALATION_BAD_ROWS,
  ...WALLET_BAD_ROWS,
];
