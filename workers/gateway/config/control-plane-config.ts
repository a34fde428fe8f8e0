import type { GatewayEnv } from "../env.ts";
import { GatewayError } from "../errors.ts";
import type { GatewayKeyGrant } from "../identity/gateway-keys.ts";
import { loadConfig, loadConfigText, type LoadedConfig } from "./loaded-config.ts";

/** How long a version read from D1 is reused by default (KEEPTRUSTS_CONFIG_CACHE_MS): a rollout takes effect within this time. */
export const CONTROL_PLANE_CACHE_MS = 5_000;
const HEARTBEAT_EVERY_MS = 30_000;

interface Texts {
  text: string | null;
  shadow: string | null;
}

const cache = new Map<string, { until: number; texts: Promise<Texts> }>();
let lastHeartbeat = 0;

function cached(key: string, read: () => Promise<Texts>, now: number, ttl: number): Promise<Texts> {
  const hit = cache.get(key);
  if (hit && hit.until > now) return hit.texts;
  const texts = read();
  texts.catch(() => cache.delete(key));
  if (cache.size > 1_000) cache.delete(cache.keys().next().value as string);
  cache.set(key, { until: now + ttl, texts });
  return texts;
}

async function boundConfiguration(
  database: D1Database,
  orgId: string,
  name: string,
): Promise<Texts> {
  const row = await database
    .prepare(
      "SELECT v.yaml FROM configurations c JOIN configuration_versions v ON v.configuration_id = c.id AND v.version = c.active_version WHERE c.org_id = ? AND (c.name = ? OR c.id = ?) LIMIT 1",
    )
    .bind(orgId, name, name)
    .first<{ yaml: string }>();
  return { text: row?.yaml ?? null, shadow: null };
}

async function rolledOut(database: D1Database, gatewayId: string): Promise<Texts> {
  const row = await database
    .prepare(
      "SELECT d.yaml AS desired, s.yaml AS shadow FROM gateways g LEFT JOIN configuration_versions d ON d.configuration_id = g.configuration_id AND d.version = g.desired_version LEFT JOIN configuration_versions s ON s.configuration_id = g.configuration_id AND s.version = g.shadow_version WHERE g.id = ? LIMIT 1",
    )
    .bind(gatewayId)
    .first<{ desired: string | null; shadow: string | null }>();
  return { text: row?.desired ?? null, shadow: row?.shadow ?? null };
}

/** The config a request runs under, and the candidate that shadows it (if any). */
export interface ResolvedConfig {
  loaded: LoadedConfig;
  shadow?: LoadedConfig;
}

/**
 * Where a request's config comes from, first match wins: the configuration its
 * gateway key is bound to (that configuration's active version); the version
 * rolled out to this hosted gateway (KEEPTRUSTS_GATEWAY_ID); else the
 * environment or bundled file. Versions read from D1 are cached for a few seconds,
 * so a rollout takes effect without a redeploy; a request keeps the config it
 * started with.
 */
export async function resolveConfig(
  env: GatewayEnv,
  grant: GatewayKeyGrant | undefined,
  keep: (work: Promise<unknown>) => void,
  now = Date.now(),
): Promise<ResolvedConfig> {
  const configured = Number.parseInt(env.KEEPTRUSTS_CONFIG_CACHE_MS ?? "", 10);
  const ttl = Number.isFinite(configured) && configured >= 0 ? configured : CONTROL_PLANE_CACHE_MS;
  if (grant?.configuration) {
    const texts = await cached(
      `key:${grant.orgId}:${grant.configuration}`,
      () => boundConfiguration(env.DB, grant.orgId, grant.configuration as string),
      now,
      ttl,
    );
    if (!texts.text)
      throw new GatewayError(
        503,
        "invalid_config",
        `configuration "${grant.configuration}" has no active version`,
      );
    return { loaded: await loadConfigText(texts.text, "control-plane") };
  }
  const gatewayId = env.KEEPTRUSTS_GATEWAY_ID;
  if (gatewayId) {
    const texts = await cached(
      `gateway:${gatewayId}`,
      () => rolledOut(env.DB, gatewayId),
      now,
      ttl,
    );
    if (texts.text) {
      const loaded = await loadConfigText(texts.text, "control-plane");
      const shadow = texts.shadow ? await loadConfigText(texts.shadow, "control-plane") : undefined;
      if (now - lastHeartbeat > HEARTBEAT_EVERY_MS) {
        lastHeartbeat = now;
        keep(
          env.DB.prepare(
            "UPDATE gateways SET running_version = ?, running_hash = ?, last_seen_at = ? WHERE id = ?",
          )
            .bind(loaded.config.pack.version, loaded.hash, now, gatewayId)
            .run(),
        );
      }
      return shadow ? { loaded, shadow } : { loaded };
    }
  }
  return { loaded: await loadConfig(env.KEEPTRUSTS_POLICY_CONFIG) };
}
