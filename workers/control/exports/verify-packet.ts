import type { JWK } from "jose";
import { chainHash } from "../../db/event-chain.ts";
import {
  configurationFile,
  EVIDENCE_FORMAT,
  sameKey,
  sha256Hex,
  verifyManifest,
  type ChainSummary,
  type HashFactory,
  type IncrementalHash,
  type ManifestLine,
  type PacketLine,
} from "./evidence-format.ts";

/** What checking a packet found. */
export interface Verification {
  ok: boolean;
  /** One line per mismatch, with the packet line it was found on. */
  problems: string[];
  summary: {
    export_id: string | null;
    org_id: string | null;
    events: number;
    links: number;
    configurations: number;
    chains: number;
    unchained_events: number;
    missing_configurations: string[];
    kid: string | null;
    key_protection: string | null;
  };
}

const STAGE: Record<PacketLine["type"], number> = {
  header: 0,
  configuration: 1,
  event: 2,
  link: 2,
  manifest: 3,
  signature: 4,
};
const MAX_PROBLEMS = 50;

type Chain = Omit<ChainSummary, "chain_id">;

/**
 * Checks an evidence packet offline: every row's hash against its content, every
 * chain link (each item's prev_hash is the hash before it, sequences without
 * gaps; a chain starts at its first item's prev_hash, since older events may be
 * deleted by retention), every file's SHA-256 against the manifest, every YAML
 * against its sha256, and the manifest's signature with the embedded key — and,
 * when `pinnedKeys` are given, that the embedded key is one of them.
 */
