import { createMiddleware } from "hono/factory";
import type { ControlApp } from "../env.ts";
import { forbidden } from "../errors.ts";
import type { OrgRole, Principal } from "./principal.ts";

/** Everything a route can require. Access-key scopes use the same names. */
export const PERMISSIONS = [
  "org:read",
  "members:read",
  "members:write",
  "teams:read",
  "teams:write",
  "tokens:read",
  "tokens:write",
  "audit:read",
  "issuers:read",
  "issuers:write",
  "configurations:read",
  "configurations:write",
  "events:read",
  "escalations:read",
  "escalations:write",
  "spend:read",
  "spend:write",
  "gateway:runtime",
] as const;
/** One of {@link PERMISSIONS}. */
export type Permission = (typeof PERMISSIONS)[number];

const READ: Permission[] = [
  "org:read",
  "members:read",
  "teams:read",
  "tokens:read",
  "audit:read",
  "issuers:read",
  "configurations:read",
  "events:read",
  "escalations:read",
  "spend:read",
];

/**
 * The permission matrix. Owners and admins run the org (only owners touch
 * owners); members use the gateway, manage their own keys and, as team admins,
 * their teams; viewers read. What a route may show is narrowed further by the
 * route itself (a member sees only their teams and keys).
 */
export const ROLE_PERMISSIONS: Readonly<Record<OrgRole, ReadonlySet<Permission>>> = {
  owner: new Set(PERMISSIONS),
  admin: new Set(PERMISSIONS),
  member: new Set<Permission>([
    "org:read",
    "teams:read",
    "teams:write",
    "tokens:read",
    "tokens:write",
    "configurations:read",
    "events:read",
    // Reviewing: the escalation routes narrow members to the teams they administer.
    "escalations:read",
    "escalations:write",
    "spend:read",
  ]),
  viewer: new Set(READ),
};

/** True when the principal's role, narrowed by its key's scopes, grants the permission. */
export function can(principal: Principal, permission: Permission): boolean {
  if (!ROLE_PERMISSIONS[principal.role].has(permission)) return false;
  return principal.scopes === null || principal.scopes.includes(permission);
}

/** True when the principal may manage this team: an org admin or owner, or that team's admin. */
export function canManageTeam(principal: Principal, teamId: string): boolean {
  if (!can(principal, "teams:write")) return false;
  return (
    principal.role === "owner" ||
    principal.role === "admin" ||
    principal.teamRoles.get(teamId) === "admin"
  );
}

/** True when the principal may see everything in the org, not only its own teams. */
export function seesWholeOrg(principal: Principal): boolean {
  return principal.role !== "member";
}

/** Route guard: 403 unless the caller has the permission. Each route declares what it needs. */
export function requirePermission(permission: Permission) {
  return createMiddleware<ControlApp>(async function requirePermissionMiddleware(c, next) {
    if (!can(c.get("principal"), permission))
      throw forbidden(`this needs the ${permission} permission`);
    await next();
  });
}
