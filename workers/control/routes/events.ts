import { createRoute, z } from "@hono/zod-openapi";
import { and, asc, desc, eq } from "drizzle-orm";
import { createDb } from "../../db/client.ts";
import { configurations, configurationVersions, gateways } from "../../db/configuration-schema.ts";
import { decisionEvents, escalations } from "../../db/schema.ts";
import { storeEvents } from "../../gateway/events/consume-events.ts";
import { decisionEventSchema } from "../../gateway/events/decision-event.ts";
import { auditEntry } from "../audit.ts";
import { requirePermission } from "../auth/permissions.ts";
import { notFound, Problem } from "../errors.ts";
import {
  decodeCursor,
  encodeCursor,
  eventConditions,
  FilterFields,
  Instant,
  olderThan,
  scopeOf,
} from "../events/event-query.ts";
import { EVENT_COLUMNS, toRecord, type ColumnType } from "../exports/event-record.ts";
import { controlRouter, IdParam, jsonBody, PageQuery, responses } from "./route-kit.ts";

/** Events per `POST /v1/events/batch` (the managed gateway's forwarder sends at most this many). */
export const MAX_BATCH_EVENTS = 100;
/** How far ahead of the control plane's clock an event's created_at may be. */
const MAX_CLOCK_SKEW_MS = 10 * 60_000;

const ZOD_OF: Record<ColumnType, z.ZodType> = {
  text: z.string().nullable(),
  integer: z.number().nullable(),
  real: z.number().nullable(),
  boolean: z.boolean(),
  json: z.unknown(),
};
const columns = (keep: (column: string) => boolean) =>
  Object.fromEntries(
    EVENT_COLUMNS.filter(([column]) => keep(column)).map(([column, type]) => [
      column,
      ZOD_OF[type],
    ]),
  );
const EventSummary = z
  .object(columns((column) => column !== "content"))
  .openapi("DecisionEventSummary");
const EventDetail = z
  .object({
    ...columns(() => true),
    policy_path: z.array(
      z.object({
        policy: z.string(),
        phase: z.string(),
        action: z.string(),
        reason: z.string().nullable(),
        findings: z.number(),
      }),
    ),
    configuration: z
      .object({ id: z.string(), name: z.string(), version: z.string(), sha256: z.string() })
      .nullable(),
    escalation: z
      .object({ id: z.string(), status: z.string(), outcome: z.string().nullable() })
      .nullable(),
    links: z.object({
      configuration_version: z.string().nullable(),
      escalation: z.string().nullable(),
      conversation: z.string().nullable(),
    }),
  })
  .openapi("DecisionEvent");

type PolicyStep = {
  policy: string;
  phase: string;
  action: string;
  reason?: string;
  findings?: unknown[];
};

/** `/v1/events`: decision events, filtered and paged; and the ingestion of managed gateways' batches. */
export const eventRoutes = controlRouter();

eventRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/events",
    middleware: [requirePermission("events:read")],
    request: {
      query: PageQuery.extend({
        from: Instant.optional(),
        to: Instant.optional(),
        ...FilterFields,
      }),
    },
    responses: responses(
      200,
      z.object({ data: z.array(EventSummary), next_cursor: z.string().nullable() }),
      "Decision events, newest first; members see their own and their administered teams' events",
    ),
  }),
  async (c) => {
    const principal = c.get("principal");
    const { limit, cursor, from, to, ...filters } = c.req.valid("query");
    if (from !== undefined && to !== undefined && from > to)
      throw new Problem(400, "invalid_range", "Invalid range", "from must not be after to");
    const position = cursor ? decodeCursor(cursor) : undefined;
    const where = eventConditions({
      orgId: principal.orgId,
      scope: scopeOf(principal),
      from,
      to,
      filters,
    });
    const rows = await createDb(c.env.DB)
      .select()
      .from(decisionEvents)
      .where(position ? and(where, olderThan(position)) : where)
      .orderBy(desc(decisionEvents.createdAt), desc(decisionEvents.requestId))
      .limit(limit + 1);
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return c.json(
      {
        data: page.map((row) => {
          const { content: _content, ...summary } = toRecord(row);
          return summary;
        }),
        next_cursor:
          rows.length > limit && last
            ? encodeCursor({ createdAt: last.createdAt, requestId: last.requestId })
            : null,
      },
      200,
    );
  },
);

eventRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/events/{id}",
    middleware: [requirePermission("events:read")],
    request: { params: IdParam },
    responses: responses(
      200,
      EventDetail,
      "One event with its policy path, the configuration version it ran under and its links",
    ),
  }),
  async (c) => {
    const principal = c.get("principal");
    const db = createDb(c.env.DB);
    const { id } = c.req.valid("param");
    const [row] = await db
      .select()
      .from(decisionEvents)
      .where(
        and(
          eventConditions({ orgId: principal.orgId, scope: scopeOf(principal), filters: {} }),
          eq(decisionEvents.requestId, id),
        ),
      )
      .limit(1);
    if (!row) throw notFound("event");
    const [version] = await db
      .select({
        id: configurations.id,
        name: configurations.name,
        version: configurationVersions.version,
        sha256: configurationVersions.sha256,
      })
      .from(configurationVersions)
      .innerJoin(configurations, eq(configurations.id, configurationVersions.configurationId))
      .where(
        and(
          eq(configurationVersions.orgId, principal.orgId),
          eq(configurationVersions.sha256, row.configHash),
        ),
      )
      .orderBy(asc(configurationVersions.createdAt))
      .limit(1);
    const [escalation] = await db
      .select({ id: escalations.id, status: escalations.status, outcome: escalations.outcome })
      .from(escalations)
      .where(and(eq(escalations.orgId, principal.orgId), eq(escalations.requestId, row.requestId)))
      .limit(1);
    const steps = Array.isArray(row.policies) ? (row.policies as PolicyStep[]) : [];
    return c.json(
      {
        ...toRecord(row),
        policy_path: steps.map((step) => ({
          policy: step.policy,
          phase: step.phase,
          action: step.action,
          reason: step.reason ?? null,
          findings: step.findings?.length ?? 0,
        })),
        configuration: version ?? null,
        escalation: escalation ?? null,
        links: {
          configuration_version: version
            ? `/v1/configurations/${version.id}/versions/${encodeURIComponent(version.version)}`
            : null,
          escalation: escalation ? `/v1/escalations/${escalation.id}` : null,
          // Conversations are not stored apart yet: the redacted conversation is `content`.
          conversation: null,
        },
      },
      200,
    );
  },
);

eventRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/events/batch",
    middleware: [requirePermission("gateway:runtime")],
    request: {
      body: jsonBody(
        z
          .object({
            gateway_id: z.string().min(1).max(200).optional().openapi({
              description:
                "Only for owner/admin imports; a gateway token posts for its own gateway",
            }),
            events: z.array(decisionEventSchema).min(1).max(MAX_BATCH_EVENTS),
          })
          .strict(),
      ),
    },
    responses: responses(
      200,
      z.object({
        gateway_id: z.string(),
        received: z.number(),
        stored: z.number(),
        duplicates: z.number(),
      }),
      "Stored, each request id at most once (a repeated batch stores nothing new)",
    ),
  }),
  async (c) => {
    const principal = c.get("principal");
    const body = c.req.valid("json");
    const db = createDb(c.env.DB);
    const [own] = principal.keyId
      ? await db
          .select()
          .from(gateways)
          .where(and(eq(gateways.orgId, principal.orgId), eq(gateways.tokenKeyId, principal.keyId)))
          .limit(1)
      : [];
    if (!own && !body.gateway_id)
      throw new Problem(
        400,
        "gateway_required",
        "Gateway required",
        "post with the gateway's token, or name the managed gateway in gateway_id",
      );
    if (own && body.gateway_id && body.gateway_id !== own.id) throw notFound("gateway");
    const [gateway] = own
      ? [own]
      : await db
          .select()
          .from(gateways)
          .where(and(eq(gateways.orgId, principal.orgId), eq(gateways.id, body.gateway_id ?? "")))
          .limit(1);
    if (!gateway) throw notFound("gateway");
    if (gateway.kind !== "managed")
      throw new Problem(
        409,
        "gateway_not_managed",
        "Gateway is hosted",
        "a hosted gateway's events arrive through the queue; only managed gateways post batches",
      );
    const latest = Date.now() + MAX_CLOCK_SKEW_MS;
    const future = body.events.findIndex((event) => event.created_at > latest);
    if (future >= 0)
      throw new Problem(
        400,
        "invalid_request",
        "Invalid request",
        "events: created_at is in the future",
        [{ path: `events.${future}.created_at`, message: "is in the future" }],
      );
    // The token decides the org and the gateway: whatever the events say about either is replaced.
    const events = body.events.map((event) => ({
      ...event,
      gateway_id: gateway.id,
      identity: { ...event.identity, org_id: principal.orgId },
    }));
    let stored: number;
    try {
      stored = await storeEvents(c.env.DB, events);
    } catch (error) {
      if (!/UNIQUE/i.test((error as Error).message)) throw error;
      throw new Problem(
        503,
        "chain_busy",
        "Busy",
        "another batch was appended to this gateway's chain at the same time; retry",
      );
    }
    const answer = {
      gateway_id: gateway.id,
      received: events.length,
      stored,
      duplicates: events.length - stored,
    };
    // A gateway posting its own events is routine telemetry; an import by a person is audited.
    if (!own)
      await auditEntry(c, db, {
        action: "events.import",
        resourceType: "gateway",
        resourceId: gateway.id,
        after: { received: answer.received, stored },
      });
    return c.json(answer, 200);
  },
);
