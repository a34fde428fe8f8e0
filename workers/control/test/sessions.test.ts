import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { hashKey } from "../../db/api-key.ts";
import { attemptKeys, MAX_FAILURES_PER_ADDRESS } from "../auth/login-attempts.ts";
import { hashPassword } from "../auth/password.ts";
import type { ControlBindings } from "../env.ts";
import worker from "../index.ts";
import { json, newOrg, unique } from "./control.ts";

const PASSWORD = "correct horse battery staple";
const SECRET = (env as ControlBindings).KEEPTRUSTS_SESSION_SECRET ?? "";

interface SessionJson {
  access_token: string | null;
  refresh_token: string | null;
  csrf_token: string;
  expires_in: number;
  user: { id: string; email: string };
  org: { id: string; name: string; role: string };
}

/** Calls the control worker with any headers and, optionally, other bindings. */
async function send(
  method: string,
  path: string,
  options: { body?: unknown; headers?: Record<string, string>; bindings?: object } = {},
): Promise<Response> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.body !== undefined) headers["content-type"] = "application/json";
  const context = createExecutionContext();
  const response = await worker.fetch(
    new Request(`http://control.test${path}`, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    }),
    { ...env, ...options.bindings } as ControlBindings,
    context,
  );
  await waitOnExecutionContext(context);
  return response;
}

/** Set-Cookie headers by cookie name: the value and the raw attribute text. */
function cookiesOf(response: Response): Map<string, { value: string; raw: string }> {
  const cookies = new Map<string, { value: string; raw: string }>();
  for (const raw of response.headers.getSetCookie()) {
    const [pair = ""] = raw.split(";");
    const split = pair.indexOf("=");
    cookies.set(pair.slice(0, split), { value: decodeURIComponent(pair.slice(split + 1)), raw });
  }
  return cookies;
}

/** A fresh org whose owner has a password. */
async function personWithPassword(label = "person") {
  const org = await newOrg(label);
  await env.DB.prepare("UPDATE users SET password_hash = ? WHERE id = ?")
    .bind(await hashPassword(PASSWORD), org.ownerId)
    .run();
  return org;
}

/** Signs in; every test uses its own client address so address counters never collide. */
async function login(body: Record<string, unknown>, headers: Record<string, string> = {}) {
  return send("POST", "/v1/auth/login", {
    body,
    headers: { "cf-connecting-ip": unique("ip"), ...headers },
  });
}

async function loggedIn(email: string) {
  const response = await login({ email, password: PASSWORD });
  expect(response.status).toBe(200);
  return { body: (await response.json()) as SessionJson, cookies: cookiesOf(response) };
}

const bearer = (token: string | null) => ({ authorization: `Bearer ${token ?? ""}` });

