import { z } from "@hono/zod-openapi";
import { and, eq, gte, inArray, isNotNull, lt, ne, or, sql, type SQL } from "drizzle-orm";
import type { EventFilters } from "../../db/export-schema.ts";
import { decisionEvents } from "../../db/schema.ts";
import { seesWholeOrg } from "../auth/permissions.ts";
import type { Principal } from "../auth/principal.ts";
import { Problem } from "../errors.ts";

/** The verdicts a decision event can carry. */
export const VERDICTS = ["allow", "redact", "block", "escalate", "error"] as const;

/** Latest instant accepted anywhere (year 9999), so no arithmetic on it overflows. */
const MAX_INSTANT = 253_402_300_799_999;

/**
 * A point in time: epoch milliseconds, or an ISO 8601 date or date-time
 * (`2026-08-01`, `2026-08-01T12:00:00Z`). Query strings of digits count as milliseconds.
 */
export const Instant = z
  .union([z.number().int().min(0).max(MAX_INSTANT), z.string().min(1).max(40)])
  .transform((value, context) => {
    const milliseconds =
      typeof value === "number"
        ? value
        : /^\d+$/.test(value)
          ? Number(value)
          : /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(
                value,
              )
            ? Date.parse(value.length === 10 ? `${value}T00:00:00Z` : value)
            : Number.NaN;
    if (!Number.isSafeInteger(milliseconds) || milliseconds < 0 || milliseconds > MAX_INSTANT) {
      context.addIssue({
        code: "custom",
        message: "expected epoch milliseconds or an ISO 8601 date, e.g. 2026-08-01T00:00:00Z",
      });
      return z.NEVER;
    }
    return milliseconds;
  })
  .openapi({ type: "string", example: "2026-08-01T00:00:00Z" });

const Id = z.string().min(1).max(200);

/** The filters events can be narrowed by, in lists and exports. */
export const FilterFields = {
  verdict: z.enum(VERDICTS).optional(),
  policy: z.string().min(1).max(100).optional(),
  team_id: Id.optional(),
  user_id: Id.optional(),
  model: Id.optional(),
  gateway_id: Id.optional(),
  config_version: z.string().min(1).max(100).optional(),
  request_id: Id.optional(),
  /** `true`: only requests where the shadow version decided otherwise than the enforced one. */
  shadow_differs: z.enum(["true"]).optional(),
};

/** Filters as an export body carries them: nothing else is accepted. */
export const FiltersSchema = z.object(FilterFields).strict().openapi("EventFilters");

/**
 * Who may see which events: null for the whole org (owners, admins, viewers),
 * else a member's own events and those of the teams they administer.
 */
export type Scope = { userId: string | null; teamIds: string[] } | null;

/** The visibility of a principal, as stored with an export. */
export function scopeOf(principal: Principal): Scope {
  if (seesWholeOrg(principal)) return null;
  const teamIds = [...principal.teamRoles]
    .filter(([, role]) => role === "admin")
    .map(([teamId]) => teamId)
    .sort();
  return { userId: principal.userId, teamIds };
}

/** What narrows a query: the org, the caller's scope, a window [from, to) and filters. */
export interface EventQuery {
  orgId: string;
  scope: Scope;
  from?: number;
  to?: number;
  filters: EventFilters;
  /** Exports only: chain id → last sequence at creation; later events are left out. */
  heads?: Record<string, number>;
}

function scopeCondition(scope: Scope): SQL | undefined {
  if (scope === null) return undefined;
  const mine = scope.userId ? eq(decisionEvents.userId, scope.userId) : undefined;
  const teams = scope.teamIds.length ? inArray(decisionEvents.teamId, scope.teamIds) : undefined;
  return or(mine, teams) ?? sql`0`;
}

/** The WHERE clause of an event query; every query is scoped by org first. */
export function eventConditions(query: EventQuery): SQL {
  const { filters } = query;
  const policy = filters.policy
    ? sql`EXISTS (SELECT 1 FROM json_each(${decisionEvents.policies}) AS step WHERE json_extract(step.value, '$.policy') = ${filters.policy})`
    : undefined;
  const heads = query.heads
    ? sql`(${decisionEvents.chainId} IS NULL OR ${decisionEvents.sequence} <= COALESCE((SELECT head.value FROM json_each(${JSON.stringify(query.heads)}) AS head WHERE head.key = ${decisionEvents.chainId}), -1))`
    : undefined;
  return and(
    eq(decisionEvents.orgId, query.orgId),
    scopeCondition(query.scope),
    query.from !== undefined ? gte(decisionEvents.createdAt, query.from) : undefined,
    query.to !== undefined ? lt(decisionEvents.createdAt, query.to) : undefined,
    filters.verdict ? eq(decisionEvents.verdict, filters.verdict) : undefined,
    filters.team_id ? eq(decisionEvents.teamId, filters.team_id) : undefined,
    filters.user_id ? eq(decisionEvents.userId, filters.user_id) : undefined,
    filters.model ? eq(decisionEvents.model, filters.model) : undefined,
    filters.gateway_id ? eq(decisionEvents.gatewayId, filters.gateway_id) : undefined,
    filters.config_version ? eq(decisionEvents.configVersion, filters.config_version) : undefined,
    filters.request_id ? eq(decisionEvents.requestId, filters.request_id) : undefined,
    filters.shadow_differs
      ? and(
          isNotNull(decisionEvents.shadowVerdict),
          ne(decisionEvents.shadowVerdict, decisionEvents.verdict),
        )
      : undefined,
    policy,
    heads,
  ) as SQL;
}

/** A position in a (created_at, request_id) ordering. */
export interface Position {
  createdAt: number;
  requestId: string;
}

/** An opaque cursor for a position: base64url of its JSON. */
export function encodeCursor(position: Position): string {
  const json = JSON.stringify([position.createdAt, position.requestId]);
  return btoa(json).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/** The position of a cursor from {@link encodeCursor}, or a 400 problem. */
export function decodeCursor(cursor: string): Position {
  try {
    const padded = cursor.replaceAll("-", "+").replaceAll("_", "/");
    const value = JSON.parse(atob(padded)) as unknown;
    if (
      Array.isArray(value) &&
      value.length === 2 &&
      Number.isSafeInteger(value[0]) &&
      typeof value[1] === "string"
    )
      return { createdAt: value[0] as number, requestId: value[1] };
  } catch {
    // Reported below.
  }
  throw new Problem(
    400,
    "invalid_cursor",
    "Invalid cursor",
    "pass back the next_cursor of a previous page",
  );
}

/** Rows after `position` in newest-first order. */
export function olderThan(position: Position): SQL {
  return or(
    lt(decisionEvents.createdAt, position.createdAt),
    and(
      eq(decisionEvents.createdAt, position.createdAt),
      lt(decisionEvents.requestId, position.requestId),
    ),
  ) as SQL;
}

/** Rows after `position` in oldest-first order. */
export function newerThan(position: Position): SQL {
  return or(
    sql`${decisionEvents.createdAt} > ${position.createdAt}`,
    and(
      eq(decisionEvents.createdAt, position.createdAt),
      sql`${decisionEvents.requestId} > ${position.requestId}`,
    ),
  ) as SQL;
}
