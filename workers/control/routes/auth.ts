import { createRoute, z } from "@hono/zod-openapi";
import { and, eq, isNull, ne } from "drizzle-orm";
import type { Context } from "hono";
import { getCookie } from "hono/cookie";
import { keyKind } from "../../db/api-key.ts";
import { createDb } from "../../db/client.ts";
import { sessions, users } from "../../db/schema.ts";
import { auditEntry } from "../audit.ts";
import { authenticate, SESSION_COOKIE } from "../auth/authenticate.ts";
import {
  attemptKeys,
  checkPassword,
  clientAddress,
  countAttemptFirst,
  forgiveAttempt,
  invalidCredentials,
  tooManyAttempts,
} from "../auth/login-attempts.ts";
import { endOidcFlow, finishOidc, oidcProblem, startOidc } from "../auth/oidc.ts";
import { hashPassword, verifyPassword } from "../auth/password.ts";
import { ORG_ROLES } from "../auth/principal.ts";
import { verifyAccessToken, type SessionClaims } from "../auth/session-token.ts";
import {
  chooseOrg,
  clearSessionCookies,
  createSession,
  fromBrowser,
  loadIdentity,
  orgProblem,
  REFRESH_COOKIE,
  revokeSessionById,
  revokeSessionByRefreshToken,
  rotateSession,
  sessionBody,
  sessionSecret,
  setSessionCookies,
} from "../auth/sessions.ts";
import type { ControlApp } from "../env.ts";
import { forbidden, onProblem, Problem } from "../errors.ts";
import { controlRouter, Email, jsonBody, ProblemSchema, responses } from "./route-kit.ts";

const Session = z
  .object({
    access_token: z.string().nullable().openapi({ description: "Null for browsers (cookie)" }),
    refresh_token: z.string().nullable().openapi({ description: "Null for browsers (cookie)" }),
    token_type: z.literal("Bearer"),
    csrf_token: z.string().openapi({ description: "Echo in x-csrf-token with the cookie" }),
    expires_in: z.number().int().openapi({ description: "Seconds the access token lives" }),
    refresh_expires_at: z.number().int(),
    user: z.object({ id: z.string(), email: z.string(), name: z.string().nullable() }),
    org: z.object({ id: z.string(), name: z.string(), role: z.enum(ORG_ROLES) }),
  })
  .openapi("Session");
const RefreshBody = z.object({ refresh_token: z.string().min(1).max(200).optional() }).strict();
const problems = (description: string) => ({
  description,
  content: { "application/problem+json": { schema: ProblemSchema } },
});
const redirect = (description: string) => ({
  description,
  headers: z.object({ location: z.string() }),
});

const PROBLEM_JSON = { "content-type": "application/problem+json" };

/**
 * A problem's body, for the few answers returned rather than thrown: they carry
 * cookies (cleared) or Retry-After, which a thrown problem would lose.
 */
async function problemBody(c: Context<ControlApp>, problem: Problem) {
  return (await onProblem(problem, c).json()) as z.infer<typeof ProblemSchema>;
}

function invalidRefresh(): Problem {
  return new Problem(
    401,
    "invalid_refresh_token",
    "Session ended",
    "the refresh token is unknown, expired or already used; sign in again",
  );
}

/** The claims of the session token the caller presented (bearer or cookie), if valid. */
async function presentedSession(
  c: Context<ControlApp>,
): Promise<{ claims: SessionClaims; via: "bearer" | "cookie" } | undefined> {
  const secret = sessionSecret(c);
  const bearer = c.req.header("authorization")?.match(/^Bearer\s+(\S+)$/i)?.[1];
  if (bearer) {
    if (keyKind(bearer)) return undefined;
    const claims = await verifyAccessToken(bearer, secret);
    return claims ? { claims, via: "bearer" } : undefined;
  }
  const cookie = getCookie(c, SESSION_COOKIE);
  const claims = cookie ? await verifyAccessToken(cookie, secret) : undefined;
  return claims ? { claims, via: "cookie" } : undefined;
}

/**
 * `/v1/auth`: sign-in with email and password or OIDC single sign-on, refresh,
 * logout and password change. Mounted before `authenticate` (all but
 * `/v1/auth/password` are public; that one authenticates itself).
 */
