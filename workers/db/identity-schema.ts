import {
  index,
  integer,
  primaryKey,
  real,
  sqliteTable,
  text,
  uniqueIndex,
} from "drizzle-orm/sqlite-core";

/** An organisation: the tenant every other row is scoped by. */
export const orgs = sqliteTable("orgs", {
  id: text("id").primaryKey(),
  name: text("name").notNull().unique(),
  createdAt: integer("created_at", { mode: "number" }).notNull(),
});

/** A person. Email is stored lower-cased; the password hash is PBKDF2 (absent for SSO-only users). */
export const users = sqliteTable("users", {
  id: text("id").primaryKey(),
  email: text("email").notNull().unique(),
  name: text("name"),
  passwordHash: text("password_hash"),
  createdAt: integer("created_at", { mode: "number" }).notNull(),
});

/** A person's role in an org: owner, admin, member or viewer. */
export const memberships = sqliteTable(
  "memberships",
  {
    orgId: text("org_id")
      .notNull()
      .references(() => orgs.id),
    userId: text("user_id")
      .notNull()
      .references(() => users.id),
    role: text("role", { enum: ["owner", "admin", "member", "viewer"] }).notNull(),
    createdAt: integer("created_at", { mode: "number" }).notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.orgId, table.userId] }),
    index("memberships_user").on(table.userId),
  ],
);

/** A team inside an org; names are unique per org. */
export const teams = sqliteTable(
  "teams",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id")
      .notNull()
      .references(() => orgs.id),
    name: text("name").notNull(),
    description: text("description"),
    createdAt: integer("created_at", { mode: "number" }).notNull(),
  },
  (table) => [uniqueIndex("teams_org_name").on(table.orgId, table.name)],
);

/** A person in a team, with a team role (a team admin manages only that team). */
export const teamMembers = sqliteTable(
  "team_members",
  {
    teamId: text("team_id")
      .notNull()
      .references(() => teams.id),
    userId: text("user_id")
      .notNull()
      .references(() => users.id),
    orgId: text("org_id")
      .notNull()
      .references(() => orgs.id),
    role: text("role", { enum: ["admin", "member"] }).notNull(),
    createdAt: integer("created_at", { mode: "number" }).notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.teamId, table.userId] }),
    index("team_members_org_user").on(table.orgId, table.userId),
  ],
);

/** An invitation to an org (and optionally a team); only the token's hash is kept. */
export const invites = sqliteTable(
  "invites",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id")
      .notNull()
      .references(() => orgs.id),
    email: text("email").notNull(),
    role: text("role", { enum: ["owner", "admin", "member", "viewer"] }).notNull(),
    teamId: text("team_id").references(() => teams.id),
    tokenHash: text("token_hash").notNull().unique(),
    createdBy: text("created_by").notNull(),
    createdAt: integer("created_at", { mode: "number" }).notNull(),
    expiresAt: integer("expires_at", { mode: "number" }).notNull(),
    acceptedAt: integer("accepted_at", { mode: "number" }),
  },
  (table) => [index("invites_org").on(table.orgId)],
);

/**
 * API keys. `kind` access (`kt_ak_…`, for the control API and CLI) or gateway
 * (`kt_gk_…`, for the gateway). Only the SHA-256 of the key is stored, with a
 * short prefix to recognise it in lists.
 */
export const apiKeys = sqliteTable(
  "api_keys",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id")
      .notNull()
      .references(() => orgs.id),
    kind: text("kind", { enum: ["access", "gateway"] }).notNull(),
    name: text("name").notNull(),
    prefix: text("prefix").notNull(),
    hash: text("hash").notNull().unique(),
    userId: text("user_id").references(() => users.id),
    teamId: text("team_id").references(() => teams.id),
    role: text("role", { enum: ["owner", "admin", "member", "viewer"] }).notNull(),
    scopes: text("scopes", { mode: "json" }).$type<string[]>(),
    models: text("models", { mode: "json" }).$type<string[]>(),
    dailyBudget: real("daily_budget"),
    configuration: text("configuration"),
    knowledgeAssets: text("knowledge_assets", { mode: "json" }).$type<string[]>(),
    rpmLimit: integer("rpm_limit"),
    createdBy: text("created_by"),
    createdAt: integer("created_at", { mode: "number" }).notNull(),
    expiresAt: integer("expires_at", { mode: "number" }),
    lastUsedAt: integer("last_used_at", { mode: "number" }),
    revokedAt: integer("revoked_at", { mode: "number" }),
  },
  (table) => [index("api_keys_org_kind").on(table.orgId, table.kind)],
);

/** A browser session's refresh token (hashed); access tokens are short-lived signed JWTs. */
export const sessions = sqliteTable(
  "sessions",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id),
    orgId: text("org_id")
      .notNull()
      .references(() => orgs.id),
    refreshHash: text("refresh_hash").notNull().unique(),
    createdAt: integer("created_at", { mode: "number" }).notNull(),
    expiresAt: integer("expires_at", { mode: "number" }).notNull(),
    revokedAt: integer("revoked_at", { mode: "number" }),
  },
  (table) => [index("sessions_user").on(table.userId)],
);

/** Failed sign-in attempts per key (email or client address) in the current window. */
export const loginAttempts = sqliteTable("login_attempts", {
  key: text("key").primaryKey(),
  windowStart: integer("window_start", { mode: "number" }).notNull(),
  failures: integer("failures").notNull(),
});

/** An issuer whose JWTs attribute an app's own end users at the gateway. */
export const endUserIssuers = sqliteTable(
  "end_user_issuers",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id")
      .notNull()
      .references(() => orgs.id),
    issuer: text("issuer").notNull(),
    audience: text("audience"),
    jwksUrl: text("jwks_url"),
    publicKeyPem: text("public_key_pem"),
    createdAt: integer("created_at", { mode: "number" }).notNull(),
  },
  (table) => [uniqueIndex("end_user_issuers_org_issuer").on(table.orgId, table.issuer)],
);

/** Every control-plane change: who, what, when, before and after. Insert-only (triggers refuse edits). */
export const auditLog = sqliteTable(
  "audit_log",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id").notNull(),
    actorType: text("actor_type", { enum: ["user", "access_key", "system"] }).notNull(),
    actorId: text("actor_id").notNull(),
    action: text("action").notNull(),
    resourceType: text("resource_type").notNull(),
    resourceId: text("resource_id").notNull(),
    before: text("before", { mode: "json" }),
    after: text("after", { mode: "json" }),
    requestId: text("request_id"),
    createdAt: integer("created_at", { mode: "number" }).notNull(),
  },
  (table) => [index("audit_log_org_created").on(table.orgId, table.createdAt)],
);
