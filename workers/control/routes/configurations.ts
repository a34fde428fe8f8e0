import { createRoute, z } from "@hono/zod-openapi";
import { createTwoFilesPatch } from "diff";
import { and, desc, eq, or } from "drizzle-orm";
import { newId } from "../../db/api-key.ts";
import { createDb, type Db } from "../../db/client.ts";
import { configurations, configurationVersions } from "../../db/configuration-schema.ts";
import { parseConfig } from "../../policy/config/parse.ts";
import { auditEntry } from "../audit.ts";
import { requirePermission } from "../auth/permissions.ts";
import type { Principal } from "../auth/principal.ts";
import { notFound, Problem } from "../errors.ts";
import { controlRouter, IdParam, jsonBody, Name, responses } from "./route-kit.ts";

const MAX_YAML_BYTES = 200_000;
const Status = z.enum(["draft", "active", "archived"]);
const Version = z
  .object({
    version: z.string(),
    sha256: z.string(),
    created_by: z.string(),
    created_at: z.number(),
  })
  .openapi("ConfigurationVersion");
const Configuration = z
  .object({
    id: z.string(),
    name: z.string(),
    status: Status,
    active_version: z.string().nullable(),
    latest_version: z.string().nullable(),
    created_at: z.number(),
    updated_at: z.number(),
  })
  .openapi("Configuration");

async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** A configuration of the caller's org by id or name, or 404. */
export async function findConfiguration(db: Db, principal: Principal, idOrName: string) {
  const [row] = await db
    .select()
    .from(configurations)
    .where(
      and(
        eq(configurations.orgId, principal.orgId),
        or(eq(configurations.id, idOrName), eq(configurations.name, idOrName)),
      ),
    )
    .limit(1);
  if (!row) throw notFound("configuration");
  return row;
}

/** One version of a configuration, or 404. */
export async function findVersion(db: Db, configurationId: string, version: string) {
  const [row] = await db
    .select()
    .from(configurationVersions)
    .where(
      and(
        eq(configurationVersions.configurationId, configurationId),
        eq(configurationVersions.version, version),
      ),
    )
    .limit(1);
  if (!row)
    throw new Problem(
      404,
      "version_not_found",
      "Version not found",
      `no version ${version} of this configuration`,
    );
  return row;
}

async function latestVersion(db: Db, configurationId: string): Promise<string | null> {
  const [row] = await db
    .select({ version: configurationVersions.version })
    .from(configurationVersions)
    .where(eq(configurationVersions.configurationId, configurationId))
    .orderBy(desc(configurationVersions.createdAt))
    .limit(1);
  return row?.version ?? null;
}

const show = (row: typeof configurations.$inferSelect, latest: string | null) => ({
  id: row.id,
  name: row.name,
  status: row.status,
  active_version: row.activeVersion,
  latest_version: latest,
  created_at: row.createdAt,
  updated_at: row.updatedAt,
});

/** `/v1/configurations`: versioned policy YAML, each version validated like `kt policy lint` and immutable once saved. */
export const configurationRoutes = controlRouter();

configurationRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/configurations",
    middleware: [requirePermission("configurations:write")],
    request: {
      body: jsonBody(
        z
          .object({
            name: Name,
            yaml: z.string().min(1).max(MAX_YAML_BYTES),
            status: Status.optional(),
          })
          .strict(),
      ),
    },
    responses: responses(
      201,
      z.object({ configuration: Configuration, version: Version, created: z.boolean() }),
      "The saved version (200 when the same version with the same YAML already exists)",
    ),
  }),
  async (c) => {
    const principal = c.get("principal");
    const body = c.req.valid("json");
    const parsed = parseConfig(body.yaml);
    if (!parsed.ok) {
      throw new Problem(
        400,
        "invalid_config",
        "Invalid configuration",
        parsed.errors.map((error) => `${error.line}:${error.column} ${error.message}`).join("; "),
        parsed.errors.map((error) => ({
          path: `${error.line}:${error.column}`,
          message: error.message,
        })),
      );
    }
    const version = parsed.config.pack.version;
    const hash = await sha256(body.yaml);
    const db = createDb(c.env.DB);
    const now = Date.now();
    const [existing] = await db
      .select()
      .from(configurations)
      .where(and(eq(configurations.orgId, principal.orgId), eq(configurations.name, body.name)))
      .limit(1);
    const configuration = existing ?? {
      id: newId("cfg"),
      orgId: principal.orgId,
      name: body.name,
      status: body.status ?? "draft",
      activeVersion: null,
      createdAt: now,
      updatedAt: now,
    };
    if (existing) {
      const [same] = await db
        .select()
        .from(configurationVersions)
        .where(
          and(
            eq(configurationVersions.configurationId, existing.id),
            eq(configurationVersions.version, version),
          ),
        )
        .limit(1);
      if (same && same.sha256 === hash) {
        return c.json(
          {
            configuration: show(existing, await latestVersion(db, existing.id)),
            version: {
              version,
              sha256: hash,
              created_by: same.createdBy,
              created_at: same.createdAt,
            },
            created: false,
          },
          201,
        );
      }
      if (same)
        throw new Problem(
          409,
          "version_exists",
          "Version exists",
          `version ${version} of ${body.name} exists with other content; versions are immutable, bump pack.version`,
        );
    }
    const status = body.status ?? configuration.status;
    // Only an explicit `status: active` activates the pushed version; a plain push leaves what runs alone.
    const activeVersion = body.status === "active" ? version : configuration.activeVersion;
    const row = {
      id: newId("cfv"),
      configurationId: configuration.id,
      orgId: principal.orgId,
      version,
      yaml: body.yaml,
      sha256: hash,
      createdBy: principal.userId ?? principal.keyId ?? "unknown",
      createdAt: now,
    };
    await db.batch([
      existing
        ? db
            .update(configurations)
            .set({ status, activeVersion, updatedAt: now })
            .where(
              and(
                eq(configurations.id, configuration.id),
                eq(configurations.orgId, principal.orgId),
              ),
            )
        : db.insert(configurations).values({ ...configuration, status, activeVersion }),
      db.insert(configurationVersions).values(row),
      auditEntry(c, db, {
        action: "configuration.version.create",
        resourceType: "configuration",
        resourceId: configuration.id,
        after: { version, sha256: hash, status },
      }),
    ]);
    return c.json(
      {
        configuration: show({ ...configuration, status, activeVersion, updatedAt: now }, version),
        version: { version, sha256: hash, created_by: row.createdBy, created_at: now },
        created: true,
      },
      201,
    );
  },
);

configurationRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/configurations",
    middleware: [requirePermission("configurations:read")],
    responses: responses(
      200,
      z.object({ data: z.array(Configuration) }),
      "Configurations of the org",
    ),
  }),
  async (c) => {
    const db = createDb(c.env.DB);
    const rows = await db
      .select()
      .from(configurations)
      .where(eq(configurations.orgId, c.get("principal").orgId))
      .orderBy(configurations.name);
    const data = await Promise.all(
      rows.map(async (row) => show(row, await latestVersion(db, row.id))),
    );
    return c.json({ data }, 200);
  },
);

configurationRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/configurations/{id}",
    middleware: [requirePermission("configurations:read")],
    request: { params: IdParam },
    responses: responses(
      200,
      Configuration.extend({ versions: z.array(Version) }),
      "The configuration and its versions, newest first",
    ),
  }),
  async (c) => {
    const db = createDb(c.env.DB);
    const configuration = await findConfiguration(db, c.get("principal"), c.req.valid("param").id);
    const versions = await db
      .select({
        version: configurationVersions.version,
        sha256: configurationVersions.sha256,
        created_by: configurationVersions.createdBy,
        created_at: configurationVersions.createdAt,
      })
      .from(configurationVersions)
      .where(eq(configurationVersions.configurationId, configuration.id))
      .orderBy(desc(configurationVersions.createdAt));
    return c.json({ ...show(configuration, versions[0]?.version ?? null), versions }, 200);
  },
);

const VersionParams = z.object({
  id: z
    .string()
    .min(1)
    .max(200)
    .openapi({ param: { name: "id", in: "path" } }),
  version: z
    .string()
    .min(1)
    .max(100)
    .openapi({ param: { name: "version", in: "path" } }),
});

configurationRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/configurations/{id}/versions/{version}",
    middleware: [requirePermission("configurations:read")],
    request: { params: VersionParams },
    responses: responses(200, Version.extend({ yaml: z.string() }), "One version with its YAML"),
  }),
  async (c) => {
    const db = createDb(c.env.DB);
    const { id, version } = c.req.valid("param");
    const configuration = await findConfiguration(db, c.get("principal"), id);
    const row = await findVersion(db, configuration.id, version);
    return c.json(
      {
        version: row.version,
        sha256: row.sha256,
        created_by: row.createdBy,
        created_at: row.createdAt,
        yaml: row.yaml,
      },
      200,
    );
  },
);

configurationRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/configurations/{id}/diff",
    middleware: [requirePermission("configurations:read")],
    request: {
      params: IdParam,
      query: z.object({ from: z.string().min(1).max(100), to: z.string().min(1).max(100) }),
    },
    responses: responses(
      200,
      z.object({ from: z.string(), to: z.string(), diff: z.string() }),
      "A unified diff between two versions",
    ),
  }),
  async (c) => {
    const db = createDb(c.env.DB);
    const configuration = await findConfiguration(db, c.get("principal"), c.req.valid("param").id);
    const { from, to } = c.req.valid("query");
    const [before, after] = await Promise.all([
      findVersion(db, configuration.id, from),
      findVersion(db, configuration.id, to),
    ]);
    const diff = createTwoFilesPatch(
      `${configuration.name}@${from}`,
      `${configuration.name}@${to}`,
      before.yaml,
      after.yaml,
    );
    return c.json({ from, to, diff }, 200);
  },
);

configurationRoutes.openapi(
  createRoute({
    method: "patch",
    path: "/v1/configurations/{id}",
    middleware: [requirePermission("configurations:write")],
    request: {
      params: IdParam,
      body: jsonBody(
        z
          .object({
            status: Status.optional(),
            active_version: z.string().min(1).max(100).optional(),
          })
          .strict(),
      ),
    },
    responses: responses(200, Configuration, "The configuration with its new status"),
  }),
  async (c) => {
    const principal = c.get("principal");
    const db = createDb(c.env.DB);
    const configuration = await findConfiguration(db, principal, c.req.valid("param").id);
    const body = c.req.valid("json");
    if (body.active_version) await findVersion(db, configuration.id, body.active_version);
    const updated = {
      ...configuration,
      status: body.status ?? configuration.status,
      activeVersion: body.active_version ?? configuration.activeVersion,
      updatedAt: Date.now(),
    };
    await db.batch([
      db
        .update(configurations)
        .set({
          status: updated.status,
          activeVersion: updated.activeVersion,
          updatedAt: updated.updatedAt,
        })
        .where(
          and(eq(configurations.id, configuration.id), eq(configurations.orgId, principal.orgId)),
        ),
      auditEntry(c, db, {
        action: "configuration.update",
        resourceType: "configuration",
        resourceId: configuration.id,
        before: { status: configuration.status, active_version: configuration.activeVersion },
        after: { status: updated.status, active_version: updated.activeVersion },
      }),
    ]);
    return c.json(show(updated, await latestVersion(db, configuration.id)), 200);
  },
);
