/**
 * The evidence packet format, `keeptrusts-evidence/1`: one JSON Lines document
 * that a reviewer can check offline. Pure (Web APIs and jose): the control worker
 * writes it, `kt export verify` and the tests read it.
 *
 *   {"type":"header", …}                       the export: org, window, filters, when
 *   {"type":"configuration", …}                each referenced configuration version (YAML + sha256)
 *   {"type":"event","row":{…}}                 the exported rows, chain by chain, in sequence order
 *   {"type":"link", …}                         hash-only chain links between exported rows
 *   {"type":"manifest","files":{…}, …}         file → SHA-256, counts, each chain's anchor and head
 *   {"type":"signature", …}                    detached JWS (EdDSA) over the manifest line
 *
 * "Files" are groups of lines: `header.json` is the header line; `events.jsonl` and
 * `links.jsonl` are their lines, each followed by "\n", in packet order; a
 * configuration's file `configurations/<sha256>.yaml` is its YAML text.
 */
import { base64url, CompactSign, flattenedVerify, importJWK, type JWK } from "jose";
import type { EventRecord } from "./event-record.ts";

/** The format tag in every packet's header. */
export const EVIDENCE_FORMAT = "keeptrusts-evidence/1";

/** The first line: what was exported, by whom, when. */
export interface HeaderLine {
  type: "header";
  format: typeof EVIDENCE_FORMAT;
  export_id: string;
  org_id: string;
  created_at: number;
  generated_at: number;
  window: { from: number; to: number };
  filters: Record<string, string>;
}

/** A configuration version the rows ran under. */
export interface ConfigurationLine {
  type: "configuration";
  file: string;
  configuration_id: string;
  name: string;
  version: string;
  sha256: string;
  yaml: string;
}

/** An exported row. */
export interface EventLine {
  type: "event";
  row: EventRecord;
}

/**
 * A chain position between exported rows that is not exported (filtered out, or
 * deleted by retention): its hashes only, so the chain can be followed across it.
 */
export interface LinkLine {
  type: "link";
  chain_id: string;
  sequence: number;
  prev_hash: string | null;
  hash: string;
  reason: "filtered" | "deleted";
}

/** One chain as the packet covers it. */
export interface ChainSummary {
  chain_id: string;
  first_sequence: number;
  last_sequence: number;
  /** The prev_hash of the first item: where verification starts (earlier events may be deleted). */
  anchor: string | null;
  /** The hash of the last item: compare it with a later export's to prove nothing was rewritten. */
  head: string;
  events: number;
  links: number;
}

/** The manifest: what the signature covers. */
export interface ManifestLine {
  type: "manifest";
  format: typeof EVIDENCE_FORMAT;
  export_id: string;
  org_id: string;
  files: Record<string, string>;
  counts: { events: number; links: number; configurations: number; unchained_events: number };
  chains: ChainSummary[];
  /** Config hashes rows name that are not stored as configuration versions (bundled configs). */
  missing_configurations: string[];
}

/** The last line: a detached JWS over the exact manifest line, and the key to check it. */
export interface SignatureLine {
  type: "signature";
  alg: "EdDSA";
  kid: string;
  key_protection: "sealed" | "plaintext";
  public_key: JWK;
  /** `protected..signature` (RFC 7515 appendix F): the payload is the manifest line. */
  jws: string;
}

/** Any line of a packet. */
export type PacketLine =
  HeaderLine | ConfigurationLine | EventLine | LinkLine | ManifestLine | SignatureLine;

/** An incremental SHA-256: WebCrypto has none, so each runtime brings its own. */
export interface IncrementalHash {
  update(text: string): void;
  /** Lower-case hex. */
  digest(): Promise<string>;
}

/** Makes a fresh {@link IncrementalHash}. */
export type HashFactory = () => IncrementalHash;

/** The file name of a configuration version in a packet. */
export function configurationFile(sha256: string): string {
  return `configurations/${sha256}.yaml`;
}

/** SHA-256 (hex) of a whole text, for YAML files. */
export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** Signs the manifest line; the JWS is detached (its payload is the line itself). */
export async function signManifest(
  manifestLine: string,
  privateKey: CryptoKey,
  kid: string,
): Promise<string> {
  const jws = await new CompactSign(new TextEncoder().encode(manifestLine))
    .setProtectedHeader({ alg: "EdDSA", kid, typ: "keeptrusts-evidence-manifest" })
    .sign(privateKey);
  const [header = "", , signature = ""] = jws.split(".");
  return `${header}..${signature}`;
}

/** True when `jws` is a valid detached signature of `manifestLine` by `publicKey`. */
export async function verifyManifest(
  manifestLine: string,
  jws: string,
  publicKey: JWK,
): Promise<boolean> {
  const [header = "", payload, signature = ""] = jws.split(".");
  if (payload !== "") return false;
  try {
    const key = await importJWK({ ...publicKey, alg: "EdDSA" }, "EdDSA");
    await flattenedVerify(
      {
        protected: header,
        payload: base64url.encode(new TextEncoder().encode(manifestLine)),
        signature,
      },
      key,
      { algorithms: ["EdDSA", "Ed25519"] },
    );
    return true;
  } catch {
    return false;
  }
}

/** True when two public JWKs are the same Ed25519 key. */
export function sameKey(first: JWK, second: JWK): boolean {
  return first.kty === second.kty && first.crv === second.crv && first.x === second.x;
}
