import { createHash, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, SignJWT } from "jose";

/** How one tenant (one issuer URL) of the fake behaves; every field has a default. */
export interface TenantSettings {
  /** The client it accepts (default `test-client` / `test-secret`). */
  clientId?: string;
  clientSecret?: string;
  /** Advertised `token_endpoint_auth_methods_supported`, and the only ones accepted. */
  authMethods?: string[];
  /** The person who "signs in" at /authorize. */
  email?: string;
  /** `email_verified`; null leaves the claim out. Default true. */
  emailVerified?: boolean | null;
  /** Leave `email` out of the ID token. */
  omitEmail?: boolean;
  /** Overrides of ID token claims, to test that the relying party refuses them. */
  audience?: string;
  nonce?: string;
  issuer?: string;
  /** Seconds until the ID token expires (negative: already expired). Default 300. */
  expiresInSeconds?: number;
  /** Sign the ID token with a key that is not in the JWKS (same `kid`). */
  signWithForeignKey?: boolean;
}

/** What /authorize received. */
export interface AuthorizeSeen {
  client_id: string | null;
  redirect_uri: string | null;
  scope: string | null;
  state: string | null;
  nonce: string | null;
  code_challenge: string | null;
  code_challenge_method: string | null;
}

/** What /token received and what it concluded. */
export interface TokenSeen {
  auth_method: "client_secret_basic" | "client_secret_post" | "none";
  client_ok: boolean;
  code_ok: boolean;
  redirect_ok: boolean;
  /** True when S256(code_verifier) matched the code_challenge of /authorize. */
  pkce_ok: boolean;
  has_verifier: boolean;
  issued: boolean;
}

interface Tenant {
  settings: TenantSettings;
  codes: Map<string, { challenge: string; nonce: string; redirectUri: string; used: boolean }>;
  seen: { authorize: AuthorizeSeen[]; token: TokenSeen[] };
}

const KID = "fake-oidc-1";

function base64url(bytes: Buffer): string {
  return bytes.toString("base64url");
}

async function readText(request: IncomingMessage): Promise<string> {
  const parts: Buffer[] = [];
  for await (const part of request) parts.push(part as Buffer);
  return Buffer.concat(parts).toString("utf8");
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
}

function clientOf(request: IncomingMessage, form: URLSearchParams) {
  const basic = /^Basic\s+(\S+)$/i.exec(request.headers.authorization ?? "")?.[1];
  if (basic) {
    const decoded = Buffer.from(basic, "base64").toString("utf8");
    const split = decoded.indexOf(":");
    const decode = (value: string) => decodeURIComponent(value.replaceAll("+", " "));
    return {
      method: "client_secret_basic" as const,
      id: decode(decoded.slice(0, split)),
      secret: decode(decoded.slice(split + 1)),
    };
  }
  if (form.has("client_secret"))
    return {
      method: "client_secret_post" as const,
      id: form.get("client_id") ?? "",
      secret: form.get("client_secret") ?? "",
    };
  return { method: "none" as const, id: form.get("client_id") ?? "", secret: "" };
}

/**
 * A small OpenID Connect issuer on loopback, for tests only. Each tenant is an
 * issuer of its own at `/t/ID` (discovery, JWKS, /authorize, /token), created
 * with `POST /_tenants` and settings; `/authorize` signs the tenant's person in
 * at once and redirects back with a code; `/token` checks the client and the
 * PKCE verifier and returns an RS256 ID token. `GET /_tenants/ID/seen` tells
 * what it received.
 */
