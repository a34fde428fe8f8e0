/** Roles in an org, least to most privileged. */
export const ORG_ROLES = ["viewer", "member", "admin", "owner"] as const;
/** One of {@link ORG_ROLES}. */
export type OrgRole = (typeof ORG_ROLES)[number];
/** Roles inside a team. */
export type TeamRole = "admin" | "member";

/** Who is calling the control API, resolved once per request by `authenticate`. */
export interface Principal {
  kind: "access_key" | "session";
  orgId: string;
  userId: string | null;
  keyId: string | null;
  role: OrgRole;
  /** The key's scopes; null means every permission of the role. */
  scopes: readonly string[] | null;
  teamRoles: ReadonlyMap<string, TeamRole>;
}

/** True when role `a` is at least role `b`. */
export function atLeast(a: OrgRole, b: OrgRole): boolean {
  return ORG_ROLES.indexOf(a) >= ORG_ROLES.indexOf(b);
}
