import { and, eq, gt, isNull, or } from "drizzle-orm";
import { getCookie } from "hono/cookie";
import { createMiddleware } from "hono/factory";
import { hashKey, keyKind } from "../../db/api-key.ts";
import { createDb, type Db } from "../../db/client.ts";
import { apiKeys, memberships, sessions, teamMembers } from "../../db/schema.ts";
import type { ControlApp } from "../env.ts";
import { Problem } from "../errors.ts";
import { atLeast, type Principal, type TeamRole } from "./principal.ts";
import { verifyAccessToken } from "./session-token.ts";

/** The cookie that carries a browser's session access token. */
export const SESSION_COOKIE = "kt_session";
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
const LAST_USED_GRANULARITY_MS = 60_000;

function unauthenticated(
  detail = "send an access key (Authorization: Bearer kt_ak_…) or sign in",
): Problem {
  return new Problem(401, "unauthenticated", "Authentication required", detail);
}

async function teamRolesOf(
  db: Db,
  orgId: string,
  userId: string | null,
): Promise<Map<string, TeamRole>> {
  if (!userId) return new Map();
  const rows = await db
    .select({ teamId: teamMembers.teamId, role: teamMembers.role })
    .from(teamMembers)
    .where(and(eq(teamMembers.orgId, orgId), eq(teamMembers.userId, userId)));
  return new Map(rows.map((row) => [row.teamId, row.role]));
}

async function fromAccessKey(
  db: Db,
  key: string,
  now: number,
  keep: (work: Promise<unknown>) => void,
): Promise<Principal> {
  const [row] = await db
    .select()
    .from(apiKeys)
    .where(
      and(
        eq(apiKeys.hash, await hashKey(key)),
        eq(apiKeys.kind, "access"),
        isNull(apiKeys.revokedAt),
        or(isNull(apiKeys.expiresAt), gt(apiKeys.expiresAt, now)),
      ),
    )
    .limit(1);
  if (!row) throw unauthenticated("the access key is unknown, revoked or expired");
  if (!row.lastUsedAt || now - row.lastUsedAt > LAST_USED_GRANULARITY_MS) {
    keep(db.update(apiKeys).set({ lastUsedAt: now }).where(eq(apiKeys.id, row.id)).run());
  }
  // A person's key never outranks the person: it acts with the lower of the key's role
  // and the owner's current membership, and stops working when they leave the org.
  let role = row.role;
  if (row.userId) {
    const [membership] = await db
      .select({ role: memberships.role })
      .from(memberships)
      .where(and(eq(memberships.orgId, row.orgId), eq(memberships.userId, row.userId)))
      .limit(1);
    if (!membership) throw unauthenticated("the key's owner is no longer a member of the org");
    if (!atLeast(membership.role, role)) role = membership.role;
  }
  return {
    kind: "access_key",
    orgId: row.orgId,
    userId: row.userId,
    keyId: row.id,
    role,
    scopes: row.scopes ?? null,
    teamRoles: await teamRolesOf(db, row.orgId, row.userId),
  };
}

/**
 * Resolves the caller once per request: an access key (CLI, automation) or a
 * session token (browser cookie or bearer). Roles are read from the database on
 * every request, so a role change or removal takes effect at once. A request
 * authenticated by the session cookie must echo the session's CSRF token in
 * `x-csrf-token` to change anything.
 */
export function authenticate() {
  return createMiddleware<ControlApp>(async function authenticateMiddleware(c, next) {
    const db = createDb(c.env.DB);
    const now = Date.now();
    const header = c.req.header("authorization");
    const bearer = header?.match(/^Bearer\s+(\S+)$/i)?.[1];
    if (header && !bearer)
      throw unauthenticated("the Authorization header must be `Bearer <token>`");
    if (bearer && keyKind(bearer) === "access") {
      c.set(
        "principal",
        await fromAccessKey(db, bearer, now, (work) => c.executionCtx.waitUntil(work)),
      );
      return next();
    }
    if (bearer && keyKind(bearer) === "gateway")
      throw unauthenticated("gateway keys (kt_gk_…) are for the gateway; use an access key here");
    const cookie = bearer ? undefined : getCookie(c, SESSION_COOKIE);
    const token = bearer ?? cookie;
    if (!token) throw unauthenticated();
    const secret = c.env.KEEPTRUSTS_SESSION_SECRET;
    const claims = secret ? await verifyAccessToken(token, secret) : undefined;
    if (!claims) throw unauthenticated("the session is invalid or expired");
    if (cookie && !SAFE_METHODS.has(c.req.method) && c.req.header("x-csrf-token") !== claims.csrf) {
      throw new Problem(
        403,
        "csrf_failed",
        "CSRF check failed",
        "send the session's CSRF token in x-csrf-token",
      );
    }
    const [session] = await db
      .select({ id: sessions.id })
      .from(sessions)
      .where(
        and(eq(sessions.id, claims.sid), isNull(sessions.revokedAt), gt(sessions.expiresAt, now)),
      )
      .limit(1);
    const [membership] = await db
      .select({ role: memberships.role })
      .from(memberships)
      .where(and(eq(memberships.orgId, claims.org), eq(memberships.userId, claims.sub)))
      .limit(1);
    if (!session || !membership) throw unauthenticated("the session has ended");
    c.set("principal", {
      kind: "session",
      orgId: claims.org,
      userId: claims.sub,
      keyId: null,
      role: membership.role,
      scopes: null,
      teamRoles: await teamRolesOf(db, claims.org, claims.sub),
    });
    return next();
  });
}
