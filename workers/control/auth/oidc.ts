import { createRemoteJWKSet, jwtVerify, SignJWT } from "jose";
import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { createMiddleware } from "hono/factory";
import { z } from "zod";
import { hashKey, sameDigest } from "../../db/api-key.ts";
import type { ControlApp } from "../env.ts";
import { Problem } from "../errors.ts";
import { randomToken, sessionSecret, usesSecureCookies } from "./sessions.ts";

/** The cookie holding a sign-in in flight (PKCE verifier, state, nonce, return path). */
export const OIDC_COOKIE = "kt_oidc";
const OIDC_COOKIE_PATH = "/v1/auth/oidc";
const FLOW_SECONDS = 10 * 60;
const DISCOVERY_TTL_MS = 10 * 60 * 1000;
const FETCH_TIMEOUT_MS = 10_000;
const FLOW_ISSUER = "keeptrusts-control";
const FLOW_AUDIENCE = "keeptrusts-oidc-flow";
/** The path the issuer sends people back to, under the public URL. */
export const CALLBACK_PATH = "/v1/auth/oidc/callback";

const Discovery = z.looseObject({
  issuer: z.string(),
  authorization_endpoint: z.url(),
  token_endpoint: z.url(),
  jwks_uri: z.url(),
  token_endpoint_auth_methods_supported: z.array(z.string()).optional(),
});
type Discovery = z.infer<typeof Discovery>;

const TokenAnswer = z.looseObject({ id_token: z.string().min(1) });

const FlowClaims = z.object({
  state: z.string(),
  nonce: z.string(),
  verifier: z.string(),
  return_to: z.string(),
  org: z.string().optional(),
});
type FlowClaims = z.infer<typeof FlowClaims>;

/** Why a sign-in through the identity provider failed. */
export type OidcFailure =
  | "not_configured"
  | "unavailable"
  | "denied"
  | "state_invalid"
  | "exchange_refused"
  | "invalid_token"
  | "email_required";

/** The outcome of a callback: a verified email (lower-cased), or why not. */
export type OidcOutcome =
  { ok: true; email: string; returnTo: string; org?: string } | { ok: false; reason: OidcFailure };

/** The one public answer for each OIDC failure; none echoes tokens or issuer errors verbatim. */
export function oidcProblem(reason: OidcFailure): Problem {
  switch (reason) {
    case "not_configured":
      return new Problem(
        501,
        "oidc_not_configured",
        "Single sign-on is not configured",
        "set KEEPTRUSTS_OIDC_ISSUER, KEEPTRUSTS_OIDC_CLIENT_ID and KEEPTRUSTS_OIDC_CLIENT_SECRET",
      );
    case "unavailable":
      return new Problem(
        502,
        "oidc_unavailable",
        "Identity provider unavailable",
        "the identity provider did not answer as expected; try again",
      );
    case "denied":
      return new Problem(401, "oidc_denied", "Sign-in denied", "the identity provider refused");
    case "state_invalid":
      return new Problem(
        400,
        "oidc_state_invalid",
        "Sign-in expired or forged",
        "this sign-in was not started here or took longer than 10 minutes; start again",
      );
    case "exchange_refused":
      return new Problem(
        401,
        "oidc_exchange_failed",
        "Sign-in failed",
        "the identity provider refused the authorization code",
      );
    case "invalid_token":
      return new Problem(
        401,
        "oidc_invalid_token",
        "Sign-in failed",
        "the identity provider's ID token did not verify",
      );
    case "email_required":
      return new Problem(
        403,
        "oidc_email_required",
        "Verified email required",
        "the identity provider did not vouch for an email address",
      );
  }
}

interface OidcSettings {
  issuer: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
}

function settingsOf(c: Context<ControlApp>): OidcSettings | undefined {
  const { KEEPTRUSTS_OIDC_ISSUER, KEEPTRUSTS_OIDC_CLIENT_ID, KEEPTRUSTS_OIDC_CLIENT_SECRET } =
    c.env;
  if (!KEEPTRUSTS_OIDC_ISSUER || !KEEPTRUSTS_OIDC_CLIENT_ID || !KEEPTRUSTS_OIDC_CLIENT_SECRET)
    return undefined;
  const base = c.env.KEEPTRUSTS_PUBLIC_URL.replace(/\/+$/, "");
  return {
    issuer: KEEPTRUSTS_OIDC_ISSUER.replace(/\/+$/, ""),
    clientId: KEEPTRUSTS_OIDC_CLIENT_ID,
    clientSecret: KEEPTRUSTS_OIDC_CLIENT_SECRET,
    redirectUri: `${base}${CALLBACK_PATH}`,
  };
}

const discoveries = new Map<string, { document: Discovery; until: number }>();
const keySets = new Map<string, ReturnType<typeof createRemoteJWKSet>>();

