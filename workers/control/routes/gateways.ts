import { createRoute, z } from "@hono/zod-openapi";
import { and, eq, inArray } from "drizzle-orm";
import { generateKey, hashKey, keyPrefix, newId } from "../../db/api-key.ts";
import { createDb, type Db } from "../../db/client.ts";
import { gateways, rollouts } from "../../db/configuration-schema.ts";
import { apiKeys } from "../../db/schema.ts";
import { auditEntry } from "../audit.ts";
import { can, requirePermission } from "../auth/permissions.ts";
import type { Principal } from "../auth/principal.ts";
import { forbidden, notFound, Problem } from "../errors.ts";
import { findConfiguration, findVersion } from "./configurations.ts";
import { controlRouter, IdParam, jsonBody, Name, responses } from "./route-kit.ts";

/** A gateway seen within this time is healthy; within STALE_MS stale; otherwise offline. */
const HEALTHY_MS = 90_000;
const STALE_MS = 15 * 60_000;

const Gateway = z
  .object({
    id: z.string(),
    name: z.string(),
    kind: z.enum(["hosted", "managed"]),
    configuration_id: z.string().nullable(),
    desired_version: z.string().nullable(),
    shadow_version: z.string().nullable(),
    running_version: z.string().nullable(),
    status: z.enum(["healthy", "stale", "offline"]),
    last_seen_at: z.number().nullable(),
    health: z.unknown(),
  })
  .openapi("Gateway");

/** What a gateway says about itself in a heartbeat. */
const Health = z
  .object({
    serving: z.boolean(),
    config_source: z.enum(["control-plane", "cache", "bundled", "environment"]).optional(),
    control_plane_reachable: z.boolean().optional(),
    last_error: z.string().max(500).optional(),
    pending_events: z.number().int().min(0).optional(),
  })
  .strict()
  .openapi("GatewayHealth");

type GatewayRow = typeof gateways.$inferSelect;

function statusOf(row: GatewayRow, now: number): "healthy" | "stale" | "offline" {
  if (row.lastSeenAt === null) return "offline";
  const age = now - row.lastSeenAt;
  return age <= HEALTHY_MS ? "healthy" : age <= STALE_MS ? "stale" : "offline";
}

const show = (row: GatewayRow, now = Date.now()) => ({
  id: row.id,
  name: row.name,
  kind: row.kind,
  configuration_id: row.configurationId,
  desired_version: row.desiredVersion,
  shadow_version: row.shadowVersion,
  running_version: row.runningVersion,
  status: statusOf(row, now),
  last_seen_at: row.lastSeenAt,
  health: row.health ?? null,
});

async function findGateway(db: Db, principal: Principal, id: string): Promise<GatewayRow> {
  const [row] = await db
    .select()
    .from(gateways)
    .where(and(eq(gateways.orgId, principal.orgId), eq(gateways.id, id)))
    .limit(1);
  if (!row) throw notFound("gateway");
  if (principal.scopes?.includes("gateway:runtime") && principal.keyId !== row.tokenKeyId)
    throw notFound("gateway");
  return row;
}

/** `/v1/gateways` and `/v1/admin/configurations`: gateways, rollouts, and what managed gateways poll. */
export const gatewayRoutes = controlRouter();

gatewayRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/gateways",
    middleware: [requirePermission("configurations:write")],
    request: {
      body: jsonBody(
        z
          .object({
            name: Name,
            kind: z.enum(["hosted", "managed"]),
            configuration: z.string().min(1).max(200).optional(),
          })
          .strict(),
      ),
    },
    responses: responses(
      201,
      Gateway.extend({
        gateway_token: z
          .string()
          .nullable()
          .openapi({ description: "For managed gateways: KEEPTRUSTS_GATEWAY_TOKEN, shown once" }),
      }),
      "The registered gateway",
    ),
  }),
  async (c) => {
    const principal = c.get("principal");
    const body = c.req.valid("json");
    const db = createDb(c.env.DB);
    const configuration = body.configuration
      ? await findConfiguration(db, principal, body.configuration)
      : undefined;
    const [clash] = await db
      .select({ id: gateways.id })
      .from(gateways)
      .where(and(eq(gateways.orgId, principal.orgId), eq(gateways.name, body.name)))
      .limit(1);
    if (clash)
      throw new Problem(409, "conflict", "Gateway exists", `a gateway named "${body.name}" exists`);
    const now = Date.now();
    const token = generateKey("access");
    const tokenKeyId = newId("key");
    const row: GatewayRow = {
      id: newId("gw"),
      orgId: principal.orgId,
      name: body.name,
      kind: body.kind,
      configurationId: configuration?.id ?? null,
      desiredVersion: configuration?.activeVersion ?? null,
      shadowVersion: null,
      runningVersion: null,
      runningHash: null,
      health: null,
      lastSeenAt: null,
      tokenKeyId,
      createdAt: now,
    };
    await db.batch([
      db.insert(gateways).values(row),
      db.insert(apiKeys).values({
        id: tokenKeyId,
        orgId: principal.orgId,
        kind: "access",
        name: `gateway:${row.id}`,
        prefix: keyPrefix(token),
        hash: await hashKey(token),
        role: "admin",
        scopes: ["gateway:runtime", "configurations:read"],
        createdBy: principal.userId ?? principal.keyId,
        createdAt: now,
      }),
      auditEntry(c, db, {
        action: "gateway.create",
        resourceType: "gateway",
        resourceId: row.id,
        after: { name: row.name, kind: row.kind },
      }),
    ]);
    return c.json({ ...show(row, now), gateway_token: token }, 201);
  },
);

gatewayRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/admin/configurations",
    middleware: [requirePermission("configurations:read")],
    responses: responses(
      200,
      z.object({ gateways: z.array(Gateway) }),
      "Gateways with their status and running version",
    ),
  }),
  async (c) => {
    const rows = await createDb(c.env.DB)
      .select()
      .from(gateways)
      .where(eq(gateways.orgId, c.get("principal").orgId))
      .orderBy(gateways.name);
    const now = Date.now();
    return c.json({ gateways: rows.map((row) => show(row, now)) }, 200);
  },
);

gatewayRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/admin/configurations/gateways/{id}/runtime-state",
    middleware: [requirePermission("configurations:read")],
    request: { params: IdParam },
    responses: responses(
      200,
      Gateway.extend({ running_hash: z.string().nullable() }),
      "What the gateway was asked to run and what it reports",
    ),
  }),
  async (c) => {
    const row = await findGateway(createDb(c.env.DB), c.get("principal"), c.req.valid("param").id);
    return c.json({ ...show(row), running_hash: row.runningHash }, 200);
  },
);

gatewayRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/admin/configurations/rollout",
    middleware: [requirePermission("configurations:write")],
    request: {
      body: jsonBody(
        z
          .object({
            gateway_ids: z.array(z.string().min(1).max(200)).min(1).max(500),
            version: z.string().min(1).max(100),
            configuration: z.string().min(1).max(200).optional(),
            mode: z.enum(["enforce", "shadow"]).default("enforce"),
          })
          .strict(),
      ),
    },
    responses: responses(
      200,
      z.object({ rollout_id: z.string(), gateways: z.array(Gateway) }),
      "The gateways now asked to run the version (a rollback is a rollout of an older version)",
    ),
  }),
  async (c) => {
    const principal = c.get("principal");
    const body = c.req.valid("json");
    const db = createDb(c.env.DB);
    const ids = [...new Set(body.gateway_ids)];
    const rows = await db
      .select()
      .from(gateways)
      .where(and(eq(gateways.orgId, principal.orgId), inArray(gateways.id, ids)));
    const missing = ids.filter((id) => !rows.some((row) => row.id === id));
    if (missing.length > 0)
      throw new Problem(
        404,
        "gateway_not_found",
        "Gateway not found",
        `unknown gateways: ${missing.join(", ")}`,
      );
    const configuration = body.configuration
      ? await findConfiguration(db, principal, body.configuration)
      : undefined;
    const configurationIds = new Set(rows.map((row) => configuration?.id ?? row.configurationId));
    if (configurationIds.has(null) || configurationIds.size !== 1) {
      throw new Problem(
        400,
        "configuration_required",
        "Configuration required",
        "name the configuration: the gateways run none, or different ones",
      );
    }
    const configurationId = [...configurationIds][0] as string;
    await findVersion(db, configurationId, body.version);
    const now = Date.now();
    const rolloutId = newId("rol");
    const change =
      body.mode === "shadow"
        ? { shadowVersion: body.version, configurationId }
        : { desiredVersion: body.version, configurationId };
    await db.batch([
      db
        .update(gateways)
        .set(change)
        .where(and(eq(gateways.orgId, principal.orgId), inArray(gateways.id, ids))),
      db.insert(rollouts).values({
        id: rolloutId,
        orgId: principal.orgId,
        configurationId,
        version: body.version,
        gatewayIds: ids,
        mode: body.mode,
        createdBy: principal.userId ?? principal.keyId ?? "unknown",
        createdAt: now,
      }),
      auditEntry(c, db, {
        action: `configuration.rollout.${body.mode}`,
        resourceType: "configuration",
        resourceId: configurationId,
        before: {
          versions: rows.map((row) => [
            row.id,
            body.mode === "shadow" ? row.shadowVersion : row.desiredVersion,
          ]),
        },
        after: { version: body.version, gateway_ids: ids },
      }),
    ]);
    const updated = rows.map((row) => ({ ...row, ...change }));
    return c.json({ rollout_id: rolloutId, gateways: updated.map((row) => show(row, now)) }, 200);
  },
);

