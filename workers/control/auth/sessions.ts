import { and, eq, gt, isNull, or, sql } from "drizzle-orm";
import type { Context } from "hono";
import { deleteCookie, setCookie } from "hono/cookie";
import { hashKey, newId } from "../../db/api-key.ts";
import type { Db } from "../../db/client.ts";
import { memberships, orgs, sessions, users } from "../../db/schema.ts";
import { auditEntry } from "../audit.ts";
import type { ControlApp } from "../env.ts";
import { Problem } from "../errors.ts";
import { SESSION_COOKIE } from "./authenticate.ts";
import type { OrgRole } from "./principal.ts";
import { ACCESS_TOKEN_SECONDS, signAccessToken } from "./session-token.ts";

/** The cookie that carries a browser's refresh token; sent only to `/v1/auth`. */
export const REFRESH_COOKIE = "kt_refresh";
/** A readable copy of the CSRF token, so a reloaded page (or an OIDC redirect) can echo it. */
export const CSRF_COOKIE = "kt_csrf";
/** Sessions (the refresh token) end 30 days after sign-in, however often they are refreshed. */
export const SESSION_SECONDS = 30 * 24 * 60 * 60;
const REFRESH_PREFIX = "kt_rt_";
const MIN_SECRET_LENGTH = 32;

/** Who a session is for: a person in one org (the org's name and their role there). */
export interface SessionIdentity {
  user: { id: string; email: string; name: string | null };
  org: { id: string; name: string; role: OrgRole };
}

/** A freshly issued session: the tokens go to the caller once, only hashes are stored. */
export interface IssuedSession {
  sessionId: string;
  accessToken: string;
  refreshToken: string;
  csrfToken: string;
  /** Milliseconds since the epoch when the refresh token stops working. */
  expiresAt: number;
}

/** Random bytes as base64url: 32 bytes give a 43-character token of 256 bits. */
export function randomToken(bytes = 32): string {
  const raw = crypto.getRandomValues(new Uint8Array(bytes));
  return btoa(String.fromCharCode(...raw))
    .replaceAll("+", "-")
    .replaceAll("/", "_")
    .replace(/=+$/, "");
}

/** The session signing secret, or 503 when the worker was deployed without one. */
export function sessionSecret(c: Context<ControlApp>): string {
  const secret = c.env.KEEPTRUSTS_SESSION_SECRET;
  if (!secret || secret.length < MIN_SECRET_LENGTH)
    throw new Problem(
      503,
      "sessions_unavailable",
      "Sign-in is not configured",
      "set KEEPTRUSTS_SESSION_SECRET (at least 32 characters) on the control worker",
    );
  return secret;
}

/** Why an org could not be chosen for a sign-in. */
export type OrgChoice =
  | { ok: true; org: SessionIdentity["org"] }
  | { ok: false; reason: "org_required" | "not_a_member" | "no_org" };

/**
 * The org a sign-in opens: the one asked for (id or name), else the person's only
 * org. Called only after the person proved who they are, and even then it lists
 * no org names.
 */
export async function chooseOrg(db: Db, userId: string, requested?: string): Promise<OrgChoice> {
  const rows = await db
    .select({ id: orgs.id, name: orgs.name, role: memberships.role })
    .from(memberships)
    .innerJoin(orgs, eq(orgs.id, memberships.orgId))
    .where(
      and(
        eq(memberships.userId, userId),
        requested ? or(eq(orgs.id, requested), eq(orgs.name, requested)) : undefined,
      ),
    )
    .limit(2);
  const [only] = rows;
  if (only && rows.length === 1) return { ok: true, org: only };
  if (rows.length > 1) return { ok: false, reason: "org_required" };
  return { ok: false, reason: requested ? "not_a_member" : "no_org" };
}

/** The one public answer for each reason an org could not be chosen. */
export function orgProblem(reason: Extract<OrgChoice, { ok: false }>["reason"]): Problem {
  switch (reason) {
    case "org_required":
      return new Problem(
        400,
        "org_required",
        "Choose an org",
        "you belong to several orgs; sign in again with `org` set to the org's id or name",
      );
    case "not_a_member":
      return new Problem(403, "not_a_member", "Not a member", "you are not a member of that org");
    case "no_org":
      return new Problem(
        403,
        "no_account",
        "No account",
        "you are not a member of any org; ask an org admin for an invite",
      );
  }
}

/** Loads a user and their org for a session, or undefined when either is gone. */
export async function loadIdentity(
  db: Db,
  userId: string,
  orgId: string,
): Promise<SessionIdentity | undefined> {
  const [row] = await db
    .select({
      id: users.id,
      email: users.email,
      name: users.name,
      orgName: orgs.name,
      role: memberships.role,
    })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .innerJoin(orgs, eq(orgs.id, memberships.orgId))
    .where(and(eq(memberships.userId, userId), eq(memberships.orgId, orgId)))
    .limit(1);
  if (!row) return undefined;
  return {
    user: { id: row.id, email: row.email, name: row.name },
    org: { id: orgId, name: row.orgName, role: row.role },
  };
}