describe("password sign-in", () => {
  it("answers tokens in JSON and sets cookies with the right flags", async () => {
    const { ownerEmail, ownerId, orgId } = await personWithPassword();
    const response = await login({ email: ownerEmail.toUpperCase(), password: PASSWORD });
    expect(response.status).toBe(200);
    const body = (await response.json()) as SessionJson;
    expect(body).toMatchObject({
      expires_in: 900,
      user: { id: ownerId, email: ownerEmail },
      org: { id: orgId, role: "owner" },
    });
    expect(body.access_token?.split(".")).toHaveLength(3);
    expect(body.refresh_token).toMatch(/^kt_rt_[A-Za-z0-9_-]{43}$/);
    const cookies = cookiesOf(response);
    expect(cookies.get("kt_session")?.value).toBe(body.access_token);
    expect(cookies.get("kt_session")?.raw).toMatch(/Max-Age=900; Path=\/; HttpOnly; SameSite=Lax$/);
    expect(cookies.get("kt_refresh")?.raw).toMatch(/Path=\/v1\/auth; HttpOnly; SameSite=Strict$/);
    expect(cookies.get("kt_csrf")?.value).toBe(body.csrf_token);
    expect(cookies.get("kt_csrf")?.raw).not.toMatch(/HttpOnly/);
    // The public URL of the tests is http://127.0.0.1: no Secure there, Secure anywhere else.
    expect([...cookies.values()].some((cookie) => /Secure/.test(cookie.raw))).toBe(false);
    const stored = await env.DB.prepare("SELECT refresh_hash FROM sessions WHERE user_id = ?")
      .bind(ownerId)
      .first<{ refresh_hash: string }>();
    expect(stored?.refresh_hash).toBe(await hashKey(body.refresh_token ?? ""));
    const me = await send("GET", "/v1/me", { headers: bearer(body.access_token) });
    expect(await me.json()).toMatchObject({ via: "session", role: "owner", user: { id: ownerId } });
  });

  it("marks cookies Secure on https, and keeps tokens out of the body for browsers", async () => {
    const { ownerEmail } = await personWithPassword();
    const response = await send("POST", "/v1/auth/login", {
      body: { email: ownerEmail, password: PASSWORD },
      headers: { "cf-connecting-ip": unique("ip"), "sec-fetch-mode": "cors" },
      bindings: { KEEPTRUSTS_PUBLIC_URL: "https://keeptrusts.example" },
    });
    const body = (await response.json()) as SessionJson;
    expect(body.access_token).toBeNull();
    expect(body.refresh_token).toBeNull();
    const cookies = cookiesOf(response);
    for (const name of ["kt_session", "kt_refresh", "kt_csrf"])
      expect(cookies.get(name)?.raw).toMatch(/; Secure/);
  });

  it("gives a wrong password, an unknown email and an SSO-only user the same 401", async () => {
    const { ownerEmail } = await personWithPassword();
    const ssoOnly = await newOrg("sso");
    const answers = [];
    for (const body of [
      { email: ownerEmail, password: "not the password" },
      { email: `${unique("nobody")}@example.com`, password: PASSWORD },
      { email: ssoOnly.ownerEmail, password: PASSWORD },
    ]) {
      const response = await login(body);
      expect(response.status).toBe(401);
      const { instance: _instance, ...rest } = (await response.json()) as Record<string, unknown>;
      answers.push(rest);
    }
    expect(answers[0]).toMatchObject({ code: "invalid_credentials", status: 401 });
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[2]).toEqual(answers[0]);
  });

  it("refuses the 6th attempt in 15 minutes with 429 and Retry-After, even with the password", async () => {
    const { ownerEmail } = await personWithPassword();
    for (let attempt = 0; attempt < 5; attempt += 1)
      expect((await login({ email: ownerEmail, password: "wrong" })).status).toBe(401);
    const locked = await login({ email: ownerEmail, password: PASSWORD });
    expect(locked.status).toBe(429);
    expect(await locked.json()).toMatchObject({ code: "too_many_attempts" });
    const retryAfter = Number(locked.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(800);
    expect(retryAfter).toBeLessThanOrEqual(900);
    // Once the window has passed, the person may try again.
    const { email } = await attemptKeys(ownerEmail, "any");
    await env.DB.prepare("UPDATE login_attempts SET window_start = ? WHERE key = ?")
      .bind(Date.now() - 16 * 60 * 1000, email)
      .run();
    expect((await login({ email: ownerEmail, password: PASSWORD })).status).toBe(200);
  });

  it("clears the email's counter on success", async () => {
    const { ownerEmail } = await personWithPassword();
    for (let attempt = 0; attempt < 4; attempt += 1)
      expect((await login({ email: ownerEmail, password: "wrong" })).status).toBe(401);
    expect((await login({ email: ownerEmail, password: PASSWORD })).status).toBe(200);
    for (let attempt = 0; attempt < 5; attempt += 1)
      expect((await login({ email: ownerEmail, password: "wrong" })).status).toBe(401);
    expect((await login({ email: ownerEmail, password: "wrong" })).status).toBe(429);
  });

  it("limits failures per client address too, whatever the email", async () => {
    const address = unique("shared-ip");
    for (let attempt = 0; attempt < MAX_FAILURES_PER_ADDRESS; attempt += 1) {
      const response = await login(
        { email: `${unique("guess")}@example.com`, password: "wrong" },
        { "cf-connecting-ip": address },
      );
      expect(response.status).toBe(401);
    }
    const { ownerEmail } = await personWithPassword();
    const refused = await login(
      { email: ownerEmail, password: PASSWORD },
      { "cf-connecting-ip": address },
    );
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toMatch(/^\d+$/);
  });

  it("asks a person in several orgs which one, without naming any", async () => {
    const { ownerEmail, orgId } = await personWithPassword();
    const secondName = unique("second");
    const second = await json<{ org: { id: string } }>("POST", "/v1/bootstrap", {
      body: { org: secondName, email: ownerEmail },
      headers: { "x-keeptrusts-bootstrap-token": "test-bootstrap-token" },
    });
    const ambiguous = await login({ email: ownerEmail, password: PASSWORD });
    expect(ambiguous.status).toBe(400);
    const text = await ambiguous.text();
    expect(JSON.parse(text)).toMatchObject({ code: "org_required" });
    expect(text).not.toContain(secondName);
    expect(text).not.toContain(orgId);
    const chosen = await login({ email: ownerEmail, password: PASSWORD, org: secondName });
    expect(((await chosen.json()) as SessionJson).org.id).toBe(second.org.id);
    const byId = await login({ email: ownerEmail, password: PASSWORD, org: orgId });
    expect(((await byId.json()) as SessionJson).org.id).toBe(orgId);
    const stranger = await newOrg("stranger");
    const other = await login({ email: ownerEmail, password: PASSWORD, org: stranger.orgId });
    expect(other.status).toBe(403);
    expect(await other.json()).toMatchObject({ code: "not_a_member" });
  });
});