const ConfigPayload = z.object({ version: z.string(), sha256: z.string(), yaml: z.string() });

gatewayRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/gateways/{id}/config",
    middleware: [requirePermission("configurations:read")],
    request: { params: IdParam },
    responses: responses(
      200,
      z.object({
        gateway_id: z.string(),
        config: ConfigPayload.nullable(),
        shadow: ConfigPayload.nullable(),
        poll_after_seconds: z.number(),
      }),
      "The version this gateway should run (and its shadow)",
    ),
  }),
  async (c) => {
    const db = createDb(c.env.DB);
    const row = await findGateway(db, c.get("principal"), c.req.valid("param").id);
    const load = async (version: string | null) => {
      if (!row.configurationId || !version) return null;
      const found = await findVersion(db, row.configurationId, version);
      return { version: found.version, sha256: found.sha256, yaml: found.yaml };
    };
    return c.json(
      {
        gateway_id: row.id,
        config: await load(row.desiredVersion),
        shadow: await load(row.shadowVersion),
        poll_after_seconds: 30,
      },
      200,
    );
  },
);

gatewayRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/gateways/{id}/heartbeat",
    middleware: [requirePermission("gateway:runtime")],
    request: {
      params: IdParam,
      body: jsonBody(
        z
          .object({
            running_version: z.string().max(100).nullable(),
            running_hash: z.string().max(100).nullable(),
            health: Health.optional(),
          })
          .strict(),
      ),
    },
    responses: responses(200, Gateway, "Recorded"),
  }),
  async (c) => {
    const principal = c.get("principal");
    const db = createDb(c.env.DB);
    const row = await findGateway(db, principal, c.req.valid("param").id);
    if (!can(principal, "gateway:runtime")) throw forbidden();
    const body = c.req.valid("json");
    const now = Date.now();
    const update = db
      .update(gateways)
      .set({
        runningVersion: body.running_version,
        runningHash: body.running_hash,
        health: body.health ?? null,
        lastSeenAt: now,
      })
      .where(and(eq(gateways.id, row.id), eq(gateways.orgId, principal.orgId)));
    // Heartbeats are telemetry; only a change of the running version is worth an audit row.
    if (body.running_version !== row.runningVersion) {
      await db.batch([
        update,
        auditEntry(c, db, {
          action: "gateway.version.reported",
          resourceType: "gateway",
          resourceId: row.id,
          before: { running_version: row.runningVersion },
          after: { running_version: body.running_version, running_hash: body.running_hash },
        }),
      ]);
    } else {
      await update;
    }
    return c.json(
      show(
        {
          ...row,
          runningVersion: body.running_version,
          runningHash: body.running_hash,
          health: body.health ?? null,
          lastSeenAt: now,
        },
        now,
      ),
      200,
    );
  },
);
