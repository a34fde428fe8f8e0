import { createRoute, z } from "@hono/zod-openapi";
import { and, count, desc, eq, isNotNull, lt, max, or } from "drizzle-orm";
import { createMiddleware } from "hono/factory";
import { newId } from "../../db/api-key.ts";
import { createDb, type Db } from "../../db/client.ts";
import { decisionEvents, eventExports } from "../../db/schema.ts";
import { auditEntry } from "../audit.ts";
import { requirePermission, seesWholeOrg } from "../auth/permissions.ts";
import type { Principal } from "../auth/principal.ts";
import type { ControlApp } from "../env.ts";
import { forbidden, notFound, Problem } from "../errors.ts";
import {
  decodeCursor,
  encodeCursor,
  eventConditions,
  FiltersSchema,
  Instant,
  scopeOf,
} from "../events/event-query.ts";
import {
  digestStreamHash,
  evidencePacket,
  exportRows,
  streamOf,
} from "../exports/export-stream.ts";
import { orgSigningKey, publishedKeys } from "../exports/signing-key.ts";
import {
  controlRouter,
  IdParam,
  jsonBody,
  PageQuery,
  ProblemSchema,
  responses,
} from "./route-kit.ts";

/** The widest window one export may cover. */
export const MAX_WINDOW_DAYS = 400;
/** How long an export can be downloaded. */
const EXPORT_TTL_MS = 7 * 86_400_000;
const DAY_MS = 86_400_000;

const ExportStatus = z
  .object({
    id: z.string(),
    status: z.enum(["ready", "expired"]),
    format: z.enum(["json", "csv"]),
    evidence: z.boolean(),
    from: z.number(),
    to: z.number(),
    filters: z.record(z.string(), z.string()),
    row_count: z.number(),
    created_by: z.string(),
    created_at: z.number(),
    expires_at: z.number(),
    download_url: z.string(),
    evidence_url: z.string().nullable(),
  })
  .openapi("Export");

type ExportRow = typeof eventExports.$inferSelect;

const show = (row: ExportRow, now = Date.now()) => ({
  id: row.id,
  status: now > row.expiresAt ? ("expired" as const) : ("ready" as const),
  format: row.format,
  evidence: row.evidence,
  from: row.fromMs,
  to: row.toMs,
  filters: row.filters as Record<string, string>,
  row_count: row.rowCount,
  created_by: row.createdBy,
  created_at: row.createdAt,
  expires_at: row.expiresAt,
  download_url: `/v1/exports/${row.id}/download`,
  evidence_url: row.evidence ? `/v1/exports/${row.id}/evidence` : null,
});

const actorOf = (principal: Principal) => principal.userId ?? principal.keyId ?? "unknown";

/** Viewers read; making an export is a change (a pinned query and an audit entry), so not theirs. */
const requireExporter = createMiddleware<ControlApp>(async function requireExporter(c, next) {
  if (c.get("principal").role === "viewer")
    throw forbidden("viewers download the org's exports; owners, admins and members create them");
  await next();
});

/** An export the caller may see: whole-org readers see all of the org's, members their own. */
async function findExport(db: Db, principal: Principal, id: string): Promise<ExportRow> {
  const [row] = await db
    .select()
    .from(eventExports)
    .where(
      and(
        eq(eventExports.orgId, principal.orgId),
        eq(eventExports.id, id),
        seesWholeOrg(principal) ? undefined : eq(eventExports.createdBy, actorOf(principal)),
      ),
    )
    .limit(1);
  if (!row) throw notFound("export");
  return row;
}

function downloadable(row: ExportRow): void {
  if (Date.now() > row.expiresAt)
    throw new Problem(410, "export_expired", "Export expired", "create the export again");
}

const queryOf = (row: ExportRow) => ({
  orgId: row.orgId,
  scope: row.scope ?? null,
  from: row.fromMs,
  to: row.toMs,
  filters: row.filters,
  heads: row.heads,
});

