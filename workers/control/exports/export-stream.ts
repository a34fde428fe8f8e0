import { and, asc, eq, gt, inArray, isNotNull, isNull, lte, sql } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import {
  configurations,
  configurationVersions,
  decisionEvents,
  eventChainLinks,
} from "../../db/schema.ts";
import {
  eventConditions,
  newerThan,
  type EventQuery,
  type Position,
} from "../events/event-query.ts";
import { csvHeader, csvLine, toRecord } from "./event-record.ts";
import {
  configurationFile,
  EVIDENCE_FORMAT,
  signManifest,
  type ChainSummary,
  type ConfigurationLine,
  type HeaderLine,
  type IncrementalHash,
  type LinkLine,
  type ManifestLine,
  type SignatureLine,
} from "./evidence-format.ts";
import type { SigningKey } from "./signing-key.ts";

/** Rows per D1 read: a page is all that is ever held in memory. */
const PAGE = 200;

/** Turns a generator of text chunks into a byte stream that reads one chunk per pull. */
export function streamOf(chunks: AsyncGenerator<string>): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await chunks.next();
      if (next.done) controller.close();
      else controller.enqueue(encoder.encode(next.value));
    },
    async cancel() {
      await chunks.return(undefined);
    },
  });
}

/** An incremental SHA-256 over workerd's DigestStream. */
export function digestStreamHash(): IncrementalHash {
  const stream = new crypto.DigestStream("SHA-256");
  const writer = stream.getWriter();
  const encoder = new TextEncoder();
  let written: Promise<void> = Promise.resolve();
  return {
    update(text) {
      written = written.then(() => writer.write(encoder.encode(text)));
    },
    async digest() {
      await written;
      await writer.close();
      const digest = new Uint8Array(await stream.digest);
      return [...digest].map((byte) => byte.toString(16).padStart(2, "0")).join("");
    },
  };
}

/** Every row of an export, oldest first, as CSV (with a header) or JSON lines, page by page. */
export async function* exportRows(
  db: Db,
  query: EventQuery,
  format: "csv" | "json",
): AsyncGenerator<string> {
  if (format === "csv") yield csvHeader();
  const where = eventConditions(query);
  let position: Position | undefined;
  for (;;) {
    const rows = await db
      .select()
      .from(decisionEvents)
      .where(position ? and(where, newerThan(position)) : where)
      .orderBy(asc(decisionEvents.createdAt), asc(decisionEvents.requestId))
      .limit(PAGE);
    const last = rows[rows.length - 1];
    if (!last) return;
    yield rows
      .map((row) =>
        format === "csv" ? csvLine(toRecord(row)) : `${JSON.stringify(toRecord(row))}\n`,
      )
      .join("");
    if (rows.length < PAGE) return;
    position = { createdAt: last.createdAt, requestId: last.requestId };
  }
}

/** The configuration versions the rows ran under, and the hashes not stored as versions. */
async function referencedConfigurations(db: Db, query: EventQuery) {
  const hashes = (
    await db
      .selectDistinct({ hash: decisionEvents.configHash })
      .from(decisionEvents)
      .where(eventConditions(query))
      .orderBy(asc(decisionEvents.configHash))
  ).map((row) => row.hash);
  const found = new Map<string, ConfigurationLine>();
  for (let index = 0; index < hashes.length; index += 50) {
    const rows = await db
      .select({ version: configurationVersions, name: configurations.name })
      .from(configurationVersions)
      .innerJoin(configurations, eq(configurations.id, configurationVersions.configurationId))
      .where(
        and(
          eq(configurationVersions.orgId, query.orgId),
          inArray(configurationVersions.sha256, hashes.slice(index, index + 50)),
        ),
      )
      .orderBy(asc(configurationVersions.createdAt));
    for (const { version, name } of rows)
      if (!found.has(version.sha256))
        found.set(version.sha256, {
          type: "configuration",
          file: configurationFile(version.sha256),
          configuration_id: version.configurationId,
          name,
          version: version.version,
          sha256: version.sha256,
          yaml: version.yaml,
        });
  }
  return { lines: [...found.values()], missing: hashes.filter((hash) => !found.has(hash)) };
}

type ChainItem = {
  kind: "events" | "links";
  sequence: number;
  line: string;
  prevHash: string | null;
  hash: string;
};

/** One page of a chain's items after `after`: exported rows, filtered rows and deleted ones. */
async function chainPage(
  db: Db,
  query: EventQuery,
  chainId: string,
  after: number,
  last: number,
): Promise<ChainItem[]> {
  const matched = sql<number>`CASE WHEN ${eventConditions(query)} THEN 1 ELSE 0 END`;
  const inRange = (sequence: typeof decisionEvents.sequence | typeof eventChainLinks.sequence) =>
    and(gt(sequence, after), lte(sequence, last));
  const live = await db
    .select({ row: decisionEvents, matched })
    .from(decisionEvents)
    .where(
      and(
        eq(decisionEvents.orgId, query.orgId),
        eq(decisionEvents.chainId, chainId),
        inRange(decisionEvents.sequence),
      ),
    )
    .orderBy(asc(decisionEvents.sequence))
    .limit(PAGE);
  const deleted = await db
    .select()
    .from(eventChainLinks)
    .where(and(eq(eventChainLinks.chainId, chainId), inRange(eventChainLinks.sequence)))
    .orderBy(asc(eventChainLinks.sequence))
    .limit(PAGE);
  const link = (
    sequence: number,
    prevHash: string | null,
    hash: string,
    reason: LinkLine["reason"],
  ): ChainItem => {
    const line: LinkLine = {
      type: "link",
      chain_id: chainId,
      sequence,
      prev_hash: prevHash,
      hash,
      reason,
    };
    return { kind: "links", sequence, prevHash, hash, line: JSON.stringify(line) };
  };
  const items = [
    ...live.map(({ row, matched: isMatched }): ChainItem => {
      const sequence = row.sequence ?? 0;
      const hash = row.hash ?? "";
      if (!isMatched) return link(sequence, row.prevHash, hash, "filtered");
      const line = JSON.stringify({ type: "event", row: toRecord(row) });
      return { kind: "events", sequence, prevHash: row.prevHash, hash, line };
    }),
    ...deleted.map((row) => link(row.sequence, row.prevHash, row.hash, "deleted")),
  ];
  return items.sort((a, b) => a.sequence - b.sequence).slice(0, PAGE);
}

