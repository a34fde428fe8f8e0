import { eq } from "drizzle-orm";
import {
  createRemoteJWKSet,
  importSPKI,
  jwtVerify,
  type JWTPayload,
  type JWTVerifyGetKey,
} from "jose";
import { createDb } from "../../db/client.ts";
import { endUserIssuers } from "../../db/schema.ts";

interface IssuerKey {
  issuer: string;
  audience: string | null;
  keys: JWTVerifyGetKey | CryptoKey;
}

const ISSUERS_CACHE_MS = 60_000;
const issuersByOrg = new Map<string, { until: number; issuers: IssuerKey[] }>();
const remoteSets = new Map<string, JWTVerifyGetKey>();

async function pemKey(pem: string): Promise<CryptoKey | undefined> {
  for (const algorithm of ["RS256", "ES256", "EdDSA"]) {
    try {
      return (await importSPKI(pem, algorithm)) as CryptoKey;
    } catch {
      // try the next algorithm
    }
  }
  return undefined;
}

async function issuersOf(database: D1Database, orgId: string, now: number): Promise<IssuerKey[]> {
  const cached = issuersByOrg.get(orgId);
  if (cached && cached.until > now) return cached.issuers;
  const rows = await createDb(database)
    .select()
    .from(endUserIssuers)
    .where(eq(endUserIssuers.orgId, orgId));
  const issuers: IssuerKey[] = [];
  for (const row of rows) {
    if (row.jwksUrl) {
      let set = remoteSets.get(row.jwksUrl);
      if (!set) {
        set = createRemoteJWKSet(new URL(row.jwksUrl), {
          timeoutDuration: 3_000,
          cooldownDuration: 30_000,
        });
        remoteSets.set(row.jwksUrl, set);
      }
      issuers.push({ issuer: row.issuer, audience: row.audience, keys: set });
    } else if (row.publicKeyPem) {
      const key = await pemKey(row.publicKeyPem);
      if (key) issuers.push({ issuer: row.issuer, audience: row.audience, keys: key });
    }
  }
  issuersByOrg.set(orgId, { until: now + ISSUERS_CACHE_MS, issuers });
  return issuers;
}

/** The end user a verified token names. */
export interface EndUser {
  userId: string;
  claims: JWTPayload;
}

/**
 * Verifies an app's end-user token (`x-keeptrusts-user-token`) against the
 * issuers the org registered: signature (JWKS or PEM), issuer, audience and
 * expiry. Undefined for anything forged, expired or from an unknown issuer.
 */
export async function verifyEndUserToken(
  database: D1Database,
  orgId: string,
  token: string,
  now = Date.now(),
): Promise<EndUser | undefined> {
  let issuerClaim: unknown;
  try {
    const payload = JSON.parse(
      atob((token.split(".")[1] ?? "").replaceAll("-", "+").replaceAll("_", "/")),
    ) as JWTPayload;
    issuerClaim = payload.iss;
  } catch {
    return undefined;
  }
  const issuer = (await issuersOf(database, orgId, now)).find(
    (candidate) => candidate.issuer === issuerClaim,
  );
  if (!issuer) return undefined;
  try {
    const options = {
      issuer: issuer.issuer,
      ...(issuer.audience ? { audience: issuer.audience } : {}),
      algorithms: ["RS256", "RS384", "RS512", "ES256", "ES384", "EdDSA"],
      requiredClaims: ["sub", "exp"],
    };
    const { payload } =
      typeof issuer.keys === "function"
        ? await jwtVerify(token, issuer.keys, options)
        : await jwtVerify(token, issuer.keys, options);
    return typeof payload.sub === "string" && payload.sub.length > 0
      ? { userId: payload.sub, claims: payload }
      : undefined;
  } catch {
    return undefined;
  }
}
