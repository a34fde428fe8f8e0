import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import worker from "../index.ts";

let counter = 0;
/** A name unique across the run, so tests never collide in the shared database. */
export function unique(label: string): string {
  counter += 1;
  return `${label}-${Date.now().toString(36)}-${counter}`;
}

/** Calls the real control worker. */
export async function call(
  method: string,
  path: string,
  options: { key?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Response> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.key) headers.authorization = `Bearer ${options.key}`;
  if (options.body !== undefined) headers["content-type"] = "application/json";
  const context = createExecutionContext();
  const response = await worker.fetch(
    new Request(`http://control.test${path}`, {
      method,
      headers,
      body:
        options.body === undefined
          ? undefined
          : typeof options.body === "string"
            ? options.body
            : JSON.stringify(options.body),
    }),
    env,
    context,
  );
  await waitOnExecutionContext(context);
  return response;
}

/** Calls and parses JSON, failing loudly on an unexpected status. */
export async function json<T = Record<string, unknown>>(
  method: string,
  path: string,
  options: Parameters<typeof call>[2] & { expect?: number } = {},
): Promise<T> {
  const response = await call(method, path, options);
  const text = await response.text();
  const expected = options.expect ?? (method === "POST" ? 201 : 200);
  if (response.status !== expected)
    throw new Error(`${method} ${path}: expected ${expected}, got ${response.status}: ${text}`);
  return JSON.parse(text) as T;
}

/** A fresh org (created with the bootstrap token) with its owner's access key. */
export async function newOrg(
  label = "org",
): Promise<{ orgId: string; ownerKey: string; ownerId: string; ownerEmail: string }> {
  const ownerEmail = `${unique(label)}@example.com`;
  const created = await json<{ org: { id: string }; user: { id: string }; access_key: string }>(
    "POST",
    "/v1/bootstrap",
    {
      body: { org: unique(label), email: ownerEmail },
      headers: { "x-keeptrusts-bootstrap-token": "test-bootstrap-token" },
    },
  );
  return {
    orgId: created.org.id,
    ownerKey: created.access_key,
    ownerId: created.user.id,
    ownerEmail,
  };
}

/** Invites someone with a role, accepts for them, and gives them an access key of that role. */
export async function newMember(
  ownerKey: string,
  role: "admin" | "member" | "viewer",
  label = "person",
): Promise<{ userId: string; email: string; key: string }> {
  const email = `${unique(label)}@example.com`;
  const invite = await json<{ accept_url: string }>("POST", "/v1/invites", {
    key: ownerKey,
    body: { email, role },
  });
  const token = new URL(invite.accept_url).searchParams.get("token") ?? "";
  const accepted = await json<{ user_id: string }>("POST", "/v1/invites/accept", {
    body: { token },
    expect: 200,
  });
  const key = await keyFor(accepted.user_id, role);
  return { userId: accepted.user_id, email, key };
}

/** Issues an access key for a user directly in the database (as if they had signed in and made one). */
async function keyFor(userId: string, role: string): Promise<string> {
  const { generateKey, hashKey, keyPrefix, newId } = await import("../../db/api-key.ts");
  const key = generateKey("access");
  const membership = await env.DB.prepare("SELECT org_id FROM memberships WHERE user_id = ?")
    .bind(userId)
    .first<{ org_id: string }>();
  await env.DB.prepare(
    "INSERT INTO api_keys (id, org_id, kind, name, prefix, hash, user_id, role, created_at) VALUES (?, ?, 'access', ?, ?, ?, ?, ?, ?)",
  )
    .bind(
      newId("key"),
      membership?.org_id,
      unique("cli"),
      keyPrefix(key),
      await hashKey(key),
      userId,
      role,
      Date.now(),
    )
    .run();
  return key;
}
