import type { Document, LineCounter } from "yaml";
import type { z } from "zod";
import { POLICIES, resolvePolicyId } from "../policies/registry.ts";
import { didYouMean } from "./did-you-mean.ts";
import { formatPath, knownKeys, locate, parseYaml, type ConfigPath } from "./locate.ts";
import {
  documentSchema,
  targetingSchema,
  type ChainItemConfig,
  type GatewayConfig,
} from "./schema.ts";

/** One located problem in a config file. */
export interface ConfigError {
  path: string;
  line: number;
  column: number;
  message: string;
}

/** The parser's answer: a config, or every error found (not just the first). */
export type ParseResult =
  { ok: true; config: GatewayConfig } | { ok: false; errors: ConfigError[] };

const LIST_FORM_RESERVED = new Set(["name", "type", "enabled", "targeting"]);

class Collector {
  readonly errors: ConfigError[] = [];
  private readonly document: Document;
  private readonly lines: LineCounter;
  constructor(document: Document, lines: LineCounter) {
    this.document = document;
    this.lines = lines;
  }

  add(path: ConfigPath, message: string, key?: string): void {
    const where = locate(this.document, this.lines, path, key);
    const fullPath = key === undefined ? path : [...path, key];
    this.errors.push({ path: formatPath(fullPath), ...where, message });
  }

  /** Adds zod issues, rooted at `base`, phrased for a person. */
  addIssues(base: ConfigPath, issues: readonly z.core.$ZodIssue[], schema: z.ZodType): void {
    for (const issue of issues) {
      const path = [...base, ...issue.path];
      const label = formatPath(path) || "document";
      switch (issue.code) {
        case "unrecognized_keys":
          for (const key of issue.keys) {
            const hint = didYouMean(key, knownKeys(schema, issue.path));
            this.add(path, `unknown key "${key}"${hint}`, key);
          }
          break;
        case "invalid_type":
          if (issue.input === undefined) {
            const parent = path.slice(0, -1);
            this.add(parent, `missing required key "${String(path[path.length - 1])}"`);
          } else {
            this.add(path, `${label}: expected ${issue.expected}`);
          }
          break;
        case "invalid_value":
          this.add(
            path,
            `${label}: must be one of ${issue.values.map((value) => JSON.stringify(value)).join(", ")}`,
          );
          break;
        default:
          this.add(path, `${label}: ${issue.message}`);
      }
    }
  }
}

function normaliseChain(
  policies: unknown,
  policyBlocks: Record<string, Record<string, unknown> | null>,
  errors: Collector,
): ChainItemConfig[] {
  const items: ChainItemConfig[] = [];
  const settingsFor = (
    name: string,
    id: string,
    raw: Record<string, unknown>,
    path: ConfigPath,
  ): Omit<ChainItemConfig, "targeting"> | undefined => {
    const definition = POLICIES.get(id);
    if (!definition) return undefined;
    const { enabled = true, ...rest } = raw;
    if (typeof enabled !== "boolean")
      errors.add(path, `${formatPath(path)}.enabled: expected boolean`);
    const parsed = definition.settings.safeParse(rest, { reportInput: true });
    if (!parsed.success) {
      errors.addIssues(path, parsed.error.issues, definition.settings);
      return undefined;
    }
    return { name, policy: id, enabled: enabled !== false, settings: parsed.data };
  };

  const unusedBlocks = (why: string) => {
    for (const name of Object.keys(policyBlocks))
      errors.add(["policy"], `policy "${name}" has settings but ${why}`, name);
  };
  if (policies === undefined) {
    unusedBlocks("there is no policies.chain");
    return items;
  }

  if (Array.isArray(policies)) {
    unusedBlocks("the list form keeps settings in each policies[] item");
    policies.forEach((entry: unknown, index) => {
      const path = ["policies", index];
      if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
        errors.add(path, `policies[${index}]: expected a mapping with "name" and "type"`);
        return;
      }
      const record = entry as Record<string, unknown>;
      const name = typeof record.name === "string" ? record.name : undefined;
      const type = typeof record.type === "string" ? record.type : name;
      if (!name) errors.add(path, `missing required key "name"`);
      if (!type) return;
      const id = resolvePolicyId(type);
      if (!id) {
        const candidates = [...POLICIES.values()].flatMap((p) => [p.id, ...p.aliases]);
        errors.add(path, `unknown policy type "${type}"${didYouMean(type, candidates)}`, "type");
        return;
      }
      const settings: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(record)) {
        if (!LIST_FORM_RESERVED.has(key)) settings[key] = value;
      }
      if (record.enabled !== undefined) settings.enabled = record.enabled;
      const item = settingsFor(name ?? id, id, settings, path);
      const targeting = parseTargeting(record.targeting, [...path, "targeting"], errors);
      if (item) items.push({ ...item, ...(targeting ? { targeting } : {}) });
    });
    return items;
  }

  if (typeof policies !== "object" || policies === null) {
    errors.add(["policies"], `policies: expected {chain: [...]} or a list of policies`);
    return items;
  }
  const { chain, ...others } = policies as Record<string, unknown>;
  for (const key of Object.keys(others)) {
    errors.add(["policies"], `unknown key "${key}"${didYouMean(key, ["chain"])}`, key);
  }
  if (chain === undefined) return items;
  if (!Array.isArray(chain)) {
    errors.add(["policies", "chain"], "policies.chain: expected a list of policy names");
    return items;
  }
  const ids = [...POLICIES.keys()];
  const usedBlocks = new Set<string>();
  chain.forEach((entry: unknown, index) => {
    const path = ["policies", "chain", index];
    let name: string;
    let targetingRaw: unknown;
    if (typeof entry === "string") {
      name = entry;
    } else if (
      typeof entry === "object" &&
      entry !== null &&
      !Array.isArray(entry) &&
      Object.keys(entry).length === 1
    ) {
      const [key, value] = Object.entries(entry)[0] as [string, unknown];
      name = key;
      if (value !== null && (typeof value !== "object" || Array.isArray(value))) {
        errors.add(
          path,
          `policies.chain[${index}].${key}: expected a mapping like {targeting: {...}}`,
        );
        return;
      }
      const { targeting, ...rest } = (value ?? {}) as Record<string, unknown>;
      for (const extra of Object.keys(rest)) {
        errors.add(
          [...path, key],
          `unknown key "${extra}"${didYouMean(extra, ["targeting"])}`,
          extra,
        );
      }
      targetingRaw = targeting;
    } else {
      errors.add(
        path,
        `policies.chain[${index}]: expected a policy name or {name: {targeting: ...}}`,
      );
      return;
    }
    const id = resolvePolicyId(name);
    if (!id) {
      errors.add(path, `unknown policy "${name}"${didYouMean(name, ids)}`);
      return;
    }
    const blockName = [name, id, ...(POLICIES.get(id)?.aliases ?? [])].find(
      (candidate) => policyBlocks[candidate] !== undefined,
    );
    if (blockName) usedBlocks.add(blockName);
    const item = settingsFor(name, id, (blockName ? policyBlocks[blockName] : undefined) ?? {}, [
      "policy",
      blockName ?? id,
    ]);
    const targeting = parseTargeting(targetingRaw, [...path, name, "targeting"], errors);
    if (item) items.push({ ...item, ...(targeting ? { targeting } : {}) });
  });
  for (const name of Object.keys(policyBlocks)) {
    if (!resolvePolicyId(name)) {
      errors.add(["policy"], `unknown policy "${name}"${didYouMean(name, ids)}`, name);
    } else if (!usedBlocks.has(name)) {
      errors.add(
        ["policy"],
        `policy "${name}" has settings but is not in policies.chain (add it to the chain, or remove these settings)`,
        name,
      );
    }
  }
  return items;
}

