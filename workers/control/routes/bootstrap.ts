import { createRoute, z } from "@hono/zod-openapi";
import { eq, sql } from "drizzle-orm";
import { generateKey, hashKey, keyPrefix, newId, sameDigest } from "../../db/api-key.ts";
import { createDb } from "../../db/client.ts";
import { apiKeys, memberships, orgs, users } from "../../db/schema.ts";
import { auditEntry } from "../audit.ts";
import { hashPassword } from "../auth/password.ts";
import { Problem } from "../errors.ts";
import { controlRouter, Email, jsonBody, Name, responses } from "./route-kit.ts";

const Bootstrapped = z
  .object({
    org: z.object({ id: z.string(), name: z.string() }),
    user: z.object({ id: z.string(), email: z.string() }),
    access_key: z.string(),
    key_id: z.string(),
  })
  .openapi("Bootstrapped");

/**
 * `POST /v1/bootstrap` (`kt init`): creates the first org, its owner and an owner
 * access key, shown once. Only while no org exists, or with the bootstrap token.
 */
export const bootstrapRoutes = controlRouter();

bootstrapRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/bootstrap",
    request: {
      body: jsonBody(
        z
          .object({
            org: Name,
            email: Email,
            name: z.string().max(100).optional(),
            password: z.string().min(12).max(200).optional(),
          })
          .strict(),
      ),
    },
    responses: responses(
      201,
      Bootstrapped,
      "The org, its owner and an owner access key (shown once)",
    ),
  }),
  async (c) => {
    const body = c.req.valid("json");
    const presented = c.req.header("x-keeptrusts-bootstrap-token");
    const expected = c.env.KEEPTRUSTS_BOOTSTRAP_TOKEN;
    const withToken = Boolean(
      presented && expected && sameDigest(await hashKey(presented), await hashKey(expected)),
    );
    if (presented && !withToken)
      throw new Problem(403, "forbidden", "Forbidden", "the bootstrap token is wrong");
    const db = createDb(c.env.DB);
    const now = Date.now();
    const [existingUser] = await db
      .select()
      .from(users)
      .where(eq(users.email, body.email))
      .limit(1);
    const org = { id: newId("org"), name: body.org, createdAt: now };
    const user = existingUser ?? {
      id: newId("usr"),
      email: body.email,
      name: body.name ?? null,
      passwordHash: body.password ? await hashPassword(body.password) : null,
      createdAt: now,
    };
    const key = generateKey("access");
    const keyId = newId("key");
    // Without the token the org is inserted only while none exists; the membership's
    // foreign key then fails, so the whole batch (a transaction) is refused.
    const insertOrg = withToken
      ? db.insert(orgs).values(org)
      : db
          .insert(orgs)
          .select(
            sql`SELECT ${org.id}, ${org.name}, ${org.createdAt} WHERE NOT EXISTS (SELECT 1 FROM orgs)`,
          );
    try {
      await db.batch([
        insertOrg,
        ...(existingUser ? [] : [db.insert(users).values(user)]),
        db
          .insert(memberships)
          .values({ orgId: org.id, userId: user.id, role: "owner", createdAt: now }),
        db.insert(apiKeys).values({
          id: keyId,
          orgId: org.id,
          kind: "access",
          name: "bootstrap",
          prefix: keyPrefix(key),
          hash: await hashKey(key),
          userId: user.id,
          role: "owner",
          createdBy: user.id,
          createdAt: now,
        }),
        auditEntry(
          c,
          db,
          {
            action: "org.bootstrap",
            resourceType: "org",
            resourceId: org.id,
            after: { name: org.name, owner: user.id },
          },
          { orgId: org.id, type: "system", id: "bootstrap" },
        ),
      ]);
    } catch (error) {
      const message = (error as Error).message;
      if (/FOREIGN KEY/i.test(message))
        throw new Problem(
          409,
          "already_bootstrapped",
          "Already set up",
          "an org exists; set KEEPTRUSTS_BOOTSTRAP_TOKEN on the worker and pass it to create another",
        );
      if (/UNIQUE/i.test(message))
        throw new Problem(
          409,
          "conflict",
          "Org exists",
          `an org named "${org.name}" already exists`,
        );
      throw error;
    }
    return c.json(
      {
        org: { id: org.id, name: org.name },
        user: { id: user.id, email: user.email },
        access_key: key,
        key_id: keyId,
      },
      201,
    );
  },
);
