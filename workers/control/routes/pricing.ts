import { createRoute, z } from "@hono/zod-openapi";
import { and, asc, eq, isNull, or } from "drizzle-orm";
import { fromMicros, toMicros } from "../../../durable-objects/ledger/money.ts";
import { PROVIDER_NAMES } from "../../policy/index.ts";
import { newId } from "../../db/api-key.ts";
import { createDb } from "../../db/client.ts";
import { pricing } from "../../db/schema.ts";
import { auditEntry } from "../audit.ts";
import { requirePermission } from "../auth/permissions.ts";
import { Problem } from "../errors.ts";
import { Currency } from "../wallets/ledger-client.ts";
import { controlRouter, jsonBody, responses } from "./route-kit.ts";

const PerMillion = z.number().min(0).max(1_000_000);
const Price = z
  .object({
    id: z.string(),
    provider: z.string(),
    model: z.string(),
    currency: z.string(),
    input_per_million: z.number(),
    output_per_million: z.number(),
    cached_input_per_million: z.number().nullable(),
    effective_from: z.number(),
    source: z.enum(["default", "org"]),
    in_effect: z.boolean(),
    created_by: z.string(),
    created_at: z.number(),
  })
  .openapi("Price");
const SetPrice = z
  .object({
    provider: z.enum(PROVIDER_NAMES),
    model: z
      .string()
      .min(1)
      .max(200)
      .regex(/^[\w.:/@*-]+$/, "a model name, or * for every model of the provider"),
    currency: Currency,
    input_per_million: PerMillion,
    output_per_million: PerMillion,
    cached_input_per_million: PerMillion.optional(),
    /** When the price takes effect (ms since the epoch); now when absent. */
    effective_from: z.number().int().min(0).optional(),
  })
  .strict();
const ListQuery = z.object({
  provider: z.string().min(1).max(100).optional(),
  model: z.string().min(1).max(200).optional(),
});

type Row = typeof pricing.$inferSelect;

function show(row: Row, inEffect: boolean): z.infer<typeof Price> {
  return {
    id: row.id,
    provider: row.provider,
    model: row.model,
    currency: row.currency,
    input_per_million: fromMicros(row.inputMicros),
    output_per_million: fromMicros(row.outputMicros),
    cached_input_per_million:
      row.cachedInputMicros === null ? null : fromMicros(row.cachedInputMicros),
    effective_from: row.effectiveFrom,
    source: row.orgId === null ? "default" : "org",
    in_effect: inEffect,
    created_by: row.createdBy,
    created_at: row.createdAt,
  };
}

/**
 * `/v1/pricing`: what each provider's models cost, per million tokens. The
 * defaults are seeded; an admin sets the org's own prices, which override them
 * from their effective date (a new row each time, so past costs stay explained).
 * Gateways read them within a minute; a config target's `pricing` overrides both.
 */
export const pricingRoutes = controlRouter();

pricingRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/pricing",
    middleware: [requirePermission("spend:read")],
    request: { query: ListQuery },
    responses: responses(
      200,
      z.object({ data: z.array(Price) }),
      "Prices, the org's and the defaults",
    ),
  }),
  async (c) => {
    const { orgId } = c.get("principal");
    const query = c.req.valid("query");
    const rows = await createDb(c.env.DB)
      .select()
      .from(pricing)
      .where(
        and(
          or(eq(pricing.orgId, orgId), isNull(pricing.orgId)),
          query.provider ? eq(pricing.provider, query.provider) : undefined,
          query.model ? eq(pricing.model, query.model) : undefined,
        ),
      )
      .orderBy(asc(pricing.provider), asc(pricing.model), asc(pricing.effectiveFrom));
    const now = Date.now();
    // The row a gateway uses per provider and model: the org's before the defaults, newest in effect.
    const chosen = new Map<string, Row>();
    for (const row of rows) {
      if (row.effectiveFrom > now) continue;
      const key = `${row.provider}\n${row.model}`;
      const current = chosen.get(key);
      const better =
        !current ||
        (current.orgId === null && row.orgId !== null) ||
        ((current.orgId === null) === (row.orgId === null) &&
          row.effectiveFrom >= current.effectiveFrom);
      if (better) chosen.set(key, row);
    }
    const inEffect = new Set([...chosen.values()].map((row) => row.id));
    return c.json({ data: rows.map((row) => show(row, inEffect.has(row.id))) }, 200);
  },
);

pricingRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/pricing",
    middleware: [requirePermission("spend:write")],
    request: { body: jsonBody(SetPrice) },
    responses: responses(201, Price, "The org's new price"),
  }),
  async (c) => {
    const principal = c.get("principal");
    const body = c.req.valid("json");
    const db = createDb(c.env.DB);
    const now = Date.now();
    const row: Row = {
      id: newId("price"),
      orgId: principal.orgId,
      provider: body.provider,
      model: body.model,
      currency: body.currency,
      inputMicros: toMicros(body.input_per_million),
      outputMicros: toMicros(body.output_per_million),
      cachedInputMicros:
        body.cached_input_per_million === undefined
          ? null
          : toMicros(body.cached_input_per_million),
      effectiveFrom: body.effective_from ?? now,
      createdBy: principal.userId ?? principal.keyId ?? "unknown",
      createdAt: now,
    };
    const [clash] = await db
      .select({ id: pricing.id })
      .from(pricing)
      .where(
        and(
          eq(pricing.orgId, principal.orgId),
          eq(pricing.provider, row.provider),
          eq(pricing.model, row.model),
          eq(pricing.effectiveFrom, row.effectiveFrom),
        ),
      )
      .limit(1);
    if (clash)
      throw new Problem(
        409,
        "conflict",
        "Price exists",
        `a price for ${row.provider} ${row.model} from ${row.effectiveFrom} exists already`,
      );
    await db.batch([
      db.insert(pricing).values(row),
      auditEntry(c, db, {
        action: "pricing.set",
        resourceType: "price",
        resourceId: row.id,
        after: show(row, row.effectiveFrom <= now),
      }),
    ]);
    return c.json(show(row, row.effectiveFrom <= now), 201);
  },
);
