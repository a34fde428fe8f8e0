import { createRoute, z } from "@hono/zod-openapi";
import { and, eq, inArray, isNull, or } from "drizzle-orm";
import { newId } from "../../db/api-key.ts";
import { createDb, type Db } from "../../db/client.ts";
import { apiKeys, invites, teamMembers, teams } from "../../db/schema.ts";
import { auditEntry } from "../audit.ts";
import { canManageTeam, requirePermission, seesWholeOrg } from "../auth/permissions.ts";
import { atLeast, type Principal } from "../auth/principal.ts";
import { forbidden, notFound, Problem } from "../errors.ts";
import { controlRouter, IdParam, jsonBody, Name, responses } from "./route-kit.ts";

const Team = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string().nullable(),
    created_at: z.number(),
  })
  .openapi("Team");

/** Finds a team of the caller's org by id or name, visible to the caller, or 404. */
export async function findTeam(db: Db, principal: Principal, idOrName: string) {
  const [team] = await db
    .select()
    .from(teams)
    .where(
      and(eq(teams.orgId, principal.orgId), or(eq(teams.id, idOrName), eq(teams.name, idOrName))),
    )
    .limit(1);
  if (!team || (!seesWholeOrg(principal) && !principal.teamRoles.has(team.id)))
    throw notFound("team");
  return team;
}

const show = (team: typeof teams.$inferSelect) => ({
  id: team.id,
  name: team.name,
  description: team.description,
  created_at: team.createdAt,
});

/** `/v1/teams`: teams and their members. Team admins manage only their own teams. */
export const teamRoutes = controlRouter();

teamRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/teams",
    middleware: [requirePermission("teams:write")],
    request: {
      body: jsonBody(
        z.object({ name: Name, description: z.string().max(500).optional() }).strict(),
      ),
    },
    responses: responses(201, Team, "The created team"),
  }),
  async (c) => {
    const principal = c.get("principal");
    if (!atLeast(principal.role, "admin"))
      throw forbidden("only org admins and owners create teams");
    const body = c.req.valid("json");
    const db = createDb(c.env.DB);
    const [existing] = await db
      .select({ id: teams.id })
      .from(teams)
      .where(and(eq(teams.orgId, principal.orgId), eq(teams.name, body.name)))
      .limit(1);
    if (existing)
      throw new Problem(
        409,
        "conflict",
        "Team exists",
        `a team named "${body.name}" already exists`,
      );
    const team = {
      id: newId("team"),
      orgId: principal.orgId,
      name: body.name,
      description: body.description ?? null,
      createdAt: Date.now(),
    };
    await db.batch([
      db.insert(teams).values(team),
      auditEntry(c, db, {
        action: "team.create",
        resourceType: "team",
        resourceId: team.id,
        after: { name: team.name },
      }),
    ]);
    return c.json(show(team), 201);
  },
);

teamRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/teams",
    middleware: [requirePermission("teams:read")],
    responses: responses(200, z.object({ data: z.array(Team) }), "Teams the caller can see"),
  }),
  async (c) => {
    const principal = c.get("principal");
    const db = createDb(c.env.DB);
    const visible = seesWholeOrg(principal) ? undefined : [...principal.teamRoles.keys()];
    if (visible && visible.length === 0) return c.json({ data: [] }, 200);
    const rows = await db
      .select()
      .from(teams)
      .where(
        and(eq(teams.orgId, principal.orgId), visible ? inArray(teams.id, visible) : undefined),
      )
      .orderBy(teams.name);
    return c.json({ data: rows.map(show) }, 200);
  },
);

teamRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/teams/{id}",
    middleware: [requirePermission("teams:read")],
    request: { params: IdParam },
    responses: responses(200, Team, "The team"),
  }),
  async (c) =>
    c.json(
      show(await findTeam(createDb(c.env.DB), c.get("principal"), c.req.valid("param").id)),
      200,
    ),
);

teamRoutes.openapi(
  createRoute({
    method: "patch",
    path: "/v1/teams/{id}",
    middleware: [requirePermission("teams:write")],
    request: {
      params: IdParam,
      body: jsonBody(
        z
          .object({ name: Name.optional(), description: z.string().max(500).nullable().optional() })
          .strict(),
      ),
    },
    responses: responses(200, Team, "The updated team"),
  }),
  async (c) => {
    const principal = c.get("principal");
    const db = createDb(c.env.DB);
    const team = await findTeam(db, principal, c.req.valid("param").id);
    if (!canManageTeam(principal, team.id))
      throw forbidden("only org admins and this team's admins change it");
    const body = c.req.valid("json");
    if (body.name && body.name !== team.name) {
      const [clash] = await db
        .select({ id: teams.id })
        .from(teams)
        .where(and(eq(teams.orgId, principal.orgId), eq(teams.name, body.name)))
        .limit(1);
      if (clash)
        throw new Problem(
          409,
          "conflict",
          "Team exists",
          `a team named "${body.name}" already exists`,
        );
    }
    const updated = {
      ...team,
      name: body.name ?? team.name,
      description: body.description === undefined ? team.description : body.description,
    };
    await db.batch([
      db
        .update(teams)
        .set({ name: updated.name, description: updated.description })
        .where(and(eq(teams.id, team.id), eq(teams.orgId, principal.orgId))),
      auditEntry(c, db, {
        action: "team.update",
        resourceType: "team",
        resourceId: team.id,
        before: { name: team.name },
        after: { name: updated.name },
      }),
    ]);
    return c.json(show(updated), 200);
  },
);

teamRoutes.openapi(
  createRoute({
    method: "delete",
    path: "/v1/teams/{id}",
    middleware: [requirePermission("teams:write")],
    request: { params: IdParam },
    responses: responses(200, z.object({ deleted: z.literal(true) }), "Deleted"),
  }),
  async (c) => {
    const principal = c.get("principal");
    if (!atLeast(principal.role, "admin"))
      throw forbidden("only org admins and owners delete teams");
    const db = createDb(c.env.DB);
    const team = await findTeam(db, principal, c.req.valid("param").id);
    const now = Date.now();
    await db.batch([
      db
        .update(apiKeys)
        .set({ revokedAt: now })
        .where(
          and(
            eq(apiKeys.orgId, principal.orgId),
            eq(apiKeys.teamId, team.id),
            isNull(apiKeys.revokedAt),
          ),
        ),
      db
        .update(apiKeys)
        .set({ teamId: null })
        .where(and(eq(apiKeys.orgId, principal.orgId), eq(apiKeys.teamId, team.id))),
      // Invites naming the team keep inviting to the org (and no longer block the delete).
      db
        .update(invites)
        .set({ teamId: null })
        .where(and(eq(invites.orgId, principal.orgId), eq(invites.teamId, team.id))),
      db
        .delete(teamMembers)
        .where(and(eq(teamMembers.teamId, team.id), eq(teamMembers.orgId, principal.orgId))),
      db.delete(teams).where(and(eq(teams.id, team.id), eq(teams.orgId, principal.orgId))),
      auditEntry(c, db, {
        action: "team.delete",
        resourceType: "team",
        resourceId: team.id,
        before: { name: team.name },
      }),
    ]);
    return c.json({ deleted: true as const }, 200);
  },
);
