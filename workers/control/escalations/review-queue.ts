import { and, eq } from "drizzle-orm";
import type { EscalationDO } from "../../../durable-objects/escalations/escalation-do.ts";
import type {
  Actor,
  Scope,
  TransitionResult,
} from "../../../durable-objects/escalations/escalation-model.ts";
import type { Db } from "../../db/client.ts";
import { memberships, users } from "../../db/schema.ts";
import { seesWholeOrg } from "../auth/permissions.ts";
import type { Principal } from "../auth/principal.ts";
import type { ControlBindings } from "../env.ts";
import { notFound, Problem } from "../errors.ts";

/**
 * The org's review queue: its EscalationDO, which lives in the gateway worker and
 * is bound here through `script_name`. `wrangler types` cannot see a class of
 * another worker, so this is the one place that names its type.
 */
export function reviewQueue(env: ControlBindings, orgId: string): DurableObjectStub<EscalationDO> {
  const namespace = env.ESCALATIONS as DurableObjectNamespace<EscalationDO>;
  return namespace.get(namespace.idFromName(orgId));
}

/**
 * What the caller may see and act on: the whole org for owners, admins and
 * viewers (who only read), the teams they administer for members. The queue
 * enforces it on every call, so a team's escalation is absent for anyone else.
 */
export function scopeOf(principal: Principal): Scope {
  if (seesWholeOrg(principal)) return { teams: null };
  const administered = [...principal.teamRoles].filter(([, role]) => role === "admin");
  return { teams: administered.map(([teamId]) => teamId) };
}

/** The reviewer in the trail: the person behind a session or key, or the key when it has none. */
export function actorOf(principal: Principal): Actor {
  if (principal.userId) return { type: "user", id: principal.userId };
  return { type: "access_key", id: principal.keyId ?? "unknown" };
}

/** How to name a claim's owner in a conflict: their email when they are in this org. */
async function ownerName(db: Db, orgId: string, owner: string): Promise<string> {
  const [row] = await db
    .select({ email: users.email })
    .from(users)
    .innerJoin(memberships, and(eq(memberships.userId, users.id), eq(memberships.orgId, orgId)))
    .where(eq(users.id, owner))
    .limit(1);
  return row ? `${row.email} (${owner})` : owner;
}

/** A transition's refusal as the control API's problem: 404 for absent or out of scope, 409 for conflicts. */
export async function transitionProblem(
  failure: Exclude<TransitionResult, { ok: true }>,
  db: Db,
  orgId: string,
): Promise<Problem> {
  switch (failure.error) {
    case "not_found":
      return notFound("escalation");
    case "claimed_by_other": {
      const until = new Date(failure.expiresAt).toISOString();
      const owner = await ownerName(db, orgId, failure.owner);
      return new Problem(
        409,
        "escalation_claimed",
        "Claimed by another reviewer",
        `this escalation is claimed by ${owner} until ${until}`,
      );
    }
    case "already_resolved":
      return new Problem(
        409,
        "escalation_resolved",
        "Already resolved",
        `this escalation was resolved (${failure.outcome ?? "unknown"}) by ${failure.resolvedBy ?? "unknown"}; a resolution is final`,
      );
    case "not_claimed":
      return new Problem(
        409,
        "escalation_not_claimed",
        "Not claimed",
        "nobody holds a claim on this escalation",
      );
    case "invalid":
      return new Problem(400, "invalid_request", "Invalid request", failure.message);
  }
}
