import { env } from "cloudflare:workers";
import type { EscalationDO } from "../../../durable-objects/escalations/escalation-do.ts";
import type { CreateEscalationInput } from "../../../durable-objects/escalations/escalation-model.ts";
import { newId } from "../../db/api-key.ts";

/** An org's review queue, as the control worker reaches it. */
export function queueOf(orgId: string): DurableObjectStub<EscalationDO> {
  const namespace = env.ESCALATIONS as DurableObjectNamespace<EscalationDO>;
  return namespace.get(namespace.idFromName(orgId));
}

/**
 * Puts an escalation in an org's queue the way the gateway does (the gateway's
 * side is tested in the workers project; here only the review side matters).
 */
export async function seedEscalation(
  orgId: string,
  fields: Partial<Omit<CreateEscalationInput, "id" | "orgId">> = {},
): Promise<string> {
  const id = newId("esc");
  const result = await queueOf(orgId).create({
    id,
    orgId,
    teamId: null,
    userId: null,
    keyId: null,
    requestId: newId("req"),
    requestHash: "d".repeat(64),
    endpoint: "chat.completions",
    model: "gpt-test",
    policy: "human-oversight",
    reasonCode: "phi",
    reason: "requires human review (found phi)",
    config: { name: "sample", version: "1.0.0", hash: "e".repeat(64) },
    messages: [{ role: "user", content: "Patient [NAME_1] needs a summary" }],
    ...fields,
  });
  if (!result.ok) throw new Error(`could not seed an escalation: ${result.message}`);
  return id;
}

/** The escalations every test org holds: one per team, one without a team, one resolved. */
export interface EscalationSeeds {
  /** Queued, of team X, made with the member's gateway key. */
  teamX: string;
  /** Queued, of team Y, made with team Y's gateway key. */
  teamY: string;
  /** Queued, of no team: only org-wide roles see it. */
  teamless: string;
  /** Of team X, resolved (allow) by the owner. */
  resolved: string;
}

/** Seeds an org's escalations for the isolation and bad-input tables. */
export async function seedEscalations(
  orgId: string,
  teams: { teamX: string; teamY: string; teamXKey: string; teamYKey: string; ownerId: string },
): Promise<EscalationSeeds> {
  const teamX = await seedEscalation(orgId, { teamId: teams.teamX, keyId: teams.teamXKey });
  const teamY = await seedEscalation(orgId, { teamId: teams.teamY, keyId: teams.teamYKey });
  const teamless = await seedEscalation(orgId, { reasonCode: "review_required" });
  const resolved = await seedEscalation(orgId, { teamId: teams.teamX, keyId: teams.teamXKey });
  const decided = await queueOf(orgId).resolve(
    resolved,
    { type: "user", id: teams.ownerId },
    { teams: null },
    "allow",
    "seeded",
  );
  if (!decided.ok) throw new Error(`could not resolve the seeded escalation: ${decided.error}`);
  return { teamX, teamY, teamless, resolved };
}
