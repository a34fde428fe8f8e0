import { createRoute, z } from "@hono/zod-openapi";
import { and, desc, eq, gte, lt, lte, or } from "drizzle-orm";
import { createDb } from "../../db/client.ts";
import { auditLog } from "../../db/schema.ts";
import { requirePermission } from "../auth/permissions.ts";
import { Problem } from "../errors.ts";
import { controlRouter, PageQuery, responses } from "./route-kit.ts";

const Entry = z
  .object({
    id: z.string(),
    actor_type: z.string(),
    actor_id: z.string(),
    action: z.string(),
    resource_type: z.string(),
    resource_id: z.string(),
    before: z.unknown(),
    after: z.unknown(),
    request_id: z.string().nullable(),
    created_at: z.number(),
  })
  .openapi("AuditEntry");

function decodeCursor(cursor: string): { createdAt: number; id: string } {
  const [time, id] = atob(cursor.replaceAll("-", "+").replaceAll("_", "/")).split("|");
  if (!time || !id || !/^\d+$/.test(time))
    throw new Problem(
      400,
      "invalid_cursor",
      "Invalid cursor",
      "pass back the next_cursor of a previous page",
    );
  return { createdAt: Number(time), id };
}

/** `GET /v1/audit`: every control-plane change, newest first. There is no route to change it. */
export const auditRoutes = controlRouter();

auditRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/audit",
    middleware: [requirePermission("audit:read")],
    request: {
      query: PageQuery.extend({
        action: z.string().max(100).optional(),
        resource_type: z.string().max(100).optional(),
        resource_id: z.string().max(200).optional(),
        actor_id: z.string().max(200).optional(),
        from: z.coerce.number().int().optional(),
        to: z.coerce.number().int().optional(),
      }),
    },
    responses: responses(
      200,
      z.object({ data: z.array(Entry), next_cursor: z.string().nullable() }),
      "Audit entries, newest first",
    ),
  }),
  async (c) => {
    const principal = c.get("principal");
    const query = c.req.valid("query");
    if (query.from !== undefined && query.to !== undefined && query.from > query.to)
      throw new Problem(400, "invalid_range", "Invalid range", "from must not be after to");
    const cursor = query.cursor ? decodeCursor(query.cursor) : undefined;
    const rows = await createDb(c.env.DB)
      .select()
      .from(auditLog)
      .where(
        and(
          eq(auditLog.orgId, principal.orgId),
          query.action ? eq(auditLog.action, query.action) : undefined,
          query.resource_type ? eq(auditLog.resourceType, query.resource_type) : undefined,
          query.resource_id ? eq(auditLog.resourceId, query.resource_id) : undefined,
          query.actor_id ? eq(auditLog.actorId, query.actor_id) : undefined,
          query.from !== undefined ? gte(auditLog.createdAt, query.from) : undefined,
          query.to !== undefined ? lte(auditLog.createdAt, query.to) : undefined,
          cursor
            ? or(
                lt(auditLog.createdAt, cursor.createdAt),
                and(eq(auditLog.createdAt, cursor.createdAt), lt(auditLog.id, cursor.id)),
              )
            : undefined,
        ),
      )
      .orderBy(desc(auditLog.createdAt), desc(auditLog.id))
      .limit(query.limit + 1);
    const page = rows.slice(0, query.limit);
    const last = page[page.length - 1];
    const next =
      rows.length > query.limit && last
        ? btoa(`${last.createdAt}|${last.id}`).replaceAll("+", "-").replaceAll("/", "_")
        : null;
    return c.json(
      {
        data: page.map((row) => ({
          id: row.id,
          actor_type: row.actorType,
          actor_id: row.actorId,
          action: row.action,
          resource_type: row.resourceType,
          resource_id: row.resourceId,
          before: row.before,
          after: row.after,
          request_id: row.requestId,
          created_at: row.createdAt,
        })),
        next_cursor: next,
      },
      200,
    );
  },
);
