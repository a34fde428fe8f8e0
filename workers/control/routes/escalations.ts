import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { and, desc, eq, gte, inArray, lt, lte, or, sql } from "drizzle-orm";
import type {
  EscalationView,
  TransitionResult,
} from "../../../durable-objects/escalations/escalation-model.ts";
import { createDb } from "../../db/client.ts";
import { decisionEvents, escalations } from "../../db/schema.ts";
import { auditEntry } from "../audit.ts";
import { requirePermission } from "../auth/permissions.ts";
import type { ControlApp } from "../env.ts";
import { notFound, Problem } from "../errors.ts";
import { actorOf, reviewQueue, scopeOf, transitionProblem } from "../escalations/review-queue.ts";
import { controlRouter, IdParam, jsonBody, PageQuery, responses } from "./route-kit.ts";
import { findTeam } from "./teams.ts";

const Escalation = z
  .object({
    id: z.string(),
    status: z.enum(["queued", "claimed", "resolved"]),
    team_id: z.string().nullable(),
    user_id: z.string().nullable(),
    key_id: z.string().nullable(),
    request_id: z.string(),
    request_hash: z.string(),
    endpoint: z.string(),
    model: z.string(),
    policy: z.string(),
    reason_code: z.string(),
    reason: z.string(),
    config: z.object({ name: z.string(), version: z.string(), hash: z.string() }),
    claimed_by: z.string().nullable(),
    claim_expires_at: z.number().nullable(),
    outcome: z.enum(["allow", "block", "policy_tuning"]).nullable(),
    note: z.string().nullable(),
    resolved_by: z.string().nullable(),
    resolved_at: z.number().nullable(),
    used_at: z.number().nullable(),
    created_at: z.number(),
    updated_at: z.number(),
  })
  .openapi("Escalation");
const TrailEntry = z
  .object({
    seq: z.number().int(),
    actor_type: z.enum(["user", "access_key", "gateway", "system"]),
    actor_id: z.string(),
    action: z.enum(["create", "claim", "release", "expire", "resolve", "use"]),
    detail: z
      .record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]))
      .nullable(),
    created_at: z.number(),
  })
  .openapi("EscalationTrailEntry");
const RelatedEvent = z
  .object({
    request_id: z.string(),
    created_at: z.number(),
    verdict: z.string(),
    status: z.number(),
    error_code: z.string().nullable(),
    blocked_by: z.string().nullable(),
    policies: z.unknown(),
  })
  .openapi("EscalationEvent");
const EscalationDetail = Escalation.extend({
  request: z.object({ messages: z.array(z.unknown()) }),
  trail: z.array(TrailEntry),
  event: RelatedEvent.nullable(),
}).openapi("EscalationDetail");

const ListQuery = PageQuery.extend({
  status: z.enum(["queued", "claimed", "resolved"]).optional(),
  from: z.coerce.number().int().min(0).optional(),
  to: z.coerce.number().int().min(0).optional(),
  team: z.string().min(1).max(200).optional(),
  reason: z
    .string()
    .regex(/^[a-z0-9_]{1,50}$/, "a reason code such as phi, pii or review_required")
    .optional(),
});
const ClaimBody = z
  .object({
    ttl_seconds: z
      .number()
      .int()
      .min(60)
      .max(24 * 60 * 60)
      .optional()
      .openapi({ description: "How long the claim lasts unless renewed (default 1800)" }),
  })
  .strict();
const ResolveBody = z
  .object({
    outcome: z.enum(["allow", "block", "policy_tuning"]),
    note: z.string().trim().min(1, "a resolution needs a note").max(4000),
  })
  .strict();

function encodeCursor(row: { createdAt: number; id: string }): string {
  return btoa(`${row.createdAt}|${row.id}`).replaceAll("+", "-").replaceAll("/", "_");
}

function decodeCursor(cursor: string): { createdAt: number; id: string } {
  let text = "";
  try {
    text = atob(cursor.replaceAll("-", "+").replaceAll("_", "/"));
  } catch {
    // An undecodable cursor is refused below like any other bad one.
  }
  const [time, id] = text.split("|");
  if (!time || !id || !/^\d+$/.test(time))
    throw new Problem(400, "invalid_cursor", "Invalid cursor", "pass back a previous next_cursor");
  return { createdAt: Number(time), id };
}

function viewOfRow(row: typeof escalations.$inferSelect): EscalationView {
  return {
    id: row.id,
    status: row.status,
    team_id: row.teamId,
    user_id: row.userId,
    key_id: row.keyId,
    request_id: row.requestId,
    request_hash: row.requestHash,
    endpoint: row.endpoint,
    model: row.model,
    policy: row.policy,
    reason_code: row.reasonCode,
    reason: row.reason,
    config: { name: row.configName, version: row.configVersion, hash: row.configHash },
    claimed_by: row.claimedBy,
    claim_expires_at: row.claimExpiresAt,
    outcome: row.outcome,
    note: row.note,
    resolved_by: row.resolvedBy,
    resolved_at: row.resolvedAt,
    used_at: row.usedAt,
    created_at: row.createdAt,
    updated_at: row.updatedAt,
  };
}

/** Runs a transition in the org's queue; a refusal becomes its problem, a change its audit entry. */
async function transition(
  c: Context<ControlApp>,
  action: "claim" | "release" | "resolve",
  run: (queue: ReturnType<typeof reviewQueue>) => Promise<TransitionResult>,
): Promise<EscalationView> {
  const principal = c.get("principal");
  const db = createDb(c.env.DB);
  const result = await run(reviewQueue(c.env, principal.orgId));
  if (!result.ok) throw await transitionProblem(result, db, principal.orgId);
  const escalation = result.escalation;
  await auditEntry(c, db, {
    action: `escalation.${action}`,
    resourceType: "escalation",
    resourceId: escalation.id,
    after: {
      status: escalation.status,
      claimed_by: escalation.claimed_by,
      ...(action === "resolve" ? { outcome: escalation.outcome } : {}),
    },
  });
  return escalation;
}

