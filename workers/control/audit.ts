import type { Context } from "hono";
import { newId } from "../db/api-key.ts";
import type { Db } from "../db/client.ts";
import { auditLog } from "../db/schema.ts";
import type { ControlApp } from "./env.ts";

/** What changed, for the audit trail: ids and non-secret fields only. */
export interface AuditChange {
  action: string;
  resourceType: string;
  resourceId: string;
  before?: Record<string, unknown> | null;
  after?: Record<string, unknown> | null;
}

/**
 * The audit row of a change, as a query to run in the same `db.batch` as the
 * change itself, so a change and its record land together or not at all.
 */
export function auditEntry(
  c: Context<ControlApp>,
  db: Db,
  change: AuditChange,
  actor?: { orgId: string; type: "user" | "system"; id: string },
) {
  const principal = actor ? undefined : c.get("principal");
  return db.insert(auditLog).values({
    id: newId("aud"),
    orgId: actor?.orgId ?? principal?.orgId ?? "unknown",
    actorType: actor?.type ?? (principal?.kind === "access_key" ? "access_key" : "user"),
    actorId: actor?.id ?? principal?.keyId ?? principal?.userId ?? "unknown",
    action: change.action,
    resourceType: change.resourceType,
    resourceId: change.resourceId,
    before: change.before ?? null,
    after: change.after ?? null,
    requestId: c.get("requestId"),
    createdAt: Date.now(),
  });
}
