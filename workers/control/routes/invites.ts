import { createRoute, z } from "@hono/zod-openapi";
import { and, eq, gt, isNull } from "drizzle-orm";
import { generateKey, hashKey, newId } from "../../db/api-key.ts";
import { createDb } from "../../db/client.ts";
import { invites, memberships, teamMembers, users } from "../../db/schema.ts";
import { auditEntry } from "../audit.ts";
import { hashPassword } from "../auth/password.ts";
import { requirePermission } from "../auth/permissions.ts";
import { ORG_ROLES } from "../auth/principal.ts";
import { forbidden, notFound, Problem } from "../errors.ts";
import { findTeam } from "./teams.ts";
import { controlRouter, Email, IdParam, jsonBody, responses } from "./route-kit.ts";

const INVITE_DAYS = 7;
const Invite = z
  .object({
    id: z.string(),
    email: z.string(),
    role: z.enum(ORG_ROLES),
    team_id: z.string().nullable(),
    created_at: z.number(),
    expires_at: z.number(),
    accepted_at: z.number().nullable(),
  })
  .openapi("Invite");
const CreatedInvite = Invite.extend({
  accept_url: z
    .string()
    .openapi({ description: "The link to send the person (no mail is sent). Shown once." }),
}).openapi("CreatedInvite");

const show = (row: typeof invites.$inferSelect) => ({
  id: row.id,
  email: row.email,
  role: row.role,
  team_id: row.teamId,
  created_at: row.createdAt,
  expires_at: row.expiresAt,
  accepted_at: row.acceptedAt,
});

/** `/v1/invites`: invitations that return an accept link; accepting needs no account. */
export const inviteRoutes = controlRouter();

inviteRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/invites",
    middleware: [requirePermission("members:write")],
    request: {
      body: jsonBody(
        z
          .object({
            email: Email,
            role: z.enum(ORG_ROLES).default("member"),
            team: z.string().min(1).max(200).optional(),
          })
          .strict(),
      ),
    },
    responses: responses(201, CreatedInvite, "The invite and its accept link"),
  }),
  async (c) => {
    const principal = c.get("principal");
    const body = c.req.valid("json");
    if (body.role === "owner" && principal.role !== "owner")
      throw forbidden("only owners invite owners");
    const db = createDb(c.env.DB);
    const team = body.team ? await findTeam(db, principal, body.team) : undefined;
    const [already] = await db
      .select({ id: users.id })
      .from(users)
      .innerJoin(
        memberships,
        and(eq(memberships.userId, users.id), eq(memberships.orgId, principal.orgId)),
      )
      .where(eq(users.email, body.email))
      .limit(1);
    if (already)
      throw new Problem(
        409,
        "conflict",
        "Already a member",
        `${body.email} is already in this org`,
      );
    const token = generateKey("access").slice(6);
    const now = Date.now();
    const row = {
      id: newId("inv"),
      orgId: principal.orgId,
      email: body.email,
      role: body.role,
      teamId: team?.id ?? null,
      tokenHash: await hashKey(token),
      createdBy: principal.userId ?? principal.keyId ?? "unknown",
      createdAt: now,
      expiresAt: now + INVITE_DAYS * 86_400_000,
      acceptedAt: null,
    };
    await db.batch([
      db.insert(invites).values(row),
      auditEntry(c, db, {
        action: "invite.create",
        resourceType: "invite",
        resourceId: row.id,
        after: { email: row.email, role: row.role, team_id: row.teamId },
      }),
    ]);
    return c.json(
      {
        ...show(row),
        accept_url: `${c.env.KEEPTRUSTS_PUBLIC_URL}/v1/invites/accept?token=${token}`,
      },
      201,
    );
  },
);

inviteRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/invites",
    middleware: [requirePermission("members:read")],
    responses: responses(200, z.object({ data: z.array(Invite) }), "Invites of the org"),
  }),
  async (c) => {
    const rows = await createDb(c.env.DB)
      .select()
      .from(invites)
      .where(eq(invites.orgId, c.get("principal").orgId))
      .orderBy(invites.createdAt);
    return c.json({ data: rows.map(show) }, 200);
  },
);

