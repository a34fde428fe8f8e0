import { createRoute, z } from "@hono/zod-openapi";
import { dayOf, fromMicros } from "../../../durable-objects/ledger/money.ts";
import { requirePermission } from "../auth/permissions.ts";
import { ledgerOf, visibilityOf } from "../wallets/ledger-client.ts";
import { controlRouter, responses } from "./route-kit.ts";

const DIMENSIONS = {
  team: "team_id",
  user: "user_id",
  model: "model",
  key: "key_id",
  day: "day",
} as const;
type Dimension = keyof typeof DIMENSIONS;
const DAY_MS = 86_400_000;
const Day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "a day like 2026-01-31");

const UsageQuery = z.object({
  group_by: z
    .string()
    .max(100)
    .default("day")
    .transform((value) => value.split(",").map((part) => part.trim()))
    .pipe(
      z
        .array(z.enum(["team", "user", "model", "key", "day"]))
        .min(1)
        .max(5),
    ),
  from: Day.optional(),
  to: Day.optional(),
});
const UsageRow = z
  .object({
    team_id: z.string().nullable().optional(),
    user_id: z.string().nullable().optional(),
    model: z.string().optional(),
    key_id: z.string().nullable().optional(),
    day: z.string().optional(),
    currency: z.string(),
    requests: z.number().int(),
    prompt_tokens: z.number().int(),
    cached_tokens: z.number().int(),
    completion_tokens: z.number().int(),
    cost: z.number(),
    charged: z.number(),
    uncollected: z.number(),
    unpriced_requests: z.number().int(),
    estimated_requests: z.number().int(),
  })
  .openapi("UsageRow");

interface Aggregate extends Record<string, unknown> {
  currency: string;
  requests: number;
  prompt_tokens: number;
  cached_tokens: number;
  completion_tokens: number;
  cost: number;
  charged: number;
  uncollected: number;
  unpriced_requests: number;
  estimated_requests: number;
}

/**
 * `GET /v1/usage`: tokens and cost of settled requests, grouped by any of team,
 * user, model, key and day (UTC), for a range of days (the last 30 by default).
 * Owners, admins and viewers see the whole org; members see their own requests
 * and their teams'. The org's ledger copies its latest settles to D1 first.
 */
export const usageRoutes = controlRouter();

usageRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/usage",
    middleware: [requirePermission("spend:read")],
    request: { query: UsageQuery },
    responses: responses(
      200,
      z.object({
        from: z.string(),
        to: z.string(),
        group_by: z.array(z.string()),
        data: z.array(UsageRow),
      }),
      "Usage and spend, grouped",
    ),
  }),
  async (c) => {
    const principal = c.get("principal");
    const query = c.req.valid("query");
    const groups = [...new Set(query.group_by)] as Dimension[];
    const to = query.to ?? dayOf(Date.now());
    const from = query.from ?? dayOf(Date.parse(`${to}T00:00:00Z`) - 29 * DAY_MS);
    try {
      await ledgerOf(c.env, principal.orgId).flush();
    } catch {
      // A ledger out of reach only means the newest settles are not counted yet.
    }
    const visibility = visibilityOf(principal);
    const bindings: unknown[] = [principal.orgId, from, to];
    let scope = "";
    if (visibility.teams !== null) {
      const teams = visibility.teams.map(() => "?").join(", ");
      scope = ` AND (user_id = ?${teams ? ` OR team_id IN (${teams})` : ""})`;
      bindings.push(visibility.userId ?? "", ...visibility.teams);
    }
    const columns = groups.map((group) => DIMENSIONS[group]);
    const selected = columns.length > 0 ? `${columns.join(", ")}, ` : "";
    const result = await c.env.DB.prepare(
      `SELECT ${selected}currency, count(*) AS requests, sum(prompt_tokens) AS prompt_tokens,
         sum(cached_tokens) AS cached_tokens, sum(completion_tokens) AS completion_tokens,
         coalesce(sum(cost), 0) AS cost, sum(charged) AS charged, sum(uncollected) AS uncollected,
         sum(cost IS NULL) AS unpriced_requests, sum(estimated) AS estimated_requests
       FROM usage_records WHERE org_id = ? AND day >= ? AND day <= ?${scope}
       GROUP BY ${selected}currency ORDER BY ${selected}currency`,
    )
      .bind(...bindings)
      .all<Aggregate>();
    const data = result.results.map((row) => ({
      ...row,
      cost: fromMicros(row.cost),
      charged: fromMicros(row.charged),
      uncollected: fromMicros(row.uncollected),
    }));
    return c.json({ from, to, group_by: groups, data }, 200);
  },
);
