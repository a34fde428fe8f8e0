import { and, asc, eq, isNull } from "drizzle-orm";
import { base64url, calculateJwkThumbprint, exportJWK, importJWK, type JWK } from "jose";
import type { Db } from "../../db/client.ts";
import { orgSigningKeys } from "../../db/schema.ts";

/** How an org's private signing key is kept in D1. */
export type KeyProtection = "sealed" | "plaintext";

/** An org's key, ready to sign. */
export interface SigningKey {
  kid: string;
  publicJwk: JWK;
  privateKey: CryptoKey;
  protection: KeyProtection;
}

/** A published public key (JWKS member). */
export interface PublishedKey extends JWK {
  kid: string;
  alg: "EdDSA";
  use: "sig";
  created_at: number;
  retired_at: number | null;
  key_protection: KeyProtection;
}

const SEAL_SALT = new TextEncoder().encode("keeptrusts/evidence-signing-key");
const SEAL_INFO = new TextEncoder().encode("aes-256-gcm/v1");

async function wrappingKey(secret: string): Promise<CryptoKey> {
  const material = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(secret),
    "HKDF",
    false,
    ["deriveKey"],
  );
  return crypto.subtle.deriveKey(
    { name: "HKDF", hash: "SHA-256", salt: SEAL_SALT, info: SEAL_INFO },
    material,
    { name: "AES-GCM", length: 256 },
    false,
    ["encrypt", "decrypt"],
  );
}

/**
 * Seals a private JWK: AES-256-GCM under a key derived (HKDF) from the worker
 * secret, with the org and key id as additional data, so a sealed key moved to
 * another org's row fails to open. Without a secret it is stored as plaintext,
 * and says so (`plain.` prefix); packets then report `key_protection: plaintext`.
 */
export async function sealPrivateKey(
  jwk: JWK,
  binding: string,
  secret: string | undefined,
): Promise<string> {
  const bytes = new TextEncoder().encode(JSON.stringify(jwk));
  if (!secret) return `plain.${base64url.encode(bytes)}`;
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const sealed = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: new TextEncoder().encode(binding) },
    await wrappingKey(secret),
    bytes,
  );
  return `v1.${base64url.encode(iv)}.${base64url.encode(new Uint8Array(sealed))}`;
}

/** Opens a key sealed by {@link sealPrivateKey}; throws when the secret or binding differ. */
export async function openPrivateKey(
  sealed: string,
  binding: string,
  secret: string | undefined,
): Promise<JWK> {
  const [kind, first = "", second = ""] = sealed.split(".");
  if (kind === "plain") return JSON.parse(new TextDecoder().decode(base64url.decode(first))) as JWK;
  if (kind !== "v1" || !secret)
    throw new Error("the org signing key is sealed and KEEPTRUSTS_SIGNING_SECRET is not set");
  const opened = await crypto.subtle.decrypt(
    {
      name: "AES-GCM",
      iv: base64url.decode(first),
      additionalData: new TextEncoder().encode(binding),
    },
    await wrappingKey(secret),
    base64url.decode(second),
  );
  return JSON.parse(new TextDecoder().decode(opened)) as JWK;
}

const bindingOf = (orgId: string, kid: string) => `${orgId}:${kid}`;

/** The org's current signing key, made on first use (an Ed25519 pair from WebCrypto). */
export async function orgSigningKey(
  db: Db,
  orgId: string,
  secret: string | undefined,
): Promise<SigningKey> {
  const current = () =>
    db
      .select()
      .from(orgSigningKeys)
      .where(and(eq(orgSigningKeys.orgId, orgId), isNull(orgSigningKeys.retiredAt)))
      .orderBy(asc(orgSigningKeys.createdAt), asc(orgSigningKeys.id))
      .limit(1);
  let [row] = await current();
  if (!row) {
    const pair = (await crypto.subtle.generateKey({ name: "Ed25519" }, true, [
      "sign",
      "verify",
    ])) as CryptoKeyPair;
    const publicJwk = await exportJWK(pair.publicKey);
    const kid = await calculateJwkThumbprint(publicJwk);
    await db
      .insert(orgSigningKeys)
      .values({
        id: kid,
        orgId,
        algorithm: "EdDSA",
        publicJwk: publicJwk as JsonWebKey,
        sealedPrivateKey: await sealPrivateKey(
          await exportJWK(pair.privateKey),
          bindingOf(orgId, kid),
          secret,
        ),
        createdAt: Date.now(),
      })
      .onConflictDoNothing();
    // Two first exports at once may each make a key; both read back the oldest.
    [row] = await current();
    if (!row) throw new Error("the org signing key was not stored");
  }
  const privateJwk = await openPrivateKey(row.sealedPrivateKey, bindingOf(orgId, row.id), secret);
  return {
    kid: row.id,
    publicJwk: row.publicJwk as JWK,
    privateKey: (await importJWK({ ...privateJwk, alg: "EdDSA" }, "EdDSA")) as CryptoKey,
    protection: row.sealedPrivateKey.startsWith("plain.") ? "plaintext" : "sealed",
  };
}

/** Every public key the org has signed with (current and retired), for reviewers to pin. */
export async function publishedKeys(db: Db, orgId: string): Promise<PublishedKey[]> {
  const rows = await db
    .select()
    .from(orgSigningKeys)
    .where(eq(orgSigningKeys.orgId, orgId))
    .orderBy(asc(orgSigningKeys.createdAt), asc(orgSigningKeys.id));
  return rows.map((row) => ({
    ...(row.publicJwk as JWK),
    kid: row.id,
    alg: "EdDSA",
    use: "sig",
    created_at: row.createdAt,
    retired_at: row.retiredAt,
    key_protection: row.sealedPrivateKey.startsWith("plain.") ? "plaintext" : "sealed",
  }));
}
