import { createRoute, z } from "@hono/zod-openapi";
import { and, desc, eq, isNull } from "drizzle-orm";
import { generateKey, hashKey, keyPrefix, newId } from "../../db/api-key.ts";
import { createDb } from "../../db/client.ts";
import { apiKeys } from "../../db/schema.ts";
import { auditEntry } from "../audit.ts";
import {
  canManageTeam,
  PERMISSIONS,
  requirePermission,
  seesWholeOrg,
} from "../auth/permissions.ts";
import { atLeast, ORG_ROLES, type Principal } from "../auth/principal.ts";
import { forbidden, notFound, Problem } from "../errors.ts";
import { findTeam } from "./teams.ts";
import { controlRouter, IdParam, jsonBody, Name, responses } from "./route-kit.ts";

const DURATION = /^([1-9]\d{0,3})([mhdw])$/;
const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;

/** `30d`, `12h`, `90m`, `2w` in milliseconds. */
function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text);
  return match ? Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS] : undefined;
}

const CreateToken = z
  .object({
    type: z.enum(["access", "gateway"]),
    name: Name,
    role: z.enum(ORG_ROLES).optional(),
    scopes: z.array(z.enum(PERMISSIONS)).min(1).optional(),
    team_id: z.string().min(1).max(200).optional(),
    configuration: z.string().min(1).max(200).optional(),
    models: z.array(z.string().min(1).max(200)).min(1).max(100).optional(),
    daily_budget: z.number().positive().max(1_000_000).optional(),
    knowledge_assets: z.array(z.string().min(1).max(200)).max(100).optional(),
    rpm_limit: z.number().int().min(1).max(100_000).optional(),
    expires_in: z.string().regex(DURATION, "use a duration like 30d, 12h, 90m or 2w").optional(),
  })
  .strict()
  .superRefine((body, context) => {
    if (body.type === "access") {
      for (const key of [
        "team_id",
        "configuration",
        "models",
        "daily_budget",
        "knowledge_assets",
        "rpm_limit",
      ] as const) {
        if (body[key] !== undefined)
          context.addIssue({
            code: "custom",
            path: [key],
            message: `${key} applies to gateway keys only`,
          });
      }
    } else if (body.scopes) {
      context.addIssue({
        code: "custom",
        path: ["scopes"],
        message: "scopes apply to access keys only",
      });
    }
  });

const Token = z
  .object({
    id: z.string(),
    type: z.enum(["access", "gateway"]),
    name: z.string(),
    prefix: z.string(),
    role: z.enum(ORG_ROLES),
    scopes: z.array(z.string()).nullable(),
    user_id: z.string().nullable(),
    team_id: z.string().nullable(),
    configuration: z.string().nullable(),
    models: z.array(z.string()).nullable(),
    daily_budget: z.number().nullable(),
    knowledge_assets: z.array(z.string()).nullable(),
    rpm_limit: z.number().nullable(),
    created_at: z.number(),
    expires_at: z.number().nullable(),
    last_used_at: z.number().nullable(),
    revoked_at: z.number().nullable(),
  })
  .openapi("Token");
const CreatedToken = Token.extend({
  key: z.string().openapi({ description: "The key itself. Shown once; store it now." }),
}).openapi("CreatedToken");

type KeyRow = typeof apiKeys.$inferSelect;
const show = (row: KeyRow) => ({
  id: row.id,
  type: row.kind,
  name: row.name,
  prefix: row.prefix,
  role: row.role,
  scopes: row.scopes ?? null,
  user_id: row.userId,
  team_id: row.teamId,
  configuration: row.configuration,
  models: row.models ?? null,
  daily_budget: row.dailyBudget,
  knowledge_assets: row.knowledgeAssets ?? null,
  rpm_limit: row.rpmLimit,
  created_at: row.createdAt,
  expires_at: row.expiresAt,
  last_used_at: row.lastUsedAt,
  revoked_at: row.revokedAt,
});

/** Whether the caller may see this key: org admins and viewers all; members their own and, as team admins, their teams'. */
function maySee(principal: Principal, row: KeyRow): boolean {
  if (seesWholeOrg(principal)) return true;
  return (
    (row.userId !== null && row.userId === principal.userId) ||
    (row.teamId !== null && principal.teamRoles.get(row.teamId) === "admin")
  );
}

/** Whether the caller may rotate or revoke this key: like seeing it, but never a viewer. */
function mayChange(principal: Principal, row: KeyRow): boolean {
  if (principal.role === "viewer") return false;
  if (principal.role === "owner" || principal.role === "admin") return true;
  return (
    maySee(principal, row) &&
    (row.teamId === null || row.userId === principal.userId || canManageTeam(principal, row.teamId))
  );
}

/** `/v1/tokens`: access keys (`kt_ak_…`) and gateway keys (`kt_gk_…`). Stored as hashes, shown once. */
export const tokenRoutes = controlRouter();

tokenRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/tokens",
    middleware: [requirePermission("tokens:write")],
    request: { body: jsonBody(CreateToken) },
    responses: responses(201, CreatedToken, "The new key, shown once"),
  }),
  async (c) => {
    const principal = c.get("principal");
    const body = c.req.valid("json");
    const db = createDb(c.env.DB);
    const role = body.role ?? (principal.role === "owner" ? "admin" : principal.role);
    if (!atLeast(principal.role, role))
      throw forbidden(
        `you cannot create a key with role ${role}, above your own (${principal.role})`,
      );
    if (
      body.scopes &&
      principal.scopes &&
      body.scopes.some((scope) => !principal.scopes?.includes(scope))
    )
      throw forbidden("a key cannot have scopes its creator lacks");
    let teamId: string | null = null;
    if (body.team_id) {
      const team = await findTeam(db, principal, body.team_id);
      if (!seesWholeOrg(principal) && !principal.teamRoles.has(team.id))
        throw forbidden("you can create keys only for your own teams");
      teamId = team.id;
    }
    const [clash] = await db
      .select({ id: apiKeys.id })
      .from(apiKeys)
      .where(
        and(
          eq(apiKeys.orgId, principal.orgId),
          eq(apiKeys.kind, body.type),
          eq(apiKeys.name, body.name),
          isNull(apiKeys.revokedAt),
        ),
      )
      .limit(1);
    if (clash)
      throw new Problem(
        409,
        "conflict",
        "Name in use",
        `an active ${body.type} key named "${body.name}" exists`,
      );
    const key = generateKey(body.type);
    const now = Date.now();
    const row: KeyRow = {
      id: newId("key"),
      orgId: principal.orgId,
      kind: body.type,
      name: body.name,
      prefix: keyPrefix(key),
      hash: await hashKey(key),
      userId: principal.userId,
      teamId,
      role,
      // A scoped key never mints a broader one: an access key made without scopes inherits its creator's.
      scopes: body.type === "access" ? (body.scopes ?? principal.scopes?.slice() ?? null) : null,
      models: body.models ?? null,
      dailyBudget: body.daily_budget ?? null,
      configuration: body.configuration ?? null,
      knowledgeAssets: body.knowledge_assets ?? null,
      rpmLimit: body.rpm_limit ?? null,
      createdBy: principal.userId ?? principal.keyId,
      createdAt: now,
      expiresAt: body.expires_in ? now + (parseDuration(body.expires_in) ?? 0) : null,
      lastUsedAt: null,
      revokedAt: null,
    };
    await db.batch([
      db.insert(apiKeys).values(row),
      auditEntry(c, db, {
        action: "token.create",
        resourceType: "token",
        resourceId: row.id,
        after: { type: row.kind, name: row.name, role, team_id: teamId },
      }),
    ]);
    return c.json({ ...show(row), key }, 201);
  },
);

tokenRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/tokens",
    middleware: [requirePermission("tokens:read")],
    request: {
      query: z.object({
        type: z.enum(["access", "gateway"]).optional(),
        include_revoked: z.enum(["true", "false"]).optional(),
      }),
    },
    responses: responses(
      200,
      z.object({ data: z.array(Token) }),
      "Keys the caller can see (never the keys themselves)",
    ),
  }),
  async (c) => {
    const principal = c.get("principal");
    const query = c.req.valid("query");
    const rows = await createDb(c.env.DB)
      .select()
      .from(apiKeys)
      .where(
        and(
          eq(apiKeys.orgId, principal.orgId),
          query.type ? eq(apiKeys.kind, query.type) : undefined,
          query.include_revoked === "true" ? undefined : isNull(apiKeys.revokedAt),
        ),
      )
      .orderBy(desc(apiKeys.createdAt));
    return c.json({ data: rows.filter((row) => maySee(principal, row)).map(show) }, 200);
  },
);

/** A key the caller may change, or 404 (not visible) / 403 (visible, not changeable). */
async function changeableKey(
  c: { env: { DB: D1Database } },
  principal: Principal,
  id: string,
): Promise<KeyRow> {
  const [row] = await createDb(c.env.DB)
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.id, id), eq(apiKeys.orgId, principal.orgId)))
    .limit(1);
  if (!row || !maySee(principal, row)) throw notFound("token");
  if (!mayChange(principal, row)) throw forbidden("you may not change this key");
  return row;
}

tokenRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/tokens/{id}/rotate",
    middleware: [requirePermission("tokens:write")],
    request: { params: IdParam },
    responses: responses(
      200,
      CreatedToken,
      "The same key with a new secret, shown once; the old secret stops working now",
    ),
  }),
  async (c) => {
    const principal = c.get("principal");
    const row = await changeableKey(c, principal, c.req.valid("param").id);
    if (row.revokedAt)
      throw new Problem(409, "revoked", "Key revoked", "a revoked key cannot be rotated");
    const key = generateKey(row.kind);
    const db = createDb(c.env.DB);
    const rotated = { ...row, hash: await hashKey(key), prefix: keyPrefix(key) };
    await db.batch([
      db
        .update(apiKeys)
        .set({ hash: rotated.hash, prefix: rotated.prefix })
        .where(and(eq(apiKeys.id, row.id), eq(apiKeys.orgId, principal.orgId))),
      auditEntry(c, db, {
        action: "token.rotate",
        resourceType: "token",
        resourceId: row.id,
        before: { prefix: row.prefix },
        after: { prefix: rotated.prefix },
      }),
    ]);
    return c.json({ ...show(rotated), key }, 200);
  },
);

tokenRoutes.openapi(
  createRoute({
    method: "delete",
    path: "/v1/tokens/{id}",
    middleware: [requirePermission("tokens:write")],
    request: { params: IdParam },
    responses: responses(200, Token, "The revoked key"),
  }),
  async (c) => {
    const principal = c.get("principal");
    const row = await changeableKey(c, principal, c.req.valid("param").id);
    if (row.revokedAt) return c.json(show(row), 200);
    const db = createDb(c.env.DB);
    const revoked = { ...row, revokedAt: Date.now() };
    await db.batch([
      db
        .update(apiKeys)
        .set({ revokedAt: revoked.revokedAt })
        .where(and(eq(apiKeys.id, row.id), eq(apiKeys.orgId, principal.orgId))),
      auditEntry(c, db, {
        action: "token.revoke",
        resourceType: "token",
        resourceId: row.id,
        before: { prefix: row.prefix },
      }),
    ]);
    return c.json(show(revoked), 200);
  },
);
