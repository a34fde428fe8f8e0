import { z } from "zod";

const finding = z.object({
  type: z.string(),
  category: z.string(),
  messageIndex: z.number().int().optional(),
  field: z.string().optional(),
  start: z.number().int().optional(),
  end: z.number().int().optional(),
  score: z.number().optional(),
  count: z.number().int().optional(),
  encoding: z.string().optional(),
  policy: z.string().optional(),
});

/**
 * The decision event of one request, as it travels on the queue and lands in D1.
 * Validated again by the consumer: the queue is a boundary too.
 */
export const decisionEventSchema = z.object({
  request_id: z.string().min(1),
  created_at: z.number().int(),
  identity: z.object({
    org_id: z.string().nullable(),
    team_id: z.string().nullable(),
    user_id: z.string().nullable(),
    key_id: z.string().nullable(),
  }),
  gateway_id: z.string().nullable(),
  config: z.object({ name: z.string(), version: z.string(), hash: z.string() }),
  endpoint: z.enum(["chat.completions", "embeddings"]),
  model: z.string(),
  target_id: z.string().nullable(),
  provider: z.string().nullable(),
  stream: z.boolean(),
  verdict: z.enum(["allow", "redact", "block", "escalate", "error"]),
  status: z.number().int(),
  error_code: z.string().nullable(),
  blocked_by: z.string().nullable(),
  policies: z.array(
    z.object({
      policy: z.string(),
      phase: z.enum(["input", "output"]),
      action: z.string(),
      reason: z.string().optional(),
      findings: z.array(finding),
    }),
  ),
  attempts: z.array(
    z.object({
      target: z.string(),
      outcome: z.string(),
      status: z.number().int().optional(),
      ms: z.number(),
    }),
  ),
  policy_ms: z.number(),
  upstream_ms: z.number().nullable(),
  usage: z
    .object({ prompt_tokens: z.number(), completion_tokens: z.number(), total_tokens: z.number() })
    .nullable(),
  /** The redacted conversation and answer, present only when the audit logger keeps content. */
  content: z.object({ messages: z.unknown(), answer: z.string().nullable() }).nullable(),
  retention_days: z.number().int().nullable(),
  /** Shadow mode: the candidate version and what it would have decided. Absent in events from older gateways. */
  shadow: z.object({ version: z.string(), verdict: z.string() }).nullable().default(null),
});

/** A decision event. */
export type DecisionEvent = z.infer<typeof decisionEventSchema>;
