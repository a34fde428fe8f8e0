import { and, eq, gt, sql } from "drizzle-orm";
import type { Context } from "hono";
import { hashKey } from "../../db/api-key.ts";
import type { Db } from "../../db/client.ts";
import { loginAttempts, users } from "../../db/schema.ts";
import type { ControlApp } from "../env.ts";
import { Problem } from "../errors.ts";
import { verifyPassword } from "./password.ts";

/** Failed sign-ins allowed per email address in one window; the next attempt gets 429. */
export const MAX_FAILURES_PER_EMAIL = 5;
/** Failed sign-ins allowed per client address in one window (higher: offices share one). */
export const MAX_FAILURES_PER_ADDRESS = 20;
/** The fixed window: 15 minutes from the first failure. */
export const ATTEMPT_WINDOW_MS = 15 * 60 * 1000;

// A well-formed PBKDF2 hash of nothing anyone knows: unknown emails and SSO-only
// users are checked against it, so every refusal costs the same 100,000 rounds.
const DUMMY_HASH =
  "pbkdf2$100000$c2lnbi1pbi1kdW1teS1zYWx0$6TgJZ0QnT1o3kGbG9dNlnJrmIhzvY0m9bYVxQPz0b7c=";

/** The counters one attempt touches: its email's and its client address's (hashed). */
export interface AttemptKeys {
  email: string;
  address: string;
}

/** The client address Cloudflare reports, or "unknown" (all such clients share a counter). */
export function clientAddress(c: Context<ControlApp>): string {
  return c.req.header("cf-connecting-ip")?.trim() || "unknown";
}

/** The counter keys of an attempt. Hashed, so the table holds no addresses or emails. */
export async function attemptKeys(email: string, address: string): Promise<AttemptKeys> {
  return {
    email: `email:${await hashKey(email.toLowerCase())}`,
    address: `ip:${await hashKey(address)}`,
  };
}

function countAttempt(db: Db, key: string, now: number) {
  const stale = now - ATTEMPT_WINDOW_MS;
  return db
    .insert(loginAttempts)
    .values({ key, windowStart: now, failures: 1 })
    .onConflictDoUpdate({
      target: loginAttempts.key,
      set: {
        failures: sql`CASE WHEN ${loginAttempts.windowStart} <= ${stale} THEN 1 ELSE ${loginAttempts.failures} + 1 END`,
        windowStart: sql`CASE WHEN ${loginAttempts.windowStart} <= ${stale} THEN ${now} ELSE ${loginAttempts.windowStart} END`,
      },
    })
    .returning({ windowStart: loginAttempts.windowStart, failures: loginAttempts.failures });
}

/** Whether an attempt may go on, or how long until its window ends. */
export type AttemptVerdict = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/**
 * Counts an attempt as a failure before the password is checked (one atomic
 * upsert per counter), so a burst of parallel guesses cannot slip past the limit;
 * a success then takes its count back ({@link forgiveAttempt}).
 */
export async function countAttemptFirst(
  db: Db,
  keys: AttemptKeys,
  now = Date.now(),
): Promise<AttemptVerdict> {
  const [[byEmail], [byAddress]] = await db.batch([
    countAttempt(db, keys.email, now),
    countAttempt(db, keys.address, now),
  ]);
  const over = [
    byEmail && byEmail.failures > MAX_FAILURES_PER_EMAIL ? byEmail.windowStart : undefined,
    byAddress && byAddress.failures > MAX_FAILURES_PER_ADDRESS ? byAddress.windowStart : undefined,
  ].filter((start): start is number => start !== undefined);
  if (over.length === 0) return { allowed: true };
  const until = Math.max(...over.map((start) => start + ATTEMPT_WINDOW_MS));
  return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((until - now) / 1000)) };
}

/** After a success: the email's counter is cleared and the address gets its count back. */
export async function forgiveAttempt(db: Db, keys: AttemptKeys): Promise<void> {
  await db.batch([
    db.delete(loginAttempts).where(eq(loginAttempts.key, keys.email)),
    db
      .update(loginAttempts)
      .set({ failures: sql`${loginAttempts.failures} - 1` })
      .where(and(eq(loginAttempts.key, keys.address), gt(loginAttempts.failures, 0))),
  ]);
}

/** The result of checking an email and password. */
export type PasswordCheck =
  | { ok: true; userId: string }
  | { ok: false; reason: "invalid_credentials" }
  | { ok: false; reason: "too_many_attempts"; retryAfterSeconds: number };

/**
 * Checks an email and password under the attempt limits. Unknown emails,
 * SSO-only users and wrong passwords are one and the same failure, and cost
 * the same work.
 */
export async function checkPassword(
  db: Db,
  email: string,
  password: string,
  address: string,
): Promise<PasswordCheck> {
  const keys = await attemptKeys(email, address);
  const verdict = await countAttemptFirst(db, keys);
  if (!verdict.allowed)
    return {
      ok: false,
      reason: "too_many_attempts",
      retryAfterSeconds: verdict.retryAfterSeconds,
    };
  const [user] = await db
    .select({ id: users.id, passwordHash: users.passwordHash })
    .from(users)
    .where(eq(users.email, email.toLowerCase()))
    .limit(1);
  const matches = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
  if (!user?.passwordHash || !matches) return { ok: false, reason: "invalid_credentials" };
  await forgiveAttempt(db, keys);
  return { ok: true, userId: user.id };
}

/** The generic refusal of a sign-in: it never says which of email or password was wrong. */
export function invalidCredentials(): Problem {
  return new Problem(401, "invalid_credentials", "Sign-in failed", "wrong email or password");
}

/** 429 `too_many_attempts`; the route adds Retry-After with the same number of seconds. */
export function tooManyAttempts(retryAfterSeconds: number): Problem {
  return new Problem(
    429,
    "too_many_attempts",
    "Too many attempts",
    `too many failed sign-ins; try again in ${retryAfterSeconds} seconds`,
  );
}