/** `/v1/exports`: pinned, streamed exports of decision events, and signed evidence packets. */
export const exportRoutes = controlRouter();

exportRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/exports/signing-key",
    middleware: [requirePermission("events:read")],
    responses: responses(
      200,
      z.object({ keys: z.array(z.record(z.string(), z.unknown())) }),
      "The org's evidence signing keys as a JWKS (empty before the first evidence export): pin them",
    ),
  }),
  async (c) => {
    const keys = await publishedKeys(createDb(c.env.DB), c.get("principal").orgId);
    return c.json({ keys: keys as unknown as Record<string, unknown>[] }, 200);
  },
);

exportRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/exports",
    middleware: [requirePermission("events:read"), requireExporter],
    request: {
      body: jsonBody(
        z
          .object({
            from: Instant,
            to: Instant,
            filters: FiltersSchema.optional(),
            format: z.enum(["json", "csv"]).default("json"),
            evidence: z.boolean().default(false),
          })
          .strict(),
      ),
    },
    responses: responses(201, ExportStatus, "The export, ready to download"),
  }),
  async (c) => {
    const principal = c.get("principal");
    const body = c.req.valid("json");
    if (body.from >= body.to)
      throw new Problem(400, "invalid_range", "Invalid range", "to must be after from");
    const now = Date.now();
    if (body.to - body.from > MAX_WINDOW_DAYS * DAY_MS || body.to > now + DAY_MS)
      throw new Problem(
        400,
        "window_too_large",
        "Window too large",
        `an export covers at most ${MAX_WINDOW_DAYS} days and ends no later than tomorrow`,
      );
    if (body.evidence && !seesWholeOrg(principal))
      throw forbidden(
        "evidence packets follow the org's whole chains: an owner or admin makes them",
      );
    const db = createDb(c.env.DB);
    const heads = Object.fromEntries(
      (
        await db
          .select({ chainId: decisionEvents.chainId, last: max(decisionEvents.sequence) })
          .from(decisionEvents)
          .where(and(eq(decisionEvents.orgId, principal.orgId), isNotNull(decisionEvents.chainId)))
          .groupBy(decisionEvents.chainId)
      ).map((row) => [row.chainId ?? "", row.last ?? 0]),
    );
    const filters = body.filters ?? {};
    const scope = scopeOf(principal);
    const query = { orgId: principal.orgId, scope, from: body.from, to: body.to, filters, heads };
    const [counted] = await db
      .select({ rows: count() })
      .from(decisionEvents)
      .where(eventConditions(query));
    // Made now, not at download: a key that cannot be opened fails here, before anything is saved.
    if (body.evidence) await orgSigningKey(db, principal.orgId, c.env.KEEPTRUSTS_SIGNING_SECRET);
    const row: ExportRow = {
      id: newId("exp"),
      orgId: principal.orgId,
      createdBy: actorOf(principal),
      format: body.format,
      evidence: body.evidence,
      fromMs: body.from,
      toMs: body.to,
      filters,
      heads,
      scope,
      rowCount: counted?.rows ?? 0,
      createdAt: now,
      expiresAt: now + EXPORT_TTL_MS,
    };
    await db.batch([
      db.insert(eventExports).values(row),
      auditEntry(c, db, {
        action: "export.create",
        resourceType: "export",
        resourceId: row.id,
        after: {
          from: row.fromMs,
          to: row.toMs,
          filters,
          format: row.format,
          evidence: row.evidence,
          row_count: row.rowCount,
        },
      }),
    ]);
    return c.json(show(row, now), 201);
  },
);

exportRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/exports",
    middleware: [requirePermission("events:read")],
    request: { query: PageQuery },
    responses: responses(
      200,
      z.object({ data: z.array(ExportStatus), next_cursor: z.string().nullable() }),
      "Exports, newest first: the org's for owners, admins and viewers; a member's own",
    ),
  }),
  async (c) => {
    const principal = c.get("principal");
    const { limit, cursor } = c.req.valid("query");
    const position = cursor ? decodeCursor(cursor) : undefined;
    const rows = await createDb(c.env.DB)
      .select()
      .from(eventExports)
      .where(
        and(
          eq(eventExports.orgId, principal.orgId),
          seesWholeOrg(principal) ? undefined : eq(eventExports.createdBy, actorOf(principal)),
          position
            ? or(
                lt(eventExports.createdAt, position.createdAt),
                and(
                  eq(eventExports.createdAt, position.createdAt),
                  lt(eventExports.id, position.requestId),
                ),
              )
            : undefined,
        ),
      )
      .orderBy(desc(eventExports.createdAt), desc(eventExports.id))
      .limit(limit + 1);
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return c.json(
      {
        data: page.map((row) => show(row)),
        next_cursor:
          rows.length > limit && last
            ? encodeCursor({ createdAt: last.createdAt, requestId: last.id })
            : null,
      },
      200,
    );
  },
);

exportRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/exports/{id}",
    middleware: [requirePermission("events:read")],
    request: { params: IdParam },
    responses: responses(200, ExportStatus, "The export's status"),
  }),
  async (c) => {
    const row = await findExport(createDb(c.env.DB), c.get("principal"), c.req.valid("param").id);
    return c.json(show(row), 200);
  },
);

const problem = (description: string) => ({
  description,
  content: { "application/problem+json": { schema: ProblemSchema } },
});

/** The answers of a streamed download: the stream, or a problem. */
function streamed(description: string, types: string[]) {
  return {
    200: {
      description,
      content: Object.fromEntries(types.map((type) => [type, { schema: z.string() }])),
    },
    401: problem("Not authenticated"),
    403: problem("Not allowed"),
    404: problem("Not found (or in another org)"),
    409: problem("Not an evidence export"),
    410: problem("Expired"),
  };
}

exportRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/exports/{id}/download",
    middleware: [requirePermission("events:read")],
    request: { params: IdParam },
    responses: streamed("The rows, oldest first, streamed as CSV or JSON lines", [
      "text/csv",
      "application/x-ndjson",
    ]),
  }),
  async (c) => {
    const db = createDb(c.env.DB);
    const row = await findExport(db, c.get("principal"), c.req.valid("param").id);
    downloadable(row);
    const csv = row.format === "csv";
    return new Response(streamOf(exportRows(db, queryOf(row), row.format)), {
      headers: {
        "content-type": csv ? "text/csv; charset=utf-8" : "application/x-ndjson",
        "content-disposition": `attachment; filename="${row.id}.${csv ? "csv" : "jsonl"}"`,
        "x-keeptrusts-row-count": String(row.rowCount),
      },
    });
  },
);

exportRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/exports/{id}/evidence",
    middleware: [requirePermission("events:read")],
    request: { params: IdParam },
    responses: streamed("The evidence packet (keeptrusts-evidence/1, JSON lines), streamed", [
      "application/x-ndjson",
    ]),
  }),
  async (c) => {
    const db = createDb(c.env.DB);
    const principal = c.get("principal");
    const row = await findExport(db, principal, c.req.valid("param").id);
    downloadable(row);
    if (!row.evidence)
      throw new Problem(
        409,
        "not_an_evidence_export",
        "Not an evidence export",
        "create the export with evidence: true to get a signed packet",
      );
    const key = await orgSigningKey(db, row.orgId, c.env.KEEPTRUSTS_SIGNING_SECRET);
    const packet = evidencePacket({
      db,
      exportId: row.id,
      createdAt: row.createdAt,
      query: queryOf(row),
      key,
      hash: digestStreamHash,
    });
    return new Response(streamOf(packet), {
      headers: {
        "content-type": "application/x-ndjson",
        "content-disposition": `attachment; filename="${row.id}.evidence.jsonl"`,
      },
    });
  },
);
