import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { inject } from "vitest";
import type {
  AuthorizeSeen,
  TenantSettings,
  TokenSeen,
} from "../../../test-support/fake-oidc-issuer.ts";
import { safeReturnPath } from "../auth/oidc.ts";
import type { ControlBindings } from "../env.ts";
import worker from "../index.ts";
import { newOrg, unique } from "./control.ts";

/** The fake issuer started by global-setup.ts. */
const fakeIssuer = inject("oidcIssuer");
const SECRET = (env as ControlBindings).KEEPTRUSTS_SESSION_SECRET ?? "";

interface Tenant {
  id: string;
  issuer: string;
}

/** A fresh issuer of its own on the fake, so tests never share settings or caches. */
async function tenant(settings: TenantSettings): Promise<Tenant> {
  const response = await fetch(`${fakeIssuer}/_tenants`, {
    method: "POST",
    body: JSON.stringify(settings),
  });
  return (await response.json()) as Tenant;
}

async function seen(of: Tenant): Promise<{ authorize: AuthorizeSeen[]; token: TokenSeen[] }> {
  return (await fetch(`${fakeIssuer}/_tenants/${of.id}/seen`)).json();
}

/** Calls the control worker configured for single sign-on against `issuer`. */
async function send(
  path: string,
  issuer: string | undefined,
  headers: Record<string, string> = {},
): Promise<Response> {
  const bindings = issuer
    ? {
        KEEPTRUSTS_OIDC_ISSUER: issuer,
        KEEPTRUSTS_OIDC_CLIENT_ID: "test-client",
        KEEPTRUSTS_OIDC_CLIENT_SECRET: "test-secret",
      }
    : {};
  const context = createExecutionContext();
  const response = await worker.fetch(
    new Request(new URL(path, "http://127.0.0.1:41003"), { headers, redirect: "manual" }),
    { ...env, ...bindings } as ControlBindings,
    context,
  );
  await waitOnExecutionContext(context);
  return response;
}

function cookiesOf(response: Response): Map<string, { value: string; raw: string }> {
  const cookies = new Map<string, { value: string; raw: string }>();
  for (const raw of response.headers.getSetCookie()) {
    const [pair = ""] = raw.split(";");
    const split = pair.indexOf("=");
    cookies.set(pair.slice(0, split), { value: decodeURIComponent(pair.slice(split + 1)), raw });
  }
  return cookies;
}

/**
 * The whole browser round trip: start → the issuer's /authorize (which signs the
 * tenant's person in and redirects back) → callback with the flow cookie.
 */
async function signIn(
  of: Tenant,
  options: { returnTo?: string; state?: (state: string) => string; flowCookie?: string } = {},
) {
  const query = options.returnTo ? `?return_to=${encodeURIComponent(options.returnTo)}` : "";
  const start = await send(`/v1/auth/oidc/start${query}`, of.issuer);
  expect(start.status).toBe(302);
  const authorizeUrl = start.headers.get("location") ?? "";
  const flow = cookiesOf(start).get("kt_oidc");
  const atIssuer = await fetch(authorizeUrl, { redirect: "manual" });
  expect(atIssuer.status).toBe(302);
  const back = new URL(atIssuer.headers.get("location") ?? "");
  const state = back.searchParams.get("state") ?? "";
  back.searchParams.set("state", options.state ? options.state(state) : state);
  const callback = await send(`${back.pathname}${back.search}`, of.issuer, {
    cookie: `kt_oidc=${options.flowCookie ?? flow?.value ?? ""}`,
  });
  return { start, authorizeUrl: new URL(authorizeUrl), flow, callback };
}

async function expectProblem(response: Response, status: number, code: string) {
  expect(response.status).toBe(status);
  expect(response.headers.get("content-type")).toBe("application/problem+json");
  const body = (await response.json()) as { code: string; detail: string };
  expect(body.code).toBe(code);
  expect(cookiesOf(response).has("kt_session")).toBe(false);
  return body;
}

