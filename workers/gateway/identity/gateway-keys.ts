import { and, eq } from "drizzle-orm";
import { hashKey } from "../../db/api-key.ts";
import { createDb } from "../../db/client.ts";
import { apiKeys, teams } from "../../db/schema.ts";

/** What a gateway key grants: who the caller is, and the limits that come with the key. */
export interface GatewayKeyGrant {
  keyId: string;
  orgId: string;
  teamId: string | null;
  /** The team's name: configs target teams by name (`teams: [legal]`). */
  teamName: string | null;
  userId: string | null;
  role: string;
  models: readonly string[] | null;
  rpmLimit: number | null;
  dailyBudget: number | null;
  configuration: string | null;
  knowledgeAssets: readonly string[] | null;
  expiresAt: number | null;
  revokedAt: number | null;
  lastUsedAt: number | null;
}

interface Cached {
  grant: GatewayKeyGrant | undefined;
  until: number;
}

/** How long a resolved key is trusted in this isolate: a revocation is seen within this time. */
export const KEY_CACHE_MS = 30_000;
const UNKNOWN_CACHE_MS = 5_000;
const MAX_CACHED = 10_000;
const cache = new Map<string, Cached>();

/**
 * Resolves a gateway key (`kt_gk_…`) by its SHA-256 to what it grants, cached in
 * the isolate. Revoked and expired keys are returned too (the caller refuses
 * them with a precise error); unknown keys resolve to undefined.
 */
export async function resolveGatewayKey(
  database: D1Database,
  key: string,
  now = Date.now(),
): Promise<GatewayKeyGrant | undefined> {
  const hash = await hashKey(key);
  const cached = cache.get(hash);
  if (cached && cached.until > now) return cached.grant;
  const [found] = await createDb(database)
    .select({ key: apiKeys, teamName: teams.name })
    .from(apiKeys)
    .leftJoin(teams, and(eq(teams.id, apiKeys.teamId), eq(teams.orgId, apiKeys.orgId)))
    .where(and(eq(apiKeys.hash, hash), eq(apiKeys.kind, "gateway")))
    .limit(1);
  const row = found?.key;
  const grant: GatewayKeyGrant | undefined = row
    ? {
        keyId: row.id,
        orgId: row.orgId,
        teamId: row.teamId,
        teamName: found?.teamName ?? null,
        userId: row.userId,
        role: row.role,
        models: row.models ?? null,
        rpmLimit: row.rpmLimit,
        dailyBudget: row.dailyBudget,
        configuration: row.configuration,
        knowledgeAssets: row.knowledgeAssets ?? null,
        expiresAt: row.expiresAt,
        revokedAt: row.revokedAt,
        lastUsedAt: row.lastUsedAt,
      }
    : undefined;
  if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value as string);
  cache.set(hash, { grant, until: now + (grant ? KEY_CACHE_MS : UNKNOWN_CACHE_MS) });
  return grant;
}

const touched = new Map<string, number>();
const TOUCH_EVERY_MS = 60_000;

/** Records `last_used_at`, at most once a minute per key and isolate, off the hot path. */
export function touchGatewayKey(
  database: D1Database,
  keyId: string,
  now = Date.now(),
): Promise<unknown> | undefined {
  if ((touched.get(keyId) ?? 0) > now - TOUCH_EVERY_MS) return undefined;
  touched.set(keyId, now);
  if (touched.size > MAX_CACHED) touched.delete(touched.keys().next().value as string);
  return createDb(database)
    .update(apiKeys)
    .set({ lastUsedAt: now })
    .where(eq(apiKeys.id, keyId))
    .run();
}