export async function startFakeOidcIssuer(port = 0): Promise<{ url: string; server: Server }> {
  const signing = await generateKeyPair("RS256", { extractable: true });
  const foreign = await generateKeyPair("RS256");
  const publicJwk = { ...(await exportJWK(signing.publicKey)), kid: KID, alg: "RS256", use: "sig" };
  const tenants = new Map<string, Tenant>();
  let base = "";

  const discovery = (issuer: string, tenant: Tenant) => ({
    issuer,
    authorization_endpoint: `${issuer}/authorize`,
    token_endpoint: `${issuer}/token`,
    jwks_uri: `${issuer}/jwks`,
    response_types_supported: ["code"],
    subject_types_supported: ["public"],
    id_token_signing_alg_values_supported: ["RS256"],
    code_challenge_methods_supported: ["S256"],
    token_endpoint_auth_methods_supported: tenant.settings.authMethods ?? [
      "client_secret_basic",
      "client_secret_post",
    ],
  });

  const authorize = (tenant: Tenant, url: URL, response: ServerResponse) => {
    const query = url.searchParams;
    tenant.seen.authorize.push({
      client_id: query.get("client_id"),
      redirect_uri: query.get("redirect_uri"),
      scope: query.get("scope"),
      state: query.get("state"),
      nonce: query.get("nonce"),
      code_challenge: query.get("code_challenge"),
      code_challenge_method: query.get("code_challenge_method"),
    });
    const redirectUri = query.get("redirect_uri");
    const challenge = query.get("code_challenge");
    if (
      query.get("response_type") !== "code" ||
      query.get("client_id") !== (tenant.settings.clientId ?? "test-client") ||
      !redirectUri ||
      !challenge ||
      query.get("code_challenge_method") !== "S256"
    ) {
      sendJson(response, 400, { error: "invalid_request" });
      return;
    }
    const code = base64url(randomBytes(24));
    tenant.codes.set(code, {
      challenge,
      nonce: query.get("nonce") ?? "",
      redirectUri,
      used: false,
    });
    const back = new URL(redirectUri);
    back.searchParams.set("code", code);
    back.searchParams.set("state", query.get("state") ?? "");
    response.writeHead(302, { location: back.toString() }).end();
  };

  const token = async (
    tenant: Tenant,
    issuer: string,
    request: IncomingMessage,
    response: ServerResponse,
  ) => {
    const settings = tenant.settings;
    const form = new URLSearchParams(await readText(request));
    const client = clientOf(request, form);
    const allowed = settings.authMethods ?? ["client_secret_basic", "client_secret_post"];
    const entry = tenant.codes.get(form.get("code") ?? "");
    const verifier = form.get("code_verifier");
    const seen: TokenSeen = {
      auth_method: client.method,
      client_ok:
        allowed.includes(client.method) &&
        client.id === (settings.clientId ?? "test-client") &&
        client.secret === (settings.clientSecret ?? "test-secret"),
      code_ok: form.get("grant_type") === "authorization_code" && Boolean(entry && !entry.used),
      redirect_ok: Boolean(entry && entry.redirectUri === form.get("redirect_uri")),
      pkce_ok: Boolean(
        entry &&
        verifier &&
        base64url(createHash("sha256").update(verifier).digest()) === entry.challenge,
      ),
      has_verifier: Boolean(verifier),
      issued: false,
    };
    tenant.seen.token.push(seen);
    if (entry) entry.used = true;
    if (!seen.client_ok) return sendJson(response, 401, { error: "invalid_client" });
    if (!entry || !seen.code_ok || !seen.redirect_ok || !seen.pkce_ok)
      return sendJson(response, 400, { error: "invalid_grant" });
    const claims: Record<string, unknown> = { nonce: settings.nonce ?? entry.nonce };
    const email = settings.email ?? "someone@example.com";
    if (!settings.omitEmail) claims.email = email;
    if (settings.emailVerified !== null) claims.email_verified = settings.emailVerified ?? true;
    const now = Math.floor(Date.now() / 1000);
    const idToken = await new SignJWT(claims)
      .setProtectedHeader({ alg: "RS256", kid: KID, typ: "JWT" })
      .setIssuer(settings.issuer ?? issuer)
      .setSubject(`sub-${createHash("sha256").update(email).digest("hex").slice(0, 16)}`)
      .setAudience(settings.audience ?? settings.clientId ?? "test-client")
      .setIssuedAt(now)
      .setExpirationTime(now + (settings.expiresInSeconds ?? 300))
      .sign(settings.signWithForeignKey ? foreign.privateKey : signing.privateKey);
    seen.issued = true;
    sendJson(response, 200, {
      access_token: base64url(randomBytes(24)),
      token_type: "Bearer",
      expires_in: 300,
      id_token: idToken,
    });
  };

  const server = createServer((request, response) => {
    void (async () => {
      const url = new URL(request.url ?? "/", "http://fake");
      if (url.pathname === "/_tenants" && request.method === "POST") {
        const text = await readText(request);
        const id = base64url(randomBytes(8));
        const settings = (text ? JSON.parse(text) : {}) as TenantSettings;
        tenants.set(id, { settings, codes: new Map(), seen: { authorize: [], token: [] } });
        return sendJson(response, 201, { id, issuer: `${base}/t/${id}` });
      }
      const seen = /^\/_tenants\/([^/]+)\/seen$/.exec(url.pathname);
      if (seen?.[1]) {
        const tenant = tenants.get(seen[1]);
        return tenant ? sendJson(response, 200, tenant.seen) : sendJson(response, 404, {});
      }
      const route = /^\/t\/([^/]+)(\/.*)$/.exec(url.pathname);
      const tenant = route?.[1] ? tenants.get(route[1]) : undefined;
      if (!route || !tenant) return sendJson(response, 404, { error: "not_found" });
      const issuer = `${base}/t/${route[1]}`;
      switch (route[2]) {
        case "/.well-known/openid-configuration":
          return sendJson(response, 200, discovery(issuer, tenant));
        case "/jwks":
          return sendJson(response, 200, { keys: [publicJwk] });
        case "/authorize":
          return authorize(tenant, url, response);
        case "/token":
          return request.method === "POST"
            ? token(tenant, issuer, request, response)
            : sendJson(response, 405, {});
        default:
          return sendJson(response, 404, { error: "not_found" });
      }
    })().catch((error: unknown) => {
      response.writeHead(500).end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url: base, server };
}
