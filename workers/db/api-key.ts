/** The two kinds of key: access keys for the control API, gateway keys for the gateway. */
export type KeyKind = "access" | "gateway";

const PREFIX: Record<KeyKind, string> = { access: "kt_ak_", gateway: "kt_gk_" };
const ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/** A new random key (`kt_ak_…` or `kt_gk_…`, 40 random characters, ~238 bits). Shown once, never stored. */
export function generateKey(kind: KeyKind): string {
  const bytes = crypto.getRandomValues(new Uint8Array(40));
  let body = "";
  for (const byte of bytes) body += ALPHABET[byte % ALPHABET.length];
  return PREFIX[kind] + body;
}

/** The kind of a presented key, from its prefix, or undefined for anything else. */
export function keyKind(key: string): KeyKind | undefined {
  if (/^kt_ak_[A-Za-z0-9]{40}$/.test(key)) return "access";
  if (/^kt_gk_[A-Za-z0-9]{40}$/.test(key)) return "gateway";
  return undefined;
}

/**
 * SHA-256 of a key, hex. Keys are long random strings, so a fast hash is safe
 * (no dictionary to try); lookups go by hash, so no key is ever compared as text.
 */
export async function hashKey(key: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(key));
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** The part of a key safe to show in lists: its kind prefix and first four characters. */
export function keyPrefix(key: string): string {
  return key.slice(0, 10);
}

/** Compares two equal-length hex digests in constant time. */
export function sameDigest(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let index = 0; index < a.length; index += 1)
    difference |= a.charCodeAt(index) ^ b.charCodeAt(index);
  return difference === 0;
}

/** A new id with a readable prefix (`org_…`, `usr_…`, `team_…`). */
export function newId(prefix: string): string {
  return `${prefix}_${crypto.randomUUID().replaceAll("-", "")}`;
}
