import { z } from "zod";
import { definePolicy, type InputVerdict } from "../policy.ts";

/** Roles from least to most privileged. */
export const ROLES = ["viewer", "member", "admin", "owner"] as const;

const settings = z.strictObject({
  require_auth: z.boolean().default(true),
  deny_if_missing: z.array(z.enum(["role", "team", "user"])).default([]),
  minimum_role: z.enum(ROLES).optional(),
  allowed_roles: z.array(z.string().min(1)).min(1).optional(),
  allowed_teams: z.array(z.string().min(1)).min(1).optional(),
});

/**
 * Who may use the gateway. The identity comes from the caller's gateway key or a
 * verified token, never from a header the caller can set, so nothing here can be
 * forged by the request itself.
 */
export const rbac = definePolicy({
  id: "rbac",
  aliases: ["access_control", "role_based_access"],
  description: "Requires an authenticated identity, a minimum role, or membership of given teams.",
  phases: ["input"],
  failure: "deny",
  settings,
  create(options) {
    const deny = (reason: string): InputVerdict => ({
      action: "block",
      reason,
      findings: [{ type: "access_denied", category: "rbac" }],
    });
    return {
      input(_segments, context): InputVerdict {
        const { identity } = context;
        const authenticated = Boolean(identity.keyId || identity.userId);
        if (options.require_auth && !authenticated)
          return deny("an authenticated identity is required");
        const present = {
          role: identity.role,
          team: identity.teamId ?? identity.teams?.[0],
          user: identity.userId,
        };
        for (const field of options.deny_if_missing) {
          if (!present[field]) return deny(`the caller has no ${field}`);
        }
        if (options.minimum_role) {
          const rank = ROLES.indexOf(identity.role as (typeof ROLES)[number]);
          if (rank < ROLES.indexOf(options.minimum_role))
            return deny(`role ${identity.role ?? "none"} is below ${options.minimum_role}`);
        }
        if (
          options.allowed_roles &&
          !(identity.role && options.allowed_roles.includes(identity.role))
        ) {
          return deny(`role ${identity.role ?? "none"} is not allowed`);
        }
        if (options.allowed_teams) {
          const teams = [...(identity.teams ?? []), ...(identity.teamId ? [identity.teamId] : [])];
          if (!teams.some((team) => options.allowed_teams?.includes(team)))
            return deny("the caller's team is not allowed");
        }
        return { action: "allow", findings: [] };
      },
    };
  },
});