/** What a packet is made from: the export, its query, the org's key and a hash factory. */
export interface PacketSource {
  db: Db;
  exportId: string;
  createdAt: number;
  query: EventQuery & { from: number; to: number };
  key: SigningKey;
  hash: () => IncrementalHash;
}

/**
 * The evidence packet of an export (see evidence-format.ts), streamed: rows are
 * read chain by chain, a page at a time, hashed as they go out; the manifest and
 * its signature come last.
 */
export async function* evidencePacket(source: PacketSource): AsyncGenerator<string> {
  const { db, query } = source;
  const header: HeaderLine = {
    type: "header",
    format: EVIDENCE_FORMAT,
    export_id: source.exportId,
    org_id: query.orgId,
    created_at: source.createdAt,
    generated_at: Date.now(),
    window: { from: query.from, to: query.to },
    filters: query.filters as Record<string, string>,
  };
  const headerLine = JSON.stringify(header);
  yield `${headerLine}\n`;
  const files: Record<string, string> = {};
  const hashOf = async (text: string) => {
    const hash = source.hash();
    hash.update(text);
    return hash.digest();
  };
  files["header.json"] = await hashOf(headerLine);
  const referenced = await referencedConfigurations(db, query);
  for (const line of referenced.lines) {
    files[line.file] = line.sha256;
    yield `${JSON.stringify(line)}\n`;
  }
  const events = source.hash();
  const links = source.hash();
  const counts = {
    events: 0,
    links: 0,
    configurations: referenced.lines.length,
    unchained_events: 0,
  };
  const chains: ChainSummary[] = [];
  const groups = await db
    .select({
      chainId: decisionEvents.chainId,
      first: sql<number>`MIN(${decisionEvents.sequence})`,
      last: sql<number>`MAX(${decisionEvents.sequence})`,
    })
    .from(decisionEvents)
    .where(and(eventConditions(query), isNotNull(decisionEvents.chainId)))
    .groupBy(decisionEvents.chainId)
    .orderBy(asc(decisionEvents.chainId));
  for (const group of groups) {
    const chainId = group.chainId ?? "";
    let summary: ChainSummary | undefined;
    let after = group.first - 1;
    for (;;) {
      const items = await chainPage(db, query, chainId, after, group.last);
      if (items.length === 0) break;
      const chunk: string[] = [];
      for (const item of items) {
        (item.kind === "events" ? events : links).update(`${item.line}\n`);
        counts[item.kind] += 1;
        summary ??= {
          chain_id: chainId,
          first_sequence: item.sequence,
          last_sequence: item.sequence,
          anchor: item.prevHash,
          head: item.hash,
          events: 0,
          links: 0,
        };
        summary.last_sequence = item.sequence;
        summary.head = item.hash;
        summary[item.kind] += 1;
        chunk.push(`${item.line}\n`);
        after = item.sequence;
      }
      yield chunk.join("");
    }
    if (summary) chains.push(summary);
  }
  // Events stored before chaining existed carry no chain; they are exported, and counted apart.
  for await (const chunk of unchainedRows(db, query)) {
    for (const line of chunk) {
      events.update(`${line}\n`);
      counts.events += 1;
      counts.unchained_events += 1;
    }
    if (chunk.length) yield chunk.map((line) => `${line}\n`).join("");
  }
  files["events.jsonl"] = await events.digest();
  files["links.jsonl"] = await links.digest();
  const manifest: ManifestLine = {
    type: "manifest",
    format: EVIDENCE_FORMAT,
    export_id: source.exportId,
    org_id: query.orgId,
    files,
    counts,
    chains,
    missing_configurations: referenced.missing,
  };
  const manifestLine = JSON.stringify(manifest);
  yield `${manifestLine}\n`;
  const signature: SignatureLine = {
    type: "signature",
    alg: "EdDSA",
    kid: source.key.kid,
    key_protection: source.key.protection,
    public_key: source.key.publicJwk,
    jws: await signManifest(manifestLine, source.key.privateKey, source.key.kid),
  };
  yield `${JSON.stringify(signature)}\n`;
}

async function* unchainedRows(db: Db, query: EventQuery): AsyncGenerator<string[]> {
  const where = and(eventConditions(query), isNull(decisionEvents.chainId));
  let position: Position | undefined;
  for (;;) {
    const rows = await db
      .select()
      .from(decisionEvents)
      .where(position ? and(where, newerThan(position)) : where)
      .orderBy(asc(decisionEvents.createdAt), asc(decisionEvents.requestId))
      .limit(PAGE);
    const last = rows[rows.length - 1];
    if (!last) return;
    yield rows.map((row) => JSON.stringify({ type: "event", row: toRecord(row) }));
    if (rows.length < PAGE) return;
    position = { createdAt: last.createdAt, requestId: last.requestId };
  }
}