function isRecord(value: unknown): boolean {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function parseTargeting(raw: unknown, path: ConfigPath, errors: Collector) {
  if (raw === undefined) return undefined;
  const parsed = targetingSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) {
    errors.addIssues(path, parsed.error.issues, targetingSchema);
    return undefined;
  }
  if (parsed.data.scope === "team" && !parsed.data.teams?.length) {
    errors.add(path, `${formatPath(path)}: scope "team" needs a non-empty "teams" list`);
  }
  return parsed.data;
}

/**
 * Parses and validates a policy-config.yaml. Every error carries its line and
 * column; all errors are reported at once so a person can fix them in one pass.
 */
export function parseConfig(text: string): ParseResult {
  const yaml = parseYaml(text);
  if (!yaml.ok) return { ok: false, errors: yaml.errors };
  const { document, lines } = yaml;
  const errors = new Collector(document, lines);
  const raw: unknown = document.toJS();
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    errors.add([], "the config must be a mapping with at least a providers section");
    return { ok: false, errors: errors.errors };
  }
  const parsed = documentSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) {
    errors.addIssues([], parsed.error.issues, documentSchema);
    // Keep going through the chain so every error is reported in one pass.
    const record = raw as Record<string, unknown>;
    const blocks = isRecord(record.policy)
      ? (record.policy as Record<string, Record<string, unknown>>)
      : {};
    normaliseChain(record.policies, blocks, errors);
    return { ok: false, errors: errors.errors };
  }
  const { pack, providers, policies, policy } = parsed.data;

  const seen = new Set<string>();
  providers.targets.forEach((target, index) => {
    if (seen.has(target.id)) {
      errors.add(["providers", "targets", index, "id"], `duplicate target id "${target.id}"`);
    }
    seen.add(target.id);
    if (target.provider === "azure-openai" && !target.base_url) {
      errors.add(
        ["providers", "targets", index],
        `target "${target.id}": azure-openai needs base_url (https://RESOURCE.openai.azure.com)`,
      );
    }
  });
  providers.consumer_groups.forEach((group, groupIndex) => {
    group.models.forEach((model, modelIndex) => {
      const found = providers.targets.some(
        (target) => target.provider === model.provider && target.model === model.model,
      );
      if (!found) {
        errors.add(
          ["providers", "consumer_groups", groupIndex, "models", modelIndex],
          `consumer group "${group.name}" names ${model.provider}/${model.model}, which no target serves`,
        );
      }
    });
  });

  const chain = normaliseChain(policies, policy ?? {}, errors);
  if (errors.errors.length > 0) return { ok: false, errors: errors.errors };
  return {
    ok: true,
    config: {
      pack: pack ?? { name: "default", version: "0.0.0", enabled: true },
      targets: providers.targets,
      consumerGroups: providers.consumer_groups,
      chain,
    },
  };
}