async function signFor(
  secret: string,
  identity: SessionIdentity,
  sessionId: string,
  refreshToken: string,
  expiresAt: number,
): Promise<IssuedSession> {
  const csrfToken = randomToken();
  const accessToken = await signAccessToken(
    { sub: identity.user.id, org: identity.org.id, sid: sessionId, csrf: csrfToken },
    secret,
  );
  return { sessionId, accessToken, refreshToken, csrfToken, expiresAt };
}

/**
 * Opens a session after a sign-in: one row holding the refresh token's hash
 * (30 days), an access token with a fresh CSRF token, and an audit record of
 * the sign-in, written together.
 */
export async function createSession(
  c: Context<ControlApp>,
  db: Db,
  identity: SessionIdentity,
  method: "password" | "oidc",
): Promise<IssuedSession> {
  const secret = sessionSecret(c);
  const now = Date.now();
  const sessionId = newId("ses");
  const refreshToken = REFRESH_PREFIX + randomToken();
  const expiresAt = now + SESSION_SECONDS * 1000;
  await db.batch([
    db.insert(sessions).values({
      id: sessionId,
      userId: identity.user.id,
      orgId: identity.org.id,
      refreshHash: await hashKey(refreshToken),
      createdAt: now,
      expiresAt,
    }),
    auditEntry(
      c,
      db,
      {
        action: "session.create",
        resourceType: "session",
        resourceId: sessionId,
        after: { method },
      },
      { orgId: identity.org.id, type: "user", id: identity.user.id },
    ),
  ]);
  return signFor(secret, identity, sessionId, refreshToken, expiresAt);
}

/** The result of presenting a refresh token. */
export type RefreshOutcome =
  | { ok: true; session: IssuedSession; identity: SessionIdentity }
  | { ok: false; reason: "unknown" | "expired" | "reused" | "no_membership" };

/** Revokes every live session of a person in an org (sign-out everywhere, or a stolen token). */
export async function revokeAllSessions(db: Db, userId: string, orgId: string, now = Date.now()) {
  await db
    .update(sessions)
    .set({ revokedAt: now })
    .where(and(eq(sessions.userId, userId), eq(sessions.orgId, orgId), isNull(sessions.revokedAt)));
}

/**
 * Rotates a refresh token. Each token works once: using it revokes its session
 * row (and with it the access token that named that row) and opens a new row
 * with a new refresh token and the same absolute expiry. A token whose row is
 * already revoked is a replay — a copy was stolen, or two clients share one — so
 * every session of that person in that org is revoked: the schema keeps no
 * family id, so "the family" is all of that person's sessions in that org.
 * Logged-out tokens count as revoked too: a refresh token used after logout
 * was not used by the person who logged out.
 */
export async function rotateSession(
  c: Context<ControlApp>,
  db: Db,
  refreshToken: string,
): Promise<RefreshOutcome> {
  const secret = sessionSecret(c);
  const now = Date.now();
  const hash = await hashKey(refreshToken);
  const [row] = await db.select().from(sessions).where(eq(sessions.refreshHash, hash)).limit(1);
  if (!row) return { ok: false, reason: "unknown" };
  const replayed = async (): Promise<RefreshOutcome> => {
    await db.batch([
      db
        .update(sessions)
        .set({ revokedAt: now })
        .where(
          and(
            eq(sessions.userId, row.userId),
            eq(sessions.orgId, row.orgId),
            isNull(sessions.revokedAt),
          ),
        ),
      auditEntry(
        c,
        db,
        {
          action: "session.replay_revoked",
          resourceType: "session",
          resourceId: row.id,
          after: { user_id: row.userId },
        },
        { orgId: row.orgId, type: "system", id: "sessions" },
      ),
    ]);
    return { ok: false, reason: "reused" };
  };
  if (row.revokedAt !== null) return replayed();
  if (row.expiresAt <= now) return { ok: false, reason: "expired" };
  const identity = await loadIdentity(db, row.userId, row.orgId);
  if (!identity) {
    await revokeAllSessions(db, row.userId, row.orgId, now);
    return { ok: false, reason: "no_membership" };
  }
  const sessionId = newId("ses");
  const nextToken = REFRESH_PREFIX + randomToken();
  const nextHash = await hashKey(nextToken);
  // One batch (a transaction): the new row is copied from the old one only while
  // the old one is live, then the old one is revoked. Of two concurrent uses of
  // one token exactly one inserts; the other sees a replay.
  const [inserted] = await db.batch([
    db
      .insert(sessions)
      .select(
        sql`SELECT ${sessionId}, user_id, org_id, ${nextHash}, ${now}, expires_at, NULL FROM sessions WHERE id = ${row.id} AND revoked_at IS NULL AND expires_at > ${now}`,
      )
      .returning({ id: sessions.id }),
    db
      .update(sessions)
      .set({ revokedAt: now })
      .where(and(eq(sessions.id, row.id), isNull(sessions.revokedAt))),
  ]);
  if (inserted.length === 0) return replayed();
  const session = await signFor(secret, identity, sessionId, nextToken, row.expiresAt);
  return { ok: true, session, identity };
}

