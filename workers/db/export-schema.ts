import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** The filters an export (or an event listing) narrows decision events by. */
export interface EventFilters {
  verdict?: string;
  policy?: string;
  team_id?: string;
  user_id?: string;
  model?: string;
  gateway_id?: string;
  config_version?: string;
  request_id?: string;
  shadow_differs?: "true";
}

/**
 * An export of decision events: a pinned query, not a copy. It records the
 * window, the filters and, per hash chain, the last sequence stored when it was
 * created (`heads`), so every download streams the same rows from D1 page by page
 * (until retention deletes them) and events that arrive later never join it.
 */
export const eventExports = sqliteTable(
  "event_exports",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id").notNull(),
    createdBy: text("created_by").notNull(),
    format: text("format", { enum: ["json", "csv"] }).notNull(),
    evidence: integer("evidence", { mode: "boolean" }).notNull(),
    fromMs: integer("from_ms", { mode: "number" }).notNull(),
    toMs: integer("to_ms", { mode: "number" }).notNull(),
    filters: text("filters", { mode: "json" }).$type<EventFilters>().notNull(),
    /** Chain id → the highest sequence stored when the export was created. */
    heads: text("heads", { mode: "json" }).$type<Record<string, number>>().notNull(),
    /** The visibility the creator had: null for the whole org, else their user and team ids. */
    scope: text("scope", { mode: "json" }).$type<{
      userId: string | null;
      teamIds: string[];
    } | null>(),
    rowCount: integer("row_count").notNull(),
    createdAt: integer("created_at", { mode: "number" }).notNull(),
    expiresAt: integer("expires_at", { mode: "number" }).notNull(),
  },
  (table) => [index("event_exports_org_created").on(table.orgId, table.createdAt)],
);

/**
 * An org's Ed25519 key that signs evidence packets. The public key is published
 * (`GET /v1/exports/signing-key`) so reviewers can pin it; the private key is
 * stored sealed (AES-GCM under a key derived from a worker secret, bound to the
 * org and key id), so a copy of the database alone cannot sign.
 */
export const orgSigningKeys = sqliteTable(
  "org_signing_keys",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id").notNull(),
    algorithm: text("algorithm", { enum: ["EdDSA"] }).notNull(),
    publicJwk: text("public_jwk", { mode: "json" }).$type<JsonWebKey>().notNull(),
    sealedPrivateKey: text("sealed_private_key").notNull(),
    createdAt: integer("created_at", { mode: "number" }).notNull(),
    retiredAt: integer("retired_at", { mode: "number" }),
  },
  (table) => [index("org_signing_keys_org").on(table.orgId, table.createdAt)],
);

/**
 * What retention leaves of a deleted event: its place in the hash chain and
 * nothing else (no identity, no content). Events expire per their own
 * `retention_days`, so deletions can fall mid-chain; these links let an export
 * bridge the gap and still verify. Links before a chain's first live event are
 * no longer needed and are pruned too.
 */
export const eventChainLinks = sqliteTable(
  "event_chain_links",
  {
    chainId: text("chain_id").notNull(),
    sequence: integer("sequence").notNull(),
    orgId: text("org_id"),
    prevHash: text("prev_hash"),
    hash: text("hash").notNull(),
    deletedAt: integer("deleted_at", { mode: "number" }).notNull(),
  },
  (table) => [primaryKey({ columns: [table.chainId, table.sequence] })],
);