describe("refresh and logout", () => {
  it("rotates refresh tokens; a reused one revokes the person's sessions", async () => {
    const { ownerEmail } = await personWithPassword();
    const first = (await loggedIn(ownerEmail)).body;
    const rotated = await send("POST", "/v1/auth/refresh", {
      body: { refresh_token: first.refresh_token },
    });
    expect(rotated.status).toBe(200);
    const second = (await rotated.json()) as SessionJson;
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect(second.csrf_token).not.toBe(first.csrf_token);
    // The old access token named the old session row, which is now revoked.
    expect((await send("GET", "/v1/me", { headers: bearer(first.access_token) })).status).toBe(401);
    expect((await send("GET", "/v1/me", { headers: bearer(second.access_token) })).status).toBe(
      200,
    );
    const reused = await send("POST", "/v1/auth/refresh", {
      body: { refresh_token: first.refresh_token },
    });
    expect(reused.status).toBe(401);
    expect(await reused.json()).toMatchObject({ code: "invalid_refresh_token" });
    expect(cookiesOf(reused).get("kt_refresh")?.raw).toMatch(/Max-Age=0/);
    expect((await send("GET", "/v1/me", { headers: bearer(second.access_token) })).status).toBe(
      401,
    );
    const afterTheft = await send("POST", "/v1/auth/refresh", {
      body: { refresh_token: second.refresh_token },
    });
    expect(afterTheft.status).toBe(401);
  });

  it("refreshes a browser session from the kt_refresh cookie", async () => {
    const { ownerEmail } = await personWithPassword();
    const { cookies } = await loggedIn(ownerEmail);
    const response = await send("POST", "/v1/auth/refresh", {
      headers: { cookie: `kt_refresh=${cookies.get("kt_refresh")?.value}` },
    });
    expect(response.status).toBe(200);
    const renewed = cookiesOf(response);
    expect(renewed.get("kt_session")?.value).toMatch(/^ey/);
    expect(renewed.get("kt_refresh")?.value).not.toBe(cookies.get("kt_refresh")?.value);
  });

  it("logs out a bearer session: its access and refresh tokens stop working at once", async () => {
    const { ownerEmail } = await personWithPassword();
    const { body } = await loggedIn(ownerEmail);
    const out = await send("POST", "/v1/auth/logout", {
      headers: bearer(body.access_token),
      body: { refresh_token: body.refresh_token },
    });
    expect(out.status).toBe(200);
    expect(await out.json()).toEqual({ logged_out: true, sessions_revoked: 1 });
    expect((await send("GET", "/v1/me", { headers: bearer(body.access_token) })).status).toBe(401);
    const refresh = await send("POST", "/v1/auth/refresh", {
      body: { refresh_token: body.refresh_token },
    });
    expect(refresh.status).toBe(401);
  });

  it("logs out a cookie session only with its CSRF token, and clears the cookies", async () => {
    const { ownerEmail } = await personWithPassword();
    const { body, cookies } = await loggedIn(ownerEmail);
    const cookie = `kt_session=${cookies.get("kt_session")?.value}; kt_refresh=${cookies.get("kt_refresh")?.value}`;
    const forged = await send("POST", "/v1/auth/logout", { headers: { cookie } });
    expect(forged.status).toBe(403);
    expect(await forged.json()).toMatchObject({ code: "csrf_failed" });
    const out = await send("POST", "/v1/auth/logout", {
      headers: { cookie, "x-csrf-token": body.csrf_token },
    });
    expect(out.status).toBe(200);
    const cleared = cookiesOf(out);
    expect(cleared.get("kt_session")?.raw).toMatch(/Max-Age=0; .*Path=\/;/);
    expect(cleared.get("kt_refresh")?.raw).toMatch(/Max-Age=0; .*Path=\/v1\/auth;/);
    expect((await send("GET", "/v1/me", { headers: { cookie } })).status).toBe(401);
  });
});

