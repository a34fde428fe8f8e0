import { createRoute, z } from "@hono/zod-openapi";
import { and, eq } from "drizzle-orm";
import { createDb } from "../../db/client.ts";
import { memberships, teamMembers, users } from "../../db/schema.ts";
import { auditEntry } from "../audit.ts";
import { canManageTeam, requirePermission } from "../auth/permissions.ts";
import { forbidden, notFound, Problem } from "../errors.ts";
import { controlRouter, Email, IdParam, jsonBody, responses } from "./route-kit.ts";
import { findTeam } from "./teams.ts";

const TeamMember = z
  .object({ user_id: z.string(), email: z.string(), role: z.enum(["admin", "member"]) })
  .openapi("TeamMember");
const TeamRole = z.enum(["admin", "member"]);

/** `/v1/teams/{id}/members`: who is in a team. Org admins and the team's admins manage it. */
export const teamMemberRoutes = controlRouter();

teamMemberRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/teams/{id}/members",
    middleware: [requirePermission("teams:read")],
    request: { params: IdParam },
    responses: responses(200, z.object({ data: z.array(TeamMember) }), "Members of the team"),
  }),
  async (c) => {
    const db = createDb(c.env.DB);
    const team = await findTeam(db, c.get("principal"), c.req.valid("param").id);
    const rows = await db
      .select({ user_id: teamMembers.userId, email: users.email, role: teamMembers.role })
      .from(teamMembers)
      .innerJoin(users, eq(users.id, teamMembers.userId))
      .where(and(eq(teamMembers.teamId, team.id), eq(teamMembers.orgId, team.orgId)))
      .orderBy(users.email);
    return c.json({ data: rows }, 200);
  },
);

teamMemberRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/teams/{id}/members",
    middleware: [requirePermission("teams:write")],
    request: {
      params: IdParam,
      body: jsonBody(z.object({ email: Email, role: TeamRole.default("member") }).strict()),
    },
    responses: responses(201, TeamMember, "The added member"),
  }),
  async (c) => {
    const principal = c.get("principal");
    const db = createDb(c.env.DB);
    const team = await findTeam(db, principal, c.req.valid("param").id);
    if (!canManageTeam(principal, team.id))
      throw forbidden("only org admins and this team's admins add members");
    const body = c.req.valid("json");
    const [member] = await db
      .select({ id: users.id, email: users.email })
      .from(users)
      .innerJoin(
        memberships,
        and(eq(memberships.userId, users.id), eq(memberships.orgId, principal.orgId)),
      )
      .where(eq(users.email, body.email))
      .limit(1);
    if (!member)
      throw new Problem(
        404,
        "not_found",
        "Member not found",
        `${body.email} is not a member of this org; invite them first`,
      );
    const [already] = await db
      .select({ role: teamMembers.role })
      .from(teamMembers)
      .where(and(eq(teamMembers.teamId, team.id), eq(teamMembers.userId, member.id)))
      .limit(1);
    if (already)
      throw new Problem(
        409,
        "conflict",
        "Already a member",
        `${body.email} is already in ${team.name}`,
      );
    await db.batch([
      db.insert(teamMembers).values({
        teamId: team.id,
        userId: member.id,
        orgId: principal.orgId,
        role: body.role,
        createdAt: Date.now(),
      }),
      auditEntry(c, db, {
        action: "team.member.add",
        resourceType: "team",
        resourceId: team.id,
        after: { user_id: member.id, role: body.role },
      }),
    ]);
    return c.json({ user_id: member.id, email: member.email, role: body.role }, 201);
  },
);

const MemberParams = z.object({
  id: z
    .string()
    .min(1)
    .max(200)
    .openapi({ param: { name: "id", in: "path" } }),
  userId: z
    .string()
    .min(1)
    .max(200)
    .openapi({ param: { name: "userId", in: "path" } }),
});

teamMemberRoutes.openapi(
  createRoute({
    method: "patch",
    path: "/v1/teams/{id}/members/{userId}",
    middleware: [requirePermission("teams:write")],
    request: { params: MemberParams, body: jsonBody(z.object({ role: TeamRole }).strict()) },
    responses: responses(200, TeamMember, "The member with the new role"),
  }),
  async (c) => {
    const principal = c.get("principal");
    const db = createDb(c.env.DB);
    const { id, userId } = c.req.valid("param");
    const team = await findTeam(db, principal, id);
    if (!canManageTeam(principal, team.id))
      throw forbidden("only org admins and this team's admins change roles");
    const [row] = await db
      .select({ role: teamMembers.role, email: users.email })
      .from(teamMembers)
      .innerJoin(users, eq(users.id, teamMembers.userId))
      .where(and(eq(teamMembers.teamId, team.id), eq(teamMembers.userId, userId)))
      .limit(1);
    if (!row) throw notFound("team member");
    const { role } = c.req.valid("json");
    await db.batch([
      db
        .update(teamMembers)
        .set({ role })
        .where(and(eq(teamMembers.teamId, team.id), eq(teamMembers.userId, userId))),
      auditEntry(c, db, {
        action: "team.member.role",
        resourceType: "team",
        resourceId: team.id,
        before: { user_id: userId, role: row.role },
        after: { user_id: userId, role },
      }),
    ]);
    return c.json({ user_id: userId, email: row.email, role }, 200);
  },
);

teamMemberRoutes.openapi(
  createRoute({
    method: "delete",
    path: "/v1/teams/{id}/members/{userId}",
    middleware: [requirePermission("teams:write")],
    request: { params: MemberParams },
    responses: responses(200, z.object({ removed: z.literal(true) }), "Removed"),
  }),
  async (c) => {
    const principal = c.get("principal");
    const db = createDb(c.env.DB);
    const { id, userId } = c.req.valid("param");
    const team = await findTeam(db, principal, id);
    if (!canManageTeam(principal, team.id))
      throw forbidden("only org admins and this team's admins remove members");
    const [row] = await db
      .select({ role: teamMembers.role })
      .from(teamMembers)
      .where(and(eq(teamMembers.teamId, team.id), eq(teamMembers.userId, userId)))
      .limit(1);
    if (!row) throw notFound("team member");
    await db.batch([
      db
        .delete(teamMembers)
        .where(and(eq(teamMembers.teamId, team.id), eq(teamMembers.userId, userId))),
      auditEntry(c, db, {
        action: "team.member.remove",
        resourceType: "team",
        resourceId: team.id,
        before: { user_id: userId, role: row.role },
      }),
    ]);
    return c.json({ removed: true as const }, 200);
  },
);