/** The issuer's discovery document (cached per isolate for 10 minutes), or undefined. */
export async function discover(issuer: string): Promise<Discovery | undefined> {
  const cached = discoveries.get(issuer);
  if (cached && cached.until > Date.now()) return cached.document;
  try {
    const response = await fetch(`${issuer}/.well-known/openid-configuration`, {
      headers: { accept: "application/json" },
      signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
    });
    if (!response.ok) return undefined;
    const parsed = Discovery.safeParse(await response.json());
    // The document must name the issuer it was fetched for (OIDC Discovery §4.3).
    if (!parsed.success || parsed.data.issuer.replace(/\/+$/, "") !== issuer) return undefined;
    discoveries.set(issuer, { document: parsed.data, until: Date.now() + DISCOVERY_TTL_MS });
    return parsed.data;
  } catch {
    return undefined;
  }
}

/**
 * A return path that can only lead back to this site: a relative path starting
 * with exactly one "/" (no "//host", no "/\host", no scheme, no control
 * characters). Anything else becomes "/".
 */
export function safeReturnPath(value: string | undefined): string {
  if (!value || !value.startsWith("/") || value.startsWith("//")) return "/";
  // eslint-disable-next-line no-control-regex -- control characters are exactly what this refuses
  if (/[\\\u0000-\u001f\u007f]/.test(value)) return "/";
  try {
    const resolved = new URL(value, "https://return.invalid");
    if (resolved.origin !== "https://return.invalid") return "/";
    return `${resolved.pathname}${resolved.search}${resolved.hash}`;
  } catch {
    return "/";
  }
}

async function challengeOf(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  return btoa(String.fromCharCode(...new Uint8Array(digest)))
    .replaceAll("+", "-")
    .replaceAll("/", "_")
    .replace(/=+$/, "");
}

function flowKey(secret: string): Uint8Array {
  return new TextEncoder().encode(secret);
}

/**
 * Starts a sign-in: the issuer's authorization URL (code flow, PKCE S256, state,
 * nonce) and a signed 10-minute HttpOnly cookie holding what the callback needs.
 * Nothing is stored in D1.
 */