export async function verifyPacket(
  lines: AsyncIterable<string> | Iterable<string>,
  options: { hash: HashFactory; pinnedKeys?: JWK[] },
): Promise<Verification> {
  const problems: string[] = [];
  let total = 0;
  const problem = (message: string) => {
    total += 1;
    if (problems.length < MAX_PROBLEMS) problems.push(message);
  };
  const files = new Map<string, IncrementalHash | string>();
  const events = options.hash();
  const links = options.hash();
  const chains = new Map<string, Chain>();
  const configHashes = new Set<string>();
  const usedHashes = new Set<string>();
  let header: Extract<PacketLine, { type: "header" }> | undefined;
  let manifest: { line: string; value: ManifestLine } | undefined;
  let signed = false;
  let kid: string | null = null;
  let protection: string | null = null;
  let stage = -1;
  let number = 0;
  const counts = { events: 0, links: 0, configurations: 0, unchained_events: 0 };

  const follow = async (
    at: string,
    chainId: string,
    item: { sequence: number; prev_hash: string | null; hash: string },
    kind: "events" | "links",
  ) => {
    const chain = chains.get(chainId);
    if (!chain) {
      chains.set(chainId, {
        first_sequence: item.sequence,
        last_sequence: item.sequence,
        anchor: item.prev_hash,
        head: item.hash,
        events: kind === "events" ? 1 : 0,
        links: kind === "links" ? 1 : 0,
      });
      return;
    }
    if (item.sequence !== chain.last_sequence + 1)
      problem(
        `${at}: chain ${chainId} jumps from sequence ${chain.last_sequence} to ${item.sequence}`,
      );
    if (item.prev_hash !== chain.head)
      problem(`${at}: chain ${chainId}: prev_hash is not the hash of the item before it`);
    chain.last_sequence = item.sequence;
    chain.head = item.hash;
    chain[kind] += 1;
  };

  for await (const line of lines) {
    number += 1;
    const at = `line ${number}`;
    let parsed: PacketLine;
    try {
      parsed = JSON.parse(line) as PacketLine;
    } catch {
      problem(`${at}: not JSON`);
      continue;
    }
    const lineStage = STAGE[parsed?.type];
    if (lineStage === undefined) {
      problem(`${at}: unknown line type`);
      continue;
    }
    if (number === 1 && parsed.type !== "header") {
      problem(`${at}: not an evidence packet (no header)`);
      break;
    }
    if (lineStage < stage || (lineStage === stage && lineStage !== 1 && lineStage !== 2))
      problem(`${at}: a ${parsed.type} line is out of place`);
    stage = Math.max(stage, lineStage);
    try {
      switch (parsed.type) {
        case "header":
          if (parsed.format !== EVIDENCE_FORMAT) problem(`${at}: unknown format ${parsed.format}`);
          header = parsed;
          files.set("header.json", await sha256Hex(line));
          break;
        case "configuration": {
          const actual = await sha256Hex(parsed.yaml);
          if (actual !== parsed.sha256)
            problem(
              `${at}: configuration ${parsed.name} ${parsed.version}: YAML does not match its sha256`,
            );
          if (parsed.file !== configurationFile(parsed.sha256))
            problem(`${at}: configuration file name does not match its sha256`);
          files.set(parsed.file, actual);
          configHashes.add(parsed.sha256);
          counts.configurations += 1;
          break;
        }
        case "event": {
          events.update(`${line}\n`);
          counts.events += 1;
          const row = parsed.row as Record<string, unknown>;
          const id = String(row.request_id);
          if (row.org_id !== header?.org_id) problem(`${at}: event ${id} belongs to another org`);
          if (typeof row.config_hash === "string") usedHashes.add(row.config_hash);
          if (row.chain_id === null || row.chain_id === undefined) {
            counts.unchained_events += 1;
            break;
          }
          const recomputed = await chainHash((row.prev_hash as string | null) ?? null, row);
          if (recomputed !== row.hash)
            problem(`${at}: event ${id}: hash does not match its content`);
          await follow(
            at,
            String(row.chain_id),
            {
              sequence: Number(row.sequence),
              prev_hash: (row.prev_hash as string | null) ?? null,
              hash: String(row.hash),
            },
            "events",
          );
          break;
        }
        case "link":
          links.update(`${line}\n`);
          counts.links += 1;
          await follow(at, parsed.chain_id, parsed, "links");
          break;
        case "manifest":
          manifest = { line, value: parsed };
          break;
        case "signature": {
          signed = true;
          kid = parsed.kid;
          protection = parsed.key_protection;
          if (!manifest) break;
          const pinned = options.pinnedKeys;
          if (pinned && !pinned.some((key) => sameKey(key, parsed.public_key)))
            problem(`${at}: the packet was signed with key ${parsed.kid}, not a pinned key`);
          if (!(await verifyManifest(manifest.line, parsed.jws, parsed.public_key)))
            problem(`${at}: the signature does not match the manifest`);
          break;
        }
      }
    } catch {
      // A line of the right type with fields of the wrong shape.
      problem(`${at}: a malformed ${parsed.type} line`);
    }
  }

  files.set("events.jsonl", await events.digest());
  files.set("links.jsonl", await links.digest());
  if (!header) problem("no header: not an evidence packet");
  if (!manifest) problem("no manifest: the packet is incomplete");
  else {
    const stated = manifest.value;
    if (stated.export_id !== header?.export_id || stated.org_id !== header?.org_id)
      problem("manifest: export or org differs from the header");
    const names = new Set([...files.keys(), ...Object.keys(stated.files)]);
    for (const name of [...names].sort()) {
      const actual = files.get(name);
      if (stated.files[name] === undefined) problem(`manifest: ${name} is not listed`);
      else if (actual === undefined) problem(`manifest: ${name} is listed but not in the packet`);
      else if (actual !== stated.files[name]) problem(`manifest: ${name}: SHA-256 mismatch`);
    }
    for (const [name, value] of Object.entries(counts))
      if (stated.counts?.[name as keyof typeof counts] !== value)
        problem(
          `manifest: ${name} count says ${stated.counts?.[name as keyof typeof counts]}, the packet has ${value}`,
        );
    const computed = [...chains].map(([chain_id, chain]) => ({ chain_id, ...chain }));
    const canonical = (list: ChainSummary[]) =>
      JSON.stringify(
        [...list]
          .sort((a, b) => (a.chain_id < b.chain_id ? -1 : 1))
          .map((chain) => [
            chain.chain_id,
            chain.first_sequence,
            chain.last_sequence,
            chain.anchor,
            chain.head,
            chain.events,
            chain.links,
          ]),
      );
    if (canonical(stated.chains ?? []) !== canonical(computed))
      problem("manifest: the chain anchors, heads or counts differ from the packet's");
    const missing = new Set(stated.missing_configurations ?? []);
    for (const hash of usedHashes)
      if (!configHashes.has(hash) && !missing.has(hash))
        problem(
          `manifest: configuration ${hash} is referenced but neither included nor declared missing`,
        );
  }
  if (manifest && !signed) problem("no signature: the packet is incomplete");
  if (total > problems.length) problems.push(`… and ${total - problems.length} more problems`);
  return {
    ok: total === 0,
    problems,
    summary: {
      export_id: header?.export_id ?? null,
      org_id: header?.org_id ?? null,
      ...counts,
      chains: chains.size,
      missing_configurations: manifest?.value.missing_configurations ?? [],
      kid,
      key_protection: protection,
    },
  };
}