describe("OIDC single sign-on", () => {
  it("signs a member in: PKCE, state and nonce, then a session and the return path", async () => {
    const { ownerEmail, ownerId } = await newOrg("sso");
    const issuer = await tenant({ email: ownerEmail.toUpperCase() });
    const { start, authorizeUrl, flow, callback } = await signIn(issuer, {
      returnTo: "/console/teams?tab=members",
    });
    expect(authorizeUrl.origin + authorizeUrl.pathname).toBe(`${issuer.issuer}/authorize`);
    const params = authorizeUrl.searchParams;
    expect(params.get("code_challenge_method")).toBe("S256");
    expect(params.get("code_challenge")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(params.get("redirect_uri")).toBe("http://127.0.0.1:41003/v1/auth/oidc/callback");
    expect(params.get("scope")).toContain("openid");
    expect(params.get("nonce")).toBeTruthy();
    expect(params.has("code_verifier")).toBe(false);
    expect(flow?.raw).toMatch(/Max-Age=600; Path=\/v1\/auth\/oidc; HttpOnly; SameSite=Lax$/);
    expect(start.headers.get("location")).not.toContain(flow?.value ?? "-");

    expect(callback.status).toBe(302);
    expect(callback.headers.get("location")).toBe("/console/teams?tab=members");
    const cookies = cookiesOf(callback);
    expect(cookies.get("kt_oidc")?.raw).toMatch(/Max-Age=0/);
    expect(cookies.get("kt_refresh")?.raw).toMatch(/HttpOnly; SameSite=Strict/);
    const me = await send("/v1/me", undefined, {
      cookie: `kt_session=${cookies.get("kt_session")?.value}`,
    });
    expect(await me.json()).toMatchObject({ via: "session", user: { id: ownerId } });

    const { authorize, token } = await seen(issuer);
    expect(authorize).toHaveLength(1);
    expect(token).toEqual([
      {
        auth_method: "client_secret_basic",
        client_ok: true,
        code_ok: true,
        redirect_ok: true,
        pkce_ok: true,
        has_verifier: true,
        issued: true,
      },
    ]);
  });

  it("authenticates with client_secret_post when that is all the issuer supports", async () => {
    const { ownerEmail } = await newOrg("sso");
    const issuer = await tenant({ email: ownerEmail, authMethods: ["client_secret_post"] });
    const { callback } = await signIn(issuer);
    expect(callback.status).toBe(302);
    expect(callback.headers.get("location")).toBe("/");
    expect((await seen(issuer)).token[0]?.auth_method).toBe("client_secret_post");
  });

  it("refuses a wrong state, and a missing flow cookie, before calling the issuer", async () => {
    const { ownerEmail } = await newOrg("sso");
    const issuer = await tenant({ email: ownerEmail });
    const wrong = await signIn(issuer, { state: (state) => `${state}x` });
    await expectProblem(wrong.callback, 400, "oidc_state_invalid");
    const missing = await signIn(issuer, { flowCookie: "" });
    await expectProblem(missing.callback, 400, "oidc_state_invalid");
    expect((await seen(issuer)).token).toEqual([]);
  });

  it("sends the PKCE verifier, which the issuer checks against the challenge", async () => {
    const { ownerEmail } = await newOrg("sso");
    const issuer = await tenant({ email: ownerEmail });
    const start = await send("/v1/auth/oidc/start", issuer.issuer);
    const atIssuer = await fetch(start.headers.get("location") ?? "", { redirect: "manual" });
    const back = new URL(atIssuer.headers.get("location") ?? "");
    const state = back.searchParams.get("state") ?? "";
    // A flow cookie with the right state and nonce but another verifier (signed with
    // the test secret, as only the worker could): the issuer must refuse the code.
    const nonce = new URL(start.headers.get("location") ?? "").searchParams.get("nonce") ?? "";
    const forged = await new SignJWT({ state, nonce, verifier: "v".repeat(64), return_to: "/" })
      .setProtectedHeader({ alg: "HS256" })
      .setIssuer("keeptrusts-control")
      .setAudience("keeptrusts-oidc-flow")
      .setExpirationTime("5m")
      .sign(new TextEncoder().encode(SECRET));
    const callback = await send(`${back.pathname}${back.search}`, issuer.issuer, {
      cookie: `kt_oidc=${forged}`,
    });
    await expectProblem(callback, 401, "oidc_exchange_failed");
    expect((await seen(issuer)).token[0]).toMatchObject({ has_verifier: true, pkce_ok: false });
  });

  const refusals: Array<[string, (email: string) => TenantSettings, number, string]> = [
    [
      "an ID token signed by another key",
      (email) => ({ email, signWithForeignKey: true }),
      401,
      "oidc_invalid_token",
    ],
    [
      "a wrong audience",
      (email) => ({ email, audience: "another-client" }),
      401,
      "oidc_invalid_token",
    ],
    ["a wrong nonce", (email) => ({ email, nonce: "replayed-nonce" }), 401, "oidc_invalid_token"],
    [
      "a wrong issuer",
      (email) => ({ email, issuer: "https://evil.example" }),
      401,
      "oidc_invalid_token",
    ],
    [
      "an expired ID token",
      (email) => ({ email, expiresInSeconds: -120 }),
      401,
      "oidc_invalid_token",
    ],
    [
      "an unverified email",
      (email) => ({ email, emailVerified: false }),
      403,
      "oidc_email_required",
    ],
    ["no email", (email) => ({ email, omitEmail: true }), 403, "oidc_email_required"],
  ];
  for (const [label, settings, status, code] of refusals) {
    it(`refuses ${label}`, async () => {
      const { ownerEmail } = await newOrg("sso");
      const issuer = await tenant(settings(ownerEmail));
      const { callback } = await signIn(issuer);
      await expectProblem(callback, status, code);
      expect((await seen(issuer)).token[0]?.issued).toBe(true);
    });
  }

  it("signs in an email without an unverified claim (email_verified absent)", async () => {
    const { ownerEmail } = await newOrg("sso");
    const { callback } = await signIn(await tenant({ email: ownerEmail, emailVerified: null }));
    expect(callback.status).toBe(302);
  });

  it("tells an unknown email to ask for an invite", async () => {
    const issuer = await tenant({ email: `${unique("stranger")}@example.com` });
    const { callback } = await signIn(issuer);
    const body = await expectProblem(callback, 403, "no_account");
    expect(body.detail).toContain("invite");
  });

  it("never redirects off-site after sign-in", async () => {
    const { ownerEmail } = await newOrg("sso");
    const issuer = await tenant({ email: ownerEmail });
    const { callback } = await signIn(issuer, { returnTo: "//evil.example/phish" });
    expect(callback.status).toBe(302);
    expect(callback.headers.get("location")).toBe("/");
    for (const hostile of [
      "//evil.example",
      "/\\evil.example",
      "https://evil.example/",
      "javascript:alert(1)",
      "evil.example",
      "/\t/evil.example",
      "",
    ])
      expect(safeReturnPath(hostile)).toBe("/");
    expect(safeReturnPath("/console/a?b=c#d")).toBe("/console/a?b=c#d");
  });

  it("passes on the issuer's refusal, and says when SSO is not configured", async () => {
    const { ownerEmail } = await newOrg("sso");
    const issuer = await tenant({ email: ownerEmail });
    const start = await send("/v1/auth/oidc/start", issuer.issuer);
    const state = new URL(start.headers.get("location") ?? "").searchParams.get("state");
    const denied = await send(
      `/v1/auth/oidc/callback?error=access_denied&state=${state}`,
      issuer.issuer,
      { cookie: `kt_oidc=${cookiesOf(start).get("kt_oidc")?.value}` },
    );
    await expectProblem(denied, 401, "oidc_denied");
    await expectProblem(await send("/v1/auth/oidc/start", undefined), 501, "oidc_not_configured");
  });
});
