import { z } from "zod";
import { definePolicy } from "../policy.ts";

const settings = z
  .strictObject({
    max_cost_per_request: z.number().positive().optional(),
    max_cost_per_session: z.number().positive().optional(),
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/, "use an ISO 4217 code like USD")
      .default("USD"),
  })
  .refine(
    (value) => value.max_cost_per_request !== undefined || value.max_cost_per_session !== undefined,
    "set max_cost_per_request or max_cost_per_session",
  );

/**
 * Spending limits per request and per session. The engine validates them and
 * records them with every decision; the gateway enforces them through the
 * wallet ledger: the hold placed before the upstream call is refused (402
 * `cost_limit_exceeded`) when the request's estimated maximum cost, or the
 * session's spend with it, would pass a limit. A session is the
 * `x-keeptrusts-session-id` header of one key, or the key's UTC day without it.
 */
export const costCheck = definePolicy({
  id: "cost-check",
  aliases: ["cost_limit", "cost_check", "budget"],
  description: "Per-request and per-session spending limits, enforced by the wallet ledger.",
  phases: ["input"],
  failure: "deny",
  settings,
  create(options) {
    const limits = [
      options.max_cost_per_request !== undefined
        ? `request ≤ ${options.max_cost_per_request} ${options.currency}`
        : undefined,
      options.max_cost_per_session !== undefined
        ? `session ≤ ${options.max_cost_per_session} ${options.currency}`
        : undefined,
    ].filter(Boolean);
    return {
      input: () => ({
        action: "allow",
        reason: `limits enforced by the wallet ledger: ${limits.join(", ")}`,
        findings: [],
      }),
    };
  },
});