export const authRoutes = controlRouter();

authRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/auth/login",
    security: [],
    request: {
      body: jsonBody(
        z
          .object({
            email: Email,
            password: z.string().min(1).max(200),
            org: z.string().min(1).max(200).optional().openapi({ description: "Org id or name" }),
          })
          .strict(),
      ),
    },
    responses: {
      ...responses(200, Session, "A new session (cookies set too)"),
      429: problems("Too many failed sign-ins (Retry-After)"),
    },
  }),
  async (c) => {
    const body = c.req.valid("json");
    const db = createDb(c.env.DB);
    sessionSecret(c);
    const check = await checkPassword(db, body.email, body.password, clientAddress(c));
    if (!check.ok && check.reason === "too_many_attempts")
      return c.json(await problemBody(c, tooManyAttempts(check.retryAfterSeconds)), 429, {
        ...PROBLEM_JSON,
        "retry-after": String(check.retryAfterSeconds),
      });
    if (!check.ok) throw invalidCredentials();
    const choice = await chooseOrg(db, check.userId, body.org);
    if (!choice.ok) throw orgProblem(choice.reason);
    const identity = await loadIdentity(db, check.userId, choice.org.id);
    if (!identity) throw orgProblem("no_org");
    const session = await createSession(c, db, identity, "password");
    setSessionCookies(c, session);
    return c.json(sessionBody(session, identity, !fromBrowser(c)), 200);
  },
);

authRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/auth/refresh",
    security: [],
    request: {
      body: { content: { "application/json": { schema: RefreshBody } }, required: false },
    },
    responses: responses(200, Session, "The rotated session: new access and refresh tokens"),
  }),
  async (c) => {
    const token = c.req.valid("json").refresh_token ?? getCookie(c, REFRESH_COOKIE);
    if (!token) throw invalidRefresh();
    const db = createDb(c.env.DB);
    const outcome = await rotateSession(c, db, token);
    if (!outcome.ok) {
      clearSessionCookies(c);
      return c.json(await problemBody(c, invalidRefresh()), 401, PROBLEM_JSON);
    }
    setSessionCookies(c, outcome.session);
    return c.json(sessionBody(outcome.session, outcome.identity, !fromBrowser(c)), 200);
  },
);

authRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/auth/logout",
    security: [],
    request: {
      body: { content: { "application/json": { schema: RefreshBody } }, required: false },
    },
    responses: responses(
      200,
      z.object({ logged_out: z.literal(true), sessions_revoked: z.number().int() }),
      "Cookies cleared; the presented session (and refresh token) revoked",
    ),
  }),
  async (c) => {
    const db = createDb(c.env.DB);
    const presented = await presentedSession(c);
    if (presented?.via === "cookie" && c.req.header("x-csrf-token") !== presented.claims.csrf)
      throw new Problem(
        403,
        "csrf_failed",
        "CSRF check failed",
        "send the session's CSRF token in x-csrf-token",
      );
    const revoked = [];
    if (presented)
      revoked.push(await revokeSessionById(db, presented.claims.sid, presented.claims.sub));
    const refreshToken = c.req.valid("json").refresh_token ?? getCookie(c, REFRESH_COOKIE);
    if (refreshToken) revoked.push(await revokeSessionByRefreshToken(db, refreshToken));
    const ended = revoked.filter((row) => row !== undefined);
    for (const row of ended)
      await auditEntry(
        c,
        db,
        { action: "session.revoke", resourceType: "session", resourceId: row.id },
        { orgId: row.orgId, type: "user", id: row.userId },
      );
    clearSessionCookies(c);
    return c.json({ logged_out: true as const, sessions_revoked: ended.length }, 200);
  },
);

authRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/auth/oidc/start",
    security: [],
    request: {
      query: z.object({
        return_to: z.string().max(2000).optional(),
        org: z.string().min(1).max(200).optional(),
      }),
    },
    responses: {
      302: redirect("To the identity provider (sets the kt_oidc cookie)"),
      501: problems("Single sign-on is not configured"),
      502: problems("The identity provider is unavailable"),
    },
  }),
  async (c) => {
    const query = c.req.valid("query");
    const started = await startOidc(c, query.return_to, query.org);
    if (!started.ok) throw oidcProblem(started.reason);
    return c.redirect(started.location, 302);
  },
);

authRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/auth/oidc/callback",
    security: [],
    middleware: [endOidcFlow()],
    request: {
      query: z.object({
        code: z.string().max(4000).optional(),
        state: z.string().max(500).optional(),
        error: z.string().max(500).optional(),
      }),
    },
    responses: {
      302: redirect("Signed in: to the return path, with the session cookies"),
      400: problems("Sign-in expired, forged, or several orgs and none chosen"),
      401: problems("The identity provider refused, or its ID token did not verify"),
      403: problems("No account with that email (ask for an invite), or no verified email"),
      502: problems("The identity provider is unavailable"),
    },
  }),
  async (c) => {
    const outcome = await finishOidc(c, c.req.valid("query"));
    if (!outcome.ok) throw oidcProblem(outcome.reason);
    const db = createDb(c.env.DB);
    const [user] = await db
      .select({ id: users.id })
      .from(users)
      .where(eq(users.email, outcome.email))
      .limit(1);
    if (!user) throw orgProblem("no_org");
    const choice = await chooseOrg(db, user.id, outcome.org);
    if (!choice.ok) throw orgProblem(choice.reason);
    const identity = await loadIdentity(db, user.id, choice.org.id);
    if (!identity) throw orgProblem("no_org");
    setSessionCookies(c, await createSession(c, db, identity, "oidc"));
    return c.redirect(outcome.returnTo, 302);
  },
);

authRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/auth/password",
    middleware: [authenticate()],
    request: {
      body: jsonBody(
        z
          .object({
            current_password: z.string().min(1).max(200).optional(),
            new_password: z.string().min(12).max(200),
          })
          .strict(),
      ),
    },
    responses: {
      ...responses(
        200,
        z.object({ changed: z.literal(true), sessions_revoked: z.number().int() }),
        "Password set; the caller's other sessions are signed out",
      ),
      429: problems("Too many wrong current passwords (Retry-After)"),
    },
  }),
  async (c) => {
    const principal = c.get("principal");
    const presented = await presentedSession(c);
    if (principal.kind !== "session" || !principal.userId || !presented)
      throw forbidden("sign in as yourself (a session, not an access key) to change your password");
    const body = c.req.valid("json");
    const db = createDb(c.env.DB);
    const [user] = await db
      .select({ id: users.id, email: users.email, passwordHash: users.passwordHash })
      .from(users)
      .where(eq(users.id, principal.userId))
      .limit(1);
    if (!user) throw forbidden("your account no longer exists");
    if (user.passwordHash) {
      if (!body.current_password)
        throw new Problem(400, "current_password_required", "Current password required");
      const keys = await attemptKeys(user.email, clientAddress(c));
      const verdict = await countAttemptFirst(db, keys);
      if (!verdict.allowed)
        return c.json(await problemBody(c, tooManyAttempts(verdict.retryAfterSeconds)), 429, {
          ...PROBLEM_JSON,
          "retry-after": String(verdict.retryAfterSeconds),
        });
      if (!(await verifyPassword(body.current_password, user.passwordHash)))
        throw new Problem(403, "wrong_password", "Wrong password", "the current password is wrong");
      await forgiveAttempt(db, keys);
    }
    const now = Date.now();
    const [, revoked] = await db.batch([
      db
        .update(users)
        .set({ passwordHash: await hashPassword(body.new_password) })
        .where(eq(users.id, user.id)),
      db
        .update(sessions)
        .set({ revokedAt: now })
        .where(
          and(
            eq(sessions.userId, user.id),
            ne(sessions.id, presented.claims.sid),
            isNull(sessions.revokedAt),
          ),
        )
        .returning({ id: sessions.id }),
      auditEntry(c, db, {
        action: user.passwordHash ? "user.password.change" : "user.password.set",
        resourceType: "user",
        resourceId: user.id,
      }),
    ]);
    return c.json({ changed: true as const, sessions_revoked: revoked.length }, 200);
  },
);
