import { createRoute, z } from "@hono/zod-openapi";
import { and, eq } from "drizzle-orm";
import { importSPKI } from "jose";
import { newId } from "../../db/api-key.ts";
import { createDb } from "../../db/client.ts";
import { endUserIssuers } from "../../db/schema.ts";
import { auditEntry } from "../audit.ts";
import { requirePermission } from "../auth/permissions.ts";
import { notFound, Problem } from "../errors.ts";
import { controlRouter, IdParam, jsonBody, responses } from "./route-kit.ts";

const Issuer = z
  .object({
    id: z.string(),
    issuer: z.string(),
    audience: z.string().nullable(),
    jwks_url: z.string().nullable(),
    has_public_key: z.boolean(),
    created_at: z.number(),
  })
  .openapi("EndUserIssuer");

const CreateIssuer = z
  .object({
    issuer: z.string().min(1).max(500),
    audience: z.string().min(1).max(500).optional(),
    jwks_url: z.url({ protocol: /^https?$/ }).optional(),
    public_key_pem: z.string().min(50).max(10_000).optional(),
  })
  .strict()
  .refine(
    (body) => (body.jwks_url === undefined) !== (body.public_key_pem === undefined),
    "give exactly one of jwks_url or public_key_pem",
  );

const show = (row: typeof endUserIssuers.$inferSelect) => ({
  id: row.id,
  issuer: row.issuer,
  audience: row.audience,
  jwks_url: row.jwksUrl,
  has_public_key: row.publicKeyPem !== null,
  created_at: row.createdAt,
});

/**
 * `/v1/end-user-issuers`: the issuers whose signed JWTs (header
 * `x-keeptrusts-user-token`) attribute an app's own end users at the gateway.
 */
export const issuerRoutes = controlRouter();

issuerRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/end-user-issuers",
    middleware: [requirePermission("issuers:write")],
    request: { body: jsonBody(CreateIssuer) },
    responses: responses(201, Issuer, "The registered issuer"),
  }),
  async (c) => {
    const principal = c.get("principal");
    const body = c.req.valid("json");
    if (body.public_key_pem) {
      const valid = await Promise.any(
        ["RS256", "ES256", "EdDSA"].map((alg) => importSPKI(body.public_key_pem ?? "", alg)),
      ).then(
        () => true,
        () => false,
      );
      if (!valid)
        throw new Problem(
          400,
          "invalid_request",
          "Invalid public key",
          "public_key_pem must be an SPKI PEM public key (RSA, EC P-256 or Ed25519)",
        );
    }
    const db = createDb(c.env.DB);
    const [clash] = await db
      .select({ id: endUserIssuers.id })
      .from(endUserIssuers)
      .where(and(eq(endUserIssuers.orgId, principal.orgId), eq(endUserIssuers.issuer, body.issuer)))
      .limit(1);
    if (clash)
      throw new Problem(
        409,
        "conflict",
        "Issuer exists",
        `issuer ${body.issuer} is already registered`,
      );
    const row = {
      id: newId("iss"),
      orgId: principal.orgId,
      issuer: body.issuer,
      audience: body.audience ?? null,
      jwksUrl: body.jwks_url ?? null,
      publicKeyPem: body.public_key_pem ?? null,
      createdAt: Date.now(),
    };
    await db.batch([
      db.insert(endUserIssuers).values(row),
      auditEntry(c, db, {
        action: "issuer.create",
        resourceType: "end_user_issuer",
        resourceId: row.id,
        after: { issuer: row.issuer },
      }),
    ]);
    return c.json(show(row), 201);
  },
);

issuerRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/end-user-issuers",
    middleware: [requirePermission("issuers:read")],
    responses: responses(200, z.object({ data: z.array(Issuer) }), "Registered issuers"),
  }),
  async (c) => {
    const rows = await createDb(c.env.DB)
      .select()
      .from(endUserIssuers)
      .where(eq(endUserIssuers.orgId, c.get("principal").orgId));
    return c.json({ data: rows.map(show) }, 200);
  },
);

issuerRoutes.openapi(
  createRoute({
    method: "delete",
    path: "/v1/end-user-issuers/{id}",
    middleware: [requirePermission("issuers:write")],
    request: { params: IdParam },
    responses: responses(200, z.object({ deleted: z.literal(true) }), "Deleted"),
  }),
  async (c) => {
    const principal = c.get("principal");
    const db = createDb(c.env.DB);
    const [row] = await db
      .select()
      .from(endUserIssuers)
      .where(
        and(
          eq(endUserIssuers.id, c.req.valid("param").id),
          eq(endUserIssuers.orgId, principal.orgId),
        ),
      )
      .limit(1);
    if (!row) throw notFound("issuer");
    await db.batch([
      db
        .delete(endUserIssuers)
        .where(and(eq(endUserIssuers.id, row.id), eq(endUserIssuers.orgId, principal.orgId))),
      auditEntry(c, db, {
        action: "issuer.delete",
        resourceType: "end_user_issuer",
        resourceId: row.id,
        before: { issuer: row.issuer },
      }),
    ]);
    return c.json({ deleted: true as const }, 200);
  },
);
