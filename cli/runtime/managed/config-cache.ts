import { createHash } from "node:crypto";
import { mkdir, open, readFile, rename, rm } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { parseConfig } from "../../../workers/policy/index.ts";
import type { RolledOutConfig } from "./control-client.ts";

const cachedConfigSchema = z.object({
  gateway_id: z.string(),
  version: z.string(),
  sha256: z.string(),
  yaml: z.string(),
  fetched_at: z.number(),
});

/** The last version the control plane gave this gateway, as kept on disk. */
export type CachedConfig = z.infer<typeof cachedConfigSchema>;

/** A config's outcome as data: usable, or why not. */
export type Checked = { ok: true } | { ok: false; reason: string };

/** SHA-256 of a text, hex: the hash the control API stores beside each version. */
export function sha256Hex(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

/**
 * A version is served only if its YAML is what the control plane hashed and it
 * parses as a policy config: a corrupt download or cache never becomes the
 * policy set.
 */
export function checkConfig(config: RolledOutConfig): Checked {
  if (sha256Hex(config.yaml) !== config.sha256.toLowerCase()) {
    return { ok: false, reason: `version ${config.version}: the YAML does not match its sha256` };
  }
  const parsed = parseConfig(config.yaml);
  if (!parsed.ok) {
    const first = parsed.errors[0];
    const where = first ? ` (line ${first.line}, column ${first.column}: ${first.message})` : "";
    return { ok: false, reason: `version ${config.version} is not a valid policy config${where}` };
  }
  return { ok: true };
}

/** `<folder>/config.json`: the cache file of one gateway. */
export function cacheFile(folder: string): string {
  return path.join(folder, "config.json");
}

/**
 * Writes the cache atomically: a temporary file in the same folder, flushed to
 * disk, then renamed over the old one, so a crash leaves the old cache or the new
 * one, never half of either. Readable by this user only.
 */
export async function writeCachedConfig(folder: string, config: CachedConfig): Promise<void> {
  await mkdir(folder, { recursive: true, mode: 0o700 });
  const target = cacheFile(folder);
  const temporary = `${target}.${process.pid}.tmp`;
  const handle = await open(temporary, "w", 0o600);
  try {
    await handle.writeFile(`${JSON.stringify(config, null, 2)}\n`, "utf8");
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temporary, target);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/** What the disk cache holds: a usable config, nothing, or something unusable (and why). */
export type CacheRead =
  { ok: true; config: CachedConfig } | { ok: false; missing: boolean; reason: string };

/** Reads and checks the cache of `gatewayId`: the same checks as a fresh download. */
export async function readCachedConfig(folder: string, gatewayId: string): Promise<CacheRead> {
  const file = cacheFile(folder);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "error";
    return { ok: false, missing: code === "ENOENT", reason: `${file}: cannot be read (${code})` };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, missing: false, reason: `${file}: not JSON` };
  }
  const parsed = cachedConfigSchema.safeParse(json);
  if (!parsed.success) return { ok: false, missing: false, reason: `${file}: not a config cache` };
  if (parsed.data.gateway_id !== gatewayId) {
    return {
      ok: false,
      missing: false,
      reason: `${file}: cached for gateway ${parsed.data.gateway_id}, not ${gatewayId}`,
    };
  }
  const checked = checkConfig(parsed.data);
  if (!checked.ok) return { ok: false, missing: false, reason: `${file}: ${checked.reason}` };
  return { ok: true, config: parsed.data };
}
