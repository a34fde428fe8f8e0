import { z } from "zod";

/** Providers the gateway has an adapter for. */
export const PROVIDER_NAMES = ["openai", "anthropic", "azure-openai", "gemini", "mock"] as const;
/** One of {@link PROVIDER_NAMES}. */
export type ProviderName = (typeof PROVIDER_NAMES)[number];

const envName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be an environment variable name like OPENAI_API_KEY");

/** One upstream the gateway can call: `providers.targets[]`. */
export const targetSchema = z.strictObject({
  id: z.string().min(1),
  provider: z.enum(PROVIDER_NAMES),
  model: z.string().min(1),
  base_url: z.url({ protocol: /^https?$/ }).optional(),
  secret_key_ref: z.strictObject({ env: envName }).optional(),
  timeout_ms: z.number().int().min(100).max(600_000).default(60_000),
  api_version: z.string().min(1).optional(),
  deployment: z.string().min(1).optional(),
  pricing: z
    .strictObject({
      input_per_million: z.number().min(0),
      output_per_million: z.number().min(0),
      /** Cached prompt tokens (USD per million); the input price when absent. */
      cached_input_per_million: z.number().min(0).optional(),
    })
    .optional(),
});
/** A validated target, defaults applied. */
export type TargetConfig = z.infer<typeof targetSchema>;

/** `providers.consumer_groups[]`: a named set of models with a routing strategy. */
export const consumerGroupSchema = z.strictObject({
  name: z.string().min(1),
  models: z
    .array(z.strictObject({ provider: z.enum(PROVIDER_NAMES), model: z.string().min(1) }))
    .min(1),
  routing: z.enum(["fallback", "lowest_latency", "cost_optimized"]).default("fallback"),
});
/** A validated consumer group. */
export type ConsumerGroupConfig = z.infer<typeof consumerGroupSchema>;

/** Who a chain item applies to. Absent lists mean "everyone". */
export const targetingSchema = z.strictObject({
  scope: z.enum(["all", "team"]).default("all"),
  teams: z.array(z.string().min(1)).optional(),
  roles: z.array(z.string().min(1)).optional(),
  users: z.array(z.string().min(1)).optional(),
  models: z.array(z.string().min(1)).optional(),
  consumer_groups: z.array(z.string().min(1)).optional(),
});
/** A validated targeting block. */
export type Targeting = z.infer<typeof targetingSchema>;

/**
 * The document, with policy settings left open: each policy validates its own
 * block, so errors can name the policy and its keys.
 */
export const documentSchema = z.strictObject({
  pack: z
    .strictObject({
      name: z.string().min(1),
      version: z.string().min(1).default("0.0.0"),
      enabled: z.boolean().default(true),
      description: z.string().optional(),
    })
    .optional(),
  providers: z.strictObject({
    targets: z.array(targetSchema).min(1),
    consumer_groups: z.array(consumerGroupSchema).default([]),
  }),
  /** `{chain: [...]}` or the list form; checked item by item by the parser. */
  policies: z.unknown().optional(),
  policy: z.record(z.string(), z.record(z.string(), z.unknown()).nullable()).optional(),
});

/** One entry of the normalised chain. */
export interface ChainItemConfig {
  /** The name the config gave it (the policy id in the chain form, `name` in the list form). */
  name: string;
  /** The registered policy id it runs. */
  policy: string;
  enabled: boolean;
  targeting?: Targeting;
  /** Settings already validated by the policy's own schema. */
  settings: unknown;
}

/** A policy-config.yaml, validated and normalised: both YAML forms end up here. */
export interface GatewayConfig {
  pack: { name: string; version: string; enabled: boolean };
  targets: TargetConfig[];
  consumerGroups: ConsumerGroupConfig[];
  chain: ChainItemConfig[];
}