export async function startOidc(
  c: Context<ControlApp>,
  returnTo: string | undefined,
  org: string | undefined,
): Promise<{ ok: true; location: string } | { ok: false; reason: OidcFailure }> {
  const settings = settingsOf(c);
  if (!settings) return { ok: false, reason: "not_configured" };
  const secret = sessionSecret(c);
  const discovery = await discover(settings.issuer);
  if (!discovery) return { ok: false, reason: "unavailable" };
  const flow: FlowClaims = {
    state: randomToken(),
    nonce: randomToken(),
    verifier: randomToken(48),
    return_to: safeReturnPath(returnTo),
    ...(org ? { org } : {}),
  };
  const cookie = await new SignJWT(flow)
    .setProtectedHeader({ alg: "HS256" })
    .setIssuer(FLOW_ISSUER)
    .setAudience(FLOW_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(`${FLOW_SECONDS}s`)
    .sign(flowKey(secret));
  setCookie(c, OIDC_COOKIE, cookie, {
    httpOnly: true,
    secure: usesSecureCookies(c.env.KEEPTRUSTS_PUBLIC_URL),
    sameSite: "Lax",
    path: OIDC_COOKIE_PATH,
    maxAge: FLOW_SECONDS,
  });
  const url = new URL(discovery.authorization_endpoint);
  url.searchParams.set("response_type", "code");
  url.searchParams.set("client_id", settings.clientId);
  url.searchParams.set("redirect_uri", settings.redirectUri);
  url.searchParams.set("scope", "openid email profile");
  url.searchParams.set("state", flow.state);
  url.searchParams.set("nonce", flow.nonce);
  url.searchParams.set("code_challenge", await challengeOf(flow.verifier));
  url.searchParams.set("code_challenge_method", "S256");
  return { ok: true, location: url.toString() };
}

/**
 * Callback middleware: the flow cookie is single-use, so it is cleared on every
 * answer of the callback, success or problem (set after the answer exists, so a
 * thrown problem keeps it).
 */
export function endOidcFlow() {
  return createMiddleware<ControlApp>(async function endOidcFlowMiddleware(c, next) {
    await next();
    deleteCookie(c, OIDC_COOKIE, {
      path: OIDC_COOKIE_PATH,
      secure: usesSecureCookies(c.env.KEEPTRUSTS_PUBLIC_URL),
      httpOnly: true,
      sameSite: "Lax",
    });
  });
}

async function readFlow(c: Context<ControlApp>, secret: string): Promise<FlowClaims | undefined> {
  const cookie = getCookie(c, OIDC_COOKIE);
  if (!cookie) return undefined;
  try {
    const { payload } = await jwtVerify(cookie, flowKey(secret), {
      issuer: FLOW_ISSUER,
      audience: FLOW_AUDIENCE,
      algorithms: ["HS256"],
    });
    const parsed = FlowClaims.safeParse(payload);
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

async function sameText(a: string, b: string): Promise<boolean> {
  return sameDigest(await hashKey(a), await hashKey(b));
}

/** Client authentication per the issuer's list; `client_secret_basic` is the OIDC default. */
function tokenRequest(settings: OidcSettings, discovery: Discovery, body: URLSearchParams) {
  const methods = discovery.token_endpoint_auth_methods_supported ?? ["client_secret_basic"];
  const headers: Record<string, string> = {
    "content-type": "application/x-www-form-urlencoded",
    accept: "application/json",
  };
  if (methods.includes("client_secret_basic") || !methods.includes("client_secret_post")) {
    const encode = (value: string) => encodeURIComponent(value).replaceAll("%20", "+");
    headers.authorization = `Basic ${btoa(`${encode(settings.clientId)}:${encode(settings.clientSecret)}`)}`;
  } else {
    body.set("client_id", settings.clientId);
    body.set("client_secret", settings.clientSecret);
  }
  return { method: "POST", headers, body, signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) };
}

async function exchangeCode(
  settings: OidcSettings,
  discovery: Discovery,
  code: string,
  verifier: string,
): Promise<{ idToken: string } | { failure: OidcFailure }> {
  const body = new URLSearchParams({
    grant_type: "authorization_code",
    code,
    redirect_uri: settings.redirectUri,
    code_verifier: verifier,
  });
  try {
    const response = await fetch(discovery.token_endpoint, tokenRequest(settings, discovery, body));
    if (response.status >= 400 && response.status < 500) return { failure: "exchange_refused" };
    if (!response.ok) return { failure: "unavailable" };
    const parsed = TokenAnswer.safeParse(await response.json());
    return parsed.success ? { idToken: parsed.data.id_token } : { failure: "unavailable" };
  } catch {
    return { failure: "unavailable" };
  }
}

function keySetOf(jwksUri: string) {
  let keySet = keySets.get(jwksUri);
  if (!keySet) {
    keySet = createRemoteJWKSet(new URL(jwksUri), { timeoutDuration: FETCH_TIMEOUT_MS });
    keySets.set(jwksUri, keySet);
  }
  return keySet;
}

async function verifyIdToken(
  settings: OidcSettings,
  discovery: Discovery,
  idToken: string,
  nonce: string,
): Promise<{ ok: true; email: string } | { ok: false; reason: OidcFailure }> {
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(idToken, keySetOf(discovery.jwks_uri), {
      issuer: discovery.issuer,
      audience: settings.clientId,
      requiredClaims: ["sub", "exp", "iat"],
      clockTolerance: 30,
    }));
  } catch {
    return { ok: false, reason: "invalid_token" };
  }
  const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
  if (audiences.length > 1 && payload.azp !== settings.clientId)
    return { ok: false, reason: "invalid_token" };
  if (typeof payload.nonce !== "string" || !(await sameText(payload.nonce, nonce)))
    return { ok: false, reason: "invalid_token" };
  const verified = payload.email_verified;
  if (typeof payload.email !== "string" || verified === false || verified === "false")
    return { ok: false, reason: "email_required" };
  return { ok: true, email: payload.email.trim().toLowerCase() };
}

/**
 * Finishes a sign-in at the callback: checks the state against the flow cookie,
 * exchanges the code with the PKCE verifier, and verifies the ID token against
 * the issuer's JWKS (issuer, audience, expiry, nonce) before trusting its email.
 */
export async function finishOidc(
  c: Context<ControlApp>,
  query: { code?: string; state?: string; error?: string },
): Promise<OidcOutcome> {
  const settings = settingsOf(c);
  if (!settings) return { ok: false, reason: "not_configured" };
  const flow = await readFlow(c, sessionSecret(c));
  if (!flow || !query.state || !(await sameText(query.state, flow.state)))
    return { ok: false, reason: "state_invalid" };
  if (query.error || !query.code) return { ok: false, reason: "denied" };
  const discovery = await discover(settings.issuer);
  if (!discovery) return { ok: false, reason: "unavailable" };
  const exchanged = await exchangeCode(settings, discovery, query.code, flow.verifier);
  if ("failure" in exchanged) return { ok: false, reason: exchanged.failure };
  const verified = await verifyIdToken(settings, discovery, exchanged.idToken, flow.nonce);
  if (!verified.ok) return verified;
  return { ok: true, email: verified.email, returnTo: flow.return_to, org: flow.org };
}