/** Ends one session by its id (from an access token), if it is the caller's and still live. */
export async function revokeSessionById(db: Db, sessionId: string, userId: string) {
  const now = Date.now();
  const [row] = await db
    .update(sessions)
    .set({ revokedAt: now })
    .where(and(eq(sessions.id, sessionId), eq(sessions.userId, userId), isNull(sessions.revokedAt)))
    .returning({ id: sessions.id, orgId: sessions.orgId, userId: sessions.userId });
  return row;
}

/** Ends the session a refresh token belongs to, if it is live (logout: no replay alarm). */
export async function revokeSessionByRefreshToken(db: Db, refreshToken: string) {
  const now = Date.now();
  const [row] = await db
    .update(sessions)
    .set({ revokedAt: now })
    .where(
      and(
        eq(sessions.refreshHash, await hashKey(refreshToken)),
        isNull(sessions.revokedAt),
        gt(sessions.expiresAt, now),
      ),
    )
    .returning({ id: sessions.id, orgId: sessions.orgId, userId: sessions.userId });
  return row;
}

/**
 * Cookies are Secure except when the public URL is plain http on loopback
 * (local development), where browsers would drop Secure cookies.
 */
export function usesSecureCookies(publicUrl: string | undefined): boolean {
  if (!publicUrl) return true;
  try {
    const url = new URL(publicUrl);
    const loopback = ["127.0.0.1", "localhost", "[::1]"].includes(url.hostname);
    return !(url.protocol === "http:" && loopback);
  } catch {
    return true;
  }
}

/**
 * Sets the browser cookies of a session: `kt_session` (the access token; HttpOnly,
 * SameSite=Lax, Path=/, 15 minutes), `kt_refresh` (HttpOnly, SameSite=Strict,
 * Path=/v1/auth, until the session ends) and `kt_csrf` (the CSRF token, readable by
 * the page so it can echo it in `x-csrf-token`; SameSite=Lax, Path=/, 15 minutes).
 */
export function setSessionCookies(c: Context<ControlApp>, session: IssuedSession): void {
  const secure = usesSecureCookies(c.env.KEEPTRUSTS_PUBLIC_URL);
  const refreshSeconds = Math.max(0, Math.floor((session.expiresAt - Date.now()) / 1000));
  setCookie(c, SESSION_COOKIE, session.accessToken, {
    httpOnly: true,
    secure,
    sameSite: "Lax",
    path: "/",
    maxAge: ACCESS_TOKEN_SECONDS,
  });
  setCookie(c, REFRESH_COOKIE, session.refreshToken, {
    httpOnly: true,
    secure,
    sameSite: "Strict",
    path: "/v1/auth",
    maxAge: refreshSeconds,
  });
  setCookie(c, CSRF_COOKIE, session.csrfToken, {
    secure,
    sameSite: "Lax",
    path: "/",
    maxAge: ACCESS_TOKEN_SECONDS,
  });
}

/** Clears the session cookies (same paths and flags, so browsers match them). */
export function clearSessionCookies(c: Context<ControlApp>): void {
  const secure = usesSecureCookies(c.env.KEEPTRUSTS_PUBLIC_URL);
  deleteCookie(c, SESSION_COOKIE, { path: "/", secure, httpOnly: true, sameSite: "Lax" });
  deleteCookie(c, REFRESH_COOKIE, {
    path: "/v1/auth",
    secure,
    httpOnly: true,
    sameSite: "Strict",
  });
  deleteCookie(c, CSRF_COOKIE, { path: "/", secure, sameSite: "Lax" });
}

/**
 * True for requests a browser made (fetch metadata headers, which page scripts
 * cannot set). Browsers get the tokens only as HttpOnly cookies, never in the body.
 */
export function fromBrowser(c: Context<ControlApp>): boolean {
  return Boolean(c.req.header("sec-fetch-mode") ?? c.req.header("sec-fetch-site"));
}

/** The JSON answer of a sign-in or refresh; tokens are left out for browsers. */
export function sessionBody(
  session: IssuedSession,
  identity: SessionIdentity,
  withTokens: boolean,
) {
  return {
    access_token: withTokens ? session.accessToken : null,
    refresh_token: withTokens ? session.refreshToken : null,
    token_type: "Bearer" as const,
    csrf_token: session.csrfToken,
    expires_in: ACCESS_TOKEN_SECONDS,
    refresh_expires_at: session.expiresAt,
    user: identity.user,
    org: identity.org,
  };
}