/**
 * `/v1/escalations`: the review queue. Lists come from the D1 mirror; details and
 * every transition go to the org's EscalationDO, which serialises them. Team
 * admins see and act on their teams' escalations only.
 */
export const escalationRoutes = controlRouter();

escalationRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/escalations",
    middleware: [requirePermission("escalations:read")],
    request: { query: ListQuery },
    responses: responses(
      200,
      z.object({ data: z.array(Escalation), next_cursor: z.string().nullable() }),
      "Escalations, newest first",
    ),
  }),
  async (c) => {
    const principal = c.get("principal");
    const query = c.req.valid("query");
    if (query.from !== undefined && query.to !== undefined && query.from > query.to)
      throw new Problem(400, "invalid_range", "Invalid range", "from must not be after to");
    const db = createDb(c.env.DB);
    const scope = scopeOf(principal);
    if (scope.teams?.length === 0) return c.json({ data: [], next_cursor: null }, 200);
    const team = query.team ? (await findTeam(db, principal, query.team)).id : undefined;
    const cursor = query.cursor ? decodeCursor(query.cursor) : undefined;
    const rows = await db
      .select()
      .from(escalations)
      .where(
        and(
          eq(escalations.orgId, principal.orgId),
          scope.teams ? inArray(escalations.teamId, scope.teams) : undefined,
          team ? eq(escalations.teamId, team) : undefined,
          query.status ? eq(escalations.status, query.status) : undefined,
          query.from !== undefined ? gte(escalations.createdAt, query.from) : undefined,
          query.to !== undefined ? lte(escalations.createdAt, query.to) : undefined,
          query.reason
            ? sql`instr(',' || ${escalations.reasonCode} || ',', ${`,${query.reason},`}) > 0`
            : undefined,
          cursor
            ? or(
                lt(escalations.createdAt, cursor.createdAt),
                and(eq(escalations.createdAt, cursor.createdAt), lt(escalations.id, cursor.id)),
              )
            : undefined,
        ),
      )
      .orderBy(desc(escalations.createdAt), desc(escalations.id))
      .limit(query.limit + 1);
    const page = rows.slice(0, query.limit);
    const last = page[page.length - 1];
    const next = rows.length > query.limit && last ? encodeCursor(last) : null;
    return c.json({ data: page.map(viewOfRow), next_cursor: next }, 200);
  },
);

escalationRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/escalations/{id}",
    middleware: [requirePermission("escalations:read")],
    request: { params: IdParam },
    responses: responses(200, EscalationDetail, "The escalation, its request, trail and event"),
  }),
  async (c) => {
    const principal = c.get("principal");
    const queue = reviewQueue(c.env, principal.orgId);
    const detail = await queue.show(c.req.valid("param").id, scopeOf(principal));
    if (!detail) throw notFound("escalation");
    const { request_json: requestJson, ...escalation } = detail;
    const [event] = await createDb(c.env.DB)
      .select({
        request_id: decisionEvents.requestId,
        created_at: decisionEvents.createdAt,
        verdict: decisionEvents.verdict,
        status: decisionEvents.status,
        error_code: decisionEvents.errorCode,
        blocked_by: decisionEvents.blockedBy,
        policies: decisionEvents.policies,
      })
      .from(decisionEvents)
      .where(
        and(
          eq(decisionEvents.requestId, escalation.request_id),
          eq(decisionEvents.orgId, principal.orgId),
        ),
      )
      .limit(1);
    const request = JSON.parse(requestJson) as { messages: unknown[] };
    return c.json({ ...escalation, request, event: event ?? null }, 200);
  },
);

escalationRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/escalations/{id}/claim",
    middleware: [requirePermission("escalations:write")],
    request: {
      params: IdParam,
      body: { ...jsonBody(ClaimBody), required: false },
    },
    responses: responses(200, Escalation, "Claimed by the caller (409 names the current owner)"),
  }),
  async (c) => {
    const principal = c.get("principal");
    const ttl = (c.req.valid("json").ttl_seconds ?? 1800) * 1000;
    const id = c.req.valid("param").id;
    const escalation = await transition(c, "claim", (queue) =>
      queue.claim(id, actorOf(principal), scopeOf(principal), ttl),
    );
    return c.json(escalation, 200);
  },
);

escalationRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/escalations/{id}/release",
    middleware: [requirePermission("escalations:write")],
    request: { params: IdParam },
    responses: responses(200, Escalation, "Back in the queue"),
  }),
  async (c) => {
    const principal = c.get("principal");
    const id = c.req.valid("param").id;
    const escalation = await transition(c, "release", (queue) =>
      queue.release(id, actorOf(principal), scopeOf(principal)),
    );
    return c.json(escalation, 200);
  },
);

escalationRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/escalations/{id}/resolve",
    middleware: [requirePermission("escalations:write")],
    request: { params: IdParam, body: jsonBody(ResolveBody) },
    responses: responses(200, Escalation, "Resolved for good (a second resolve is 409)"),
  }),
  async (c) => {
    const principal = c.get("principal");
    const id = c.req.valid("param").id;
    const { outcome, note } = c.req.valid("json");
    const escalation = await transition(c, "resolve", (queue) =>
      queue.resolve(id, actorOf(principal), scopeOf(principal), outcome, note),
    );
    return c.json(escalation, 200);
  },
);
