import { createRoute, z } from "@hono/zod-openapi";
import { eq } from "drizzle-orm";
import { createDb } from "../../db/client.ts";
import { orgs, users } from "../../db/schema.ts";
import { can, PERMISSIONS } from "../auth/permissions.ts";
import { ORG_ROLES } from "../auth/principal.ts";
import { controlRouter, responses } from "./route-kit.ts";

const Me = z
  .object({
    org: z.object({ id: z.string(), name: z.string() }),
    user: z.object({ id: z.string(), email: z.string() }).nullable(),
    role: z.enum(ORG_ROLES),
    via: z.enum(["access_key", "session"]),
    key_id: z.string().nullable(),
    permissions: z.array(z.string()),
    teams: z.array(z.object({ team_id: z.string(), role: z.enum(["admin", "member"]) })),
  })
  .openapi("Me");

/** `GET /v1/me`: who the caller is and what they may do (the console and `kt` read it). */
export const meRoutes = controlRouter();

meRoutes.openapi(
  createRoute({ method: "get", path: "/v1/me", responses: responses(200, Me, "The caller") }),
  async (c) => {
    const principal = c.get("principal");
    const db = createDb(c.env.DB);
    const [org] = await db
      .select({ id: orgs.id, name: orgs.name })
      .from(orgs)
      .where(eq(orgs.id, principal.orgId))
      .limit(1);
    const [user] = principal.userId
      ? await db
          .select({ id: users.id, email: users.email })
          .from(users)
          .where(eq(users.id, principal.userId))
          .limit(1)
      : [];
    return c.json(
      {
        org: org ?? { id: principal.orgId, name: "" },
        user: user ?? null,
        role: principal.role,
        via: principal.kind,
        key_id: principal.keyId,
        permissions: PERMISSIONS.filter((permission) => can(principal, permission)),
        teams: [...principal.teamRoles].map(([team_id, role]) => ({ team_id, role })),
      },
      200,
    );
  },
);
