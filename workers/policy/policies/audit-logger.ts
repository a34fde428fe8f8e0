import { z } from "zod";
import { definePolicy } from "../policy.ts";

const settings = z.strictObject({
  /** Accepted for the list form, where every item names an action; the logger only ever logs. */
  action: z.literal("log").optional(),
  retention_days: z.number().int().min(1).max(3650).default(90),
  content: z.enum(["redacted", "metadata"]).default("redacted"),
});

/** Settings of the audit logger, read by the gateway when it writes the decision event. */
export type AuditSettings = z.infer<typeof settings>;

/**
 * Records every decision. It never changes a request: what it controls is what the
 * decision event keeps (the redacted conversation, or metadata only) and for how long.
 */
export const auditLogger = definePolicy({
  id: "audit-logger",
  aliases: ["audit", "audit_logger", "audit_log"],
  description: "Keeps a decision event per request: redacted content or metadata only.",
  phases: ["input"],
  failure: "allow",
  settings,
  create() {
    return { input: () => ({ action: "allow", findings: [] }) };
  },
});