inviteRoutes.openapi(
  createRoute({
    method: "delete",
    path: "/v1/invites/{id}",
    middleware: [requirePermission("members:write")],
    request: { params: IdParam },
    responses: responses(200, z.object({ revoked: z.literal(true) }), "Revoked"),
  }),
  async (c) => {
    const principal = c.get("principal");
    const db = createDb(c.env.DB);
    const [row] = await db
      .select()
      .from(invites)
      .where(and(eq(invites.id, c.req.valid("param").id), eq(invites.orgId, principal.orgId)))
      .limit(1);
    if (!row || row.acceptedAt) throw notFound("invite");
    await db.batch([
      db
        .update(invites)
        .set({ expiresAt: Date.now() })
        .where(and(eq(invites.id, row.id), eq(invites.orgId, principal.orgId))),
      auditEntry(c, db, {
        action: "invite.revoke",
        resourceType: "invite",
        resourceId: row.id,
        before: { email: row.email },
      }),
    ]);
    return c.json({ revoked: true as const }, 200);
  },
);

/** `POST /v1/invites/accept`: public; the token is the proof. */
export const inviteAcceptRoutes = controlRouter();

inviteAcceptRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/invites/accept",
    request: {
      body: jsonBody(
        z
          .object({
            token: z.string().min(20).max(100),
            name: z.string().max(100).optional(),
            password: z.string().min(12).max(200).optional(),
          })
          .strict(),
      ),
    },
    responses: responses(
      200,
      z.object({ org_id: z.string(), user_id: z.string(), role: z.enum(ORG_ROLES) }),
      "Joined",
    ),
  }),
  async (c) => {
    const body = c.req.valid("json");
    const db = createDb(c.env.DB);
    const now = Date.now();
    const [invite] = await db
      .select()
      .from(invites)
      .where(
        and(
          eq(invites.tokenHash, await hashKey(body.token)),
          isNull(invites.acceptedAt),
          gt(invites.expiresAt, now),
        ),
      )
      .limit(1);
    if (!invite)
      throw new Problem(
        404,
        "invite_invalid",
        "Invite not valid",
        "the invite is unknown, used or expired",
      );
    const [existing] = await db.select().from(users).where(eq(users.email, invite.email)).limit(1);
    const user = existing ?? {
      id: newId("usr"),
      email: invite.email,
      name: body.name ?? null,
      passwordHash: body.password ? await hashPassword(body.password) : null,
      createdAt: now,
    };
    const actor = { orgId: invite.orgId, type: "user" as const, id: user.id };
    // One batch, one transaction: a concurrent second acceptance fails on the unique
    // email or the membership key and changes nothing.
    const accept = db.batch([
      db
        .update(invites)
        .set({ acceptedAt: now })
        .where(and(eq(invites.id, invite.id), isNull(invites.acceptedAt))),
      ...(existing ? [] : [db.insert(users).values(user)]),
      db
        .insert(memberships)
        .values({ orgId: invite.orgId, userId: user.id, role: invite.role, createdAt: now })
        .onConflictDoNothing(),
      ...(invite.teamId
        ? [
            db
              .insert(teamMembers)
              .values({
                teamId: invite.teamId,
                userId: user.id,
                orgId: invite.orgId,
                role: "member",
                createdAt: now,
              })
              .onConflictDoNothing(),
          ]
        : []),
      auditEntry(
        c,
        db,
        {
          action: "invite.accept",
          resourceType: "invite",
          resourceId: invite.id,
          after: { user_id: user.id, role: invite.role },
        },
        actor,
      ),
    ]);
    await accept.catch((error: Error) => {
      if (/UNIQUE|FOREIGN KEY|constraint/i.test(error.message))
        throw new Problem(
          409,
          "conflict",
          "Invite already used",
          "this invite was accepted at the same time by another request",
        );
      throw error;
    });
    return c.json({ org_id: invite.orgId, user_id: user.id, role: invite.role }, 200);
  },
);
