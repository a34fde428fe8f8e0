import { jwtVerify, SignJWT } from "jose";

/** Claims of a session access token. */
export interface SessionClaims {
  sub: string;
  org: string;
  sid: string;
  /** Must be echoed in `x-csrf-token` on mutating requests authenticated by the cookie. */
  csrf: string;
}

const ISSUER = "keeptrusts-control";
const AUDIENCE = "keeptrusts-session";
/** Access tokens live 15 minutes; the refresh token renews them. */
export const ACCESS_TOKEN_SECONDS = 15 * 60;

function keyOf(secret: string): Uint8Array {
  return new TextEncoder().encode(secret);
}

/** Signs a short-lived session access token (HS256). */
export function signAccessToken(claims: SessionClaims, secret: string): Promise<string> {
  return new SignJWT({ org: claims.org, sid: claims.sid, csrf: claims.csrf })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(claims.sub)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(`${ACCESS_TOKEN_SECONDS}s`)
    .sign(keyOf(secret));
}

/** Verifies a session access token; undefined when forged, expired or malformed. */
export async function verifyAccessToken(
  token: string,
  secret: string,
): Promise<SessionClaims | undefined> {
  try {
    const { payload } = await jwtVerify(token, keyOf(secret), {
      issuer: ISSUER,
      audience: AUDIENCE,
      algorithms: ["HS256"],
    });
    const { sub, org, sid, csrf } = payload as Partial<SessionClaims>;
    if (
      typeof sub !== "string" ||
      typeof org !== "string" ||
      typeof sid !== "string" ||
      typeof csrf !== "string"
    )
      return undefined;
    return { sub, org, sid, csrf };
  } catch {
    return undefined;
  }
}
