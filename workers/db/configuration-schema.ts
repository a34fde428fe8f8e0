import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

/** A named policy configuration of an org, e.g. "support-gateway". */
export const configurations = sqliteTable(
  "configurations",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id").notNull(),
    name: text("name").notNull(),
    status: text("status", { enum: ["draft", "active", "archived"] }).notNull(),
    /** The version gateway keys bound to this configuration run. */
    activeVersion: text("active_version"),
    createdAt: integer("created_at", { mode: "number" }).notNull(),
    updatedAt: integer("updated_at", { mode: "number" }).notNull(),
  },
  (table) => [uniqueIndex("configurations_org_name").on(table.orgId, table.name)],
);

/**
 * One saved version of a configuration: its YAML exactly as pushed and its
 * SHA-256. Versions are immutable (triggers refuse updates and deletes); the
 * version string is the YAML's `pack.version`.
 */
export const configurationVersions = sqliteTable(
  "configuration_versions",
  {
    id: text("id").primaryKey(),
    configurationId: text("configuration_id")
      .notNull()
      .references(() => configurations.id),
    orgId: text("org_id").notNull(),
    version: text("version").notNull(),
    yaml: text("yaml").notNull(),
    sha256: text("sha256").notNull(),
    createdBy: text("created_by").notNull(),
    createdAt: integer("created_at", { mode: "number" }).notNull(),
  },
  (table) => [
    uniqueIndex("configuration_versions_version").on(table.configurationId, table.version),
    index("configuration_versions_org").on(table.orgId),
  ],
);

/**
 * A gateway that runs a configuration: hosted on the edge or managed on the
 * customer's machines. `desired_version` is what a rollout asked for; the gateway
 * reports `running_version` and `last_seen_at`. A shadow version runs beside it
 * without enforcing.
 */
export const gateways = sqliteTable(
  "gateways",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id").notNull(),
    name: text("name").notNull(),
    kind: text("kind", { enum: ["hosted", "managed"] }).notNull(),
    configurationId: text("configuration_id").references(() => configurations.id),
    desiredVersion: text("desired_version"),
    shadowVersion: text("shadow_version"),
    runningVersion: text("running_version"),
    runningHash: text("running_hash"),
    health: text("health", { mode: "json" }),
    lastSeenAt: integer("last_seen_at", { mode: "number" }),
    tokenKeyId: text("token_key_id"),
    createdAt: integer("created_at", { mode: "number" }).notNull(),
  },
  (table) => [uniqueIndex("gateways_org_name").on(table.orgId, table.name)],
);

/** A rollout: which gateways were asked to run which version, when and by whom. */
export const rollouts = sqliteTable(
  "rollouts",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id").notNull(),
    configurationId: text("configuration_id").notNull(),
    version: text("version").notNull(),
    gatewayIds: text("gateway_ids", { mode: "json" }).$type<string[]>().notNull(),
    mode: text("mode", { enum: ["enforce", "shadow"] }).notNull(),
    createdBy: text("created_by").notNull(),
    createdAt: integer("created_at", { mode: "number" }).notNull(),
  },
  (table) => [index("rollouts_org_created").on(table.orgId, table.createdAt)],
);
