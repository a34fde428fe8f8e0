import { createRoute, z } from "@hono/zod-openapi";
import { and, eq, inArray, isNull } from "drizzle-orm";
import { createDb, type Db } from "../../db/client.ts";
import { apiKeys, memberships, sessions, teamMembers, users } from "../../db/schema.ts";
import { auditEntry } from "../audit.ts";
import { requirePermission } from "../auth/permissions.ts";
import { atLeast, ORG_ROLES, type Principal } from "../auth/principal.ts";
import { forbidden, notFound, Problem } from "../errors.ts";
import { controlRouter, jsonBody, responses } from "./route-kit.ts";

const Member = z
  .object({
    user_id: z.string(),
    email: z.string(),
    name: z.string().nullable(),
    role: z.enum(ORG_ROLES),
    joined_at: z.number(),
  })
  .openapi("Member");
const UserParam = z.object({
  userId: z
    .string()
    .min(1)
    .max(200)
    .openapi({ param: { name: "userId", in: "path" } }),
});

async function memberOf(db: Db, orgId: string, userId: string) {
  const [row] = await db
    .select({
      user_id: users.id,
      email: users.email,
      name: users.name,
      role: memberships.role,
      joined_at: memberships.createdAt,
    })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.orgId, orgId), eq(memberships.userId, userId)))
    .limit(1);
  if (!row) throw notFound("member");
  return row;
}

async function ownerCount(db: Db, orgId: string): Promise<number> {
  return (
    await db
      .select({ id: memberships.userId })
      .from(memberships)
      .where(and(eq(memberships.orgId, orgId), eq(memberships.role, "owner")))
  ).length;
}

/** Owners are touched only by owners, and an org never loses its last owner. */
async function guardOwners(
  db: Db,
  principal: Principal,
  target: { role: string; user_id: string },
  newRole?: string,
) {
  if ((target.role === "owner" || newRole === "owner") && principal.role !== "owner")
    throw forbidden("only owners add or change owners");
  if (
    target.role === "owner" &&
    newRole !== "owner" &&
    (await ownerCount(db, principal.orgId)) <= 1
  ) {
    throw new Problem(409, "last_owner", "Last owner", "an org must keep at least one owner");
  }
}

/** `/v1/members`: the people of the org and their roles. */
export const memberRoutes = controlRouter();

memberRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/members",
    middleware: [requirePermission("members:read")],
    responses: responses(200, z.object({ data: z.array(Member) }), "Members of the org"),
  }),
  async (c) => {
    const rows = await createDb(c.env.DB)
      .select({
        user_id: users.id,
        email: users.email,
        name: users.name,
        role: memberships.role,
        joined_at: memberships.createdAt,
      })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(eq(memberships.orgId, c.get("principal").orgId))
      .orderBy(users.email);
    return c.json({ data: rows }, 200);
  },
);

memberRoutes.openapi(
  createRoute({
    method: "patch",
    path: "/v1/members/{userId}",
    middleware: [requirePermission("members:write")],
    request: { params: UserParam, body: jsonBody(z.object({ role: z.enum(ORG_ROLES) }).strict()) },
    responses: responses(200, Member, "The member with the new role"),
  }),
  async (c) => {
    const principal = c.get("principal");
    const db = createDb(c.env.DB);
    const target = await memberOf(db, principal.orgId, c.req.valid("param").userId);
    const { role } = c.req.valid("json");
    await guardOwners(db, principal, target, role);
    await db.batch([
      db
        .update(memberships)
        .set({ role })
        .where(and(eq(memberships.orgId, principal.orgId), eq(memberships.userId, target.user_id))),
      // Keys carry the role they were made with: a demotion lowers those above the new role now.
      db
        .update(apiKeys)
        .set({ role })
        .where(
          and(
            eq(apiKeys.orgId, principal.orgId),
            eq(apiKeys.userId, target.user_id),
            inArray(apiKeys.role, [...ORG_ROLES.filter((candidate) => !atLeast(role, candidate))]),
          ),
        ),
      auditEntry(c, db, {
        action: "member.role",
        resourceType: "member",
        resourceId: target.user_id,
        before: { role: target.role },
        after: { role },
      }),
    ]);
    return c.json({ ...target, role }, 200);
  },
);

memberRoutes.openapi(
  createRoute({
    method: "delete",
    path: "/v1/members/{userId}",
    middleware: [requirePermission("members:write")],
    request: { params: UserParam },
    responses: responses(
      200,
      z.object({ removed: z.literal(true) }),
      "Removed, with their keys revoked and sessions ended",
    ),
  }),
  async (c) => {
    const principal = c.get("principal");
    const db = createDb(c.env.DB);
    const target = await memberOf(db, principal.orgId, c.req.valid("param").userId);
    await guardOwners(db, principal, target);
    const now = Date.now();
    await db.batch([
      db
        .update(apiKeys)
        .set({ revokedAt: now })
        .where(
          and(
            eq(apiKeys.orgId, principal.orgId),
            eq(apiKeys.userId, target.user_id),
            isNull(apiKeys.revokedAt),
          ),
        ),
      db
        .update(sessions)
        .set({ revokedAt: now })
        .where(
          and(
            eq(sessions.orgId, principal.orgId),
            eq(sessions.userId, target.user_id),
            isNull(sessions.revokedAt),
          ),
        ),
      db
        .delete(teamMembers)
        .where(and(eq(teamMembers.orgId, principal.orgId), eq(teamMembers.userId, target.user_id))),
      db
        .delete(memberships)
        .where(and(eq(memberships.orgId, principal.orgId), eq(memberships.userId, target.user_id))),
      auditEntry(c, db, {
        action: "member.remove",
        resourceType: "member",
        resourceId: target.user_id,
        before: { role: target.role },
      }),
    ]);
    return c.json({ removed: true as const }, 200);
  },
);
