/**
 * A detached JWS with one character of its signature segment changed. Not the last
 * characters: the final base64url character carries padding bits, so an edit there
 * can leave the signature's bytes as they were and the tampered packet still valid.
 */
export function tamperedJws(jws: string): string {
  const at = jws.lastIndexOf(".") + 10;
  return `${jws.slice(0, at)}${jws[at] === "A" ? "B" : "A"}${jws.slice(at + 1)}`;
}