describe("session tokens at the door", () => {
  it("asks cookie sessions for the CSRF token on changes, and bearer sessions not", async () => {
    const { ownerEmail } = await personWithPassword();
    const { body, cookies } = await loggedIn(ownerEmail);
    const cookie = `kt_session=${cookies.get("kt_session")?.value}`;
    expect((await send("GET", "/v1/teams", { headers: { cookie } })).status).toBe(200);
    for (const csrf of [undefined, "wrong", body.access_token ?? ""]) {
      const response = await send("POST", "/v1/teams", {
        headers: { cookie, ...(csrf === undefined ? {} : { "x-csrf-token": csrf }) },
        body: { name: unique("team") },
      });
      expect(response.status).toBe(403);
      expect(await response.json()).toMatchObject({ code: "csrf_failed" });
    }
    const allowed = await send("POST", "/v1/teams", {
      headers: { cookie, "x-csrf-token": body.csrf_token },
      body: { name: unique("team") },
    });
    expect(allowed.status).toBe(201);
    const viaBearer = await send("POST", "/v1/teams", {
      headers: bearer(body.access_token),
      body: { name: unique("team") },
    });
    expect(viaBearer.status).toBe(201);
  });

  it("refuses forged, expired and other-org tokens", async () => {
    const { ownerEmail, ownerId } = await personWithPassword();
    const { body } = await loggedIn(ownerEmail);
    const sid = (
      await env.DB.prepare("SELECT id FROM sessions WHERE user_id = ? AND revoked_at IS NULL")
        .bind(ownerId)
        .first<{ id: string }>()
    )?.id;
    const other = await newOrg("other");
    const token = (claims: { org: string }, secret: string, expiresAt?: number) => {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({ org: claims.org, sid, csrf: "x" })
        .setProtectedHeader({ alg: "HS256" })
        .setSubject(ownerId)
        .setIssuer("keeptrusts-control")
        .setAudience("keeptrusts-session")
        .setIssuedAt(now - 3600)
        .setExpirationTime(expiresAt ?? now + 600)
        .sign(new TextEncoder().encode(secret));
    };
    const orgId = body.org.id;
    const good = await token({ org: orgId }, SECRET);
    expect((await send("GET", "/v1/me", { headers: bearer(good) })).status).toBe(200);
    const refused = [
      await token({ org: orgId }, "a-different-secret-also-32-characters-long"),
      await token({ org: orgId }, SECRET, Math.floor(Date.now() / 1000) - 60),
      await token({ org: other.orgId }, SECRET),
    ];
    for (const forged of refused) {
      const response = await send("GET", "/v1/me", { headers: bearer(forged) });
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({ code: "unauthenticated" });
    }
  });
});

describe("password change", () => {
  it("needs the current password, and signs the person's other sessions out", async () => {
    const { ownerEmail, ownerKey } = await personWithPassword();
    const current = (await loggedIn(ownerEmail)).body;
    const elsewhere = (await loggedIn(ownerEmail)).body;
    const headers = { ...bearer(current.access_token), "cf-connecting-ip": unique("ip") };
    const missing = await send("POST", "/v1/auth/password", {
      headers,
      body: { new_password: "a brand new passphrase" },
    });
    expect(missing.status).toBe(400);
    const wrong = await send("POST", "/v1/auth/password", {
      headers,
      body: { current_password: "nope", new_password: "a brand new passphrase" },
    });
    expect(wrong.status).toBe(403);
    const withKey = await send("POST", "/v1/auth/password", {
      headers: bearer(ownerKey),
      body: { current_password: PASSWORD, new_password: "a brand new passphrase" },
    });
    expect(withKey.status).toBe(403);
    const changed = await send("POST", "/v1/auth/password", {
      headers,
      body: { current_password: PASSWORD, new_password: "a brand new passphrase" },
    });
    expect(await changed.json()).toEqual({ changed: true, sessions_revoked: 1 });
    expect((await send("GET", "/v1/me", { headers: bearer(current.access_token) })).status).toBe(
      200,
    );
    expect((await send("GET", "/v1/me", { headers: bearer(elsewhere.access_token) })).status).toBe(
      401,
    );
    expect((await login({ email: ownerEmail, password: PASSWORD })).status).toBe(401);
    const again = await login({ email: ownerEmail, password: "a brand new passphrase" });
    expect(again.status).toBe(200);
  });
});
