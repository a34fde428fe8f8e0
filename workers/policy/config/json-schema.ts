import { z } from "zod";
import type { PolicyDefinition } from "../policy.ts";
import { POLICIES } from "../policies/registry.ts";
import { documentSchema, targetingSchema } from "./schema.ts";

/** A JSON Schema document, as zod renders it. */
export type JsonSchema = z.core.JSONSchema.BaseSchema;

type Registry = z.core.$ZodRegistry<z.core.GlobalMeta>;

/** Every name a policy answers to in a config: its id first, then its aliases. */
function namesOf(definition: PolicyDefinition<never>): [string, ...string[]] {
  return [definition.id, ...definition.aliases];
}

/**
 * A policy's settings as an object schema. Every registered policy uses a
 * strict object today; anything else is described as an open object rather
 * than guessed at.
 */
function settingsShape(definition: PolicyDefinition<never>): z.ZodObject {
  const settings: unknown = definition.settings;
  return settings instanceof z.ZodObject ? settings : z.looseObject({});
}

/** `policy.<name>`: the policy's own settings plus `enabled`, or null for "all defaults". */
function policyBlocks(registry: Registry): z.ZodType {
  const shape: Record<string, z.ZodType> = {};
  for (const definition of POLICIES.values()) {
    const block = settingsShape(definition).extend({
      enabled: z.boolean().optional(),
    });
    registry.add(block, {
      id: definition.id,
      title: definition.id,
      description: `${definition.description} Also accepted as: ${definition.aliases.join(", ")}.`,
    });
    const nullable = block.nullable();
    for (const name of namesOf(definition)) shape[name] = nullable.optional();
  }
  const policy = z.strictObject(shape);
  registry.add(policy, {
    description: "Settings of each policy, by the name the chain uses (its id or an alias).",
  });
  return policy.optional();
}

/** `policies: {chain: [...]}`: names, or `{name: {targeting: {...}}}`. */
function chainForm(registry: Registry, targeting: z.ZodType): z.ZodType {
  const names = [...POLICIES.values()].flatMap(namesOf);
  const byName = z.enum(names as [string, ...string[]]);
  const targeted = z.partialRecord(
    byName,
    z.strictObject({ targeting: targeting.optional() }).nullable(),
  );
  registry.add(targeted, {
    description: "A policy with targeting, for example {pii-detector: {targeting: {...}}}.",
    minProperties: 1,
    maxProperties: 1,
  });
  const form = z.strictObject({ chain: z.array(z.union([byName, targeted])).optional() });
  registry.add(form, {
    title: "chain form",
    description:
      "Policies run in chain order; their settings live under policy.<name>. Example: {chain: [prompt-injection, pii-detector]}.",
  });
  return form;
}

/** `policies: [{name, type, enabled, targeting, ...settings}]`, one variant per policy. */
function listForm(registry: Registry, targeting: z.ZodType): z.ZodType {
  const variants: z.ZodType[] = [];
  for (const definition of POLICIES.values()) {
    const names = z.enum(namesOf(definition));
    const common = settingsShape(definition).extend({
      enabled: z.boolean().optional(),
      targeting: targeting.optional(),
    });
    variants.push(common.extend({ name: z.string().min(1), type: names }));
    variants.push(common.extend({ name: names }));
  }
  const form = z.array(z.union(variants));
  registry.add(form, {
    title: "list form",
    description:
      "Each item names a policy type (or is named after one) and carries its settings inline.",
  });
  return form;
}

/**
 * The JSON Schema (draft 2020-12) of policy-config.yaml, for editors: the
 * document schema with each registered policy's settings filled in, so an editor
 * can complete keys and flag typos before `kt policy lint` runs.
 */
export function policyConfigJsonSchema(): JsonSchema {
  const registry: Registry = z.registry<z.core.GlobalMeta>();
  const targeting = targetingSchema.clone();
  registry.add(targeting, {
    id: "targeting",
    description: "Who a chain item applies to. Absent lists mean everyone.",
  });
  const policies = z.xor([chainForm(registry, targeting), listForm(registry, targeting)]);
  registry.add(policies, {
    description: "The policy chain: the chain form or the list form.",
  });
  const document = documentSchema.extend({
    policies: policies.optional(),
    policy: policyBlocks(registry),
  });
  registry.add(document, {
    title: "Keeptrusts policy-config.yaml",
    description: "Providers, the policy chain and each policy's settings of a Keeptrusts gateway.",
  });
  return z.toJSONSchema(document, {
    target: "draft-2020-12",
    io: "input",
    unrepresentable: "any",
    metadata: registry,
  });
}
