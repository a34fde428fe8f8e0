import type { PolicyDefinition } from "../policy.ts";
import { auditLogger } from "./audit-logger.ts";
import { costCheck } from "./cost-check.ts";
import { hipaaPhiDetector } from "./hipaa-phi-detector.ts";
import { humanOversight } from "./human-oversight.ts";
import { piiDetector } from "./pii-detector.ts";
import { promptInjection } from "./prompt-injection.ts";
import { rbac } from "./rbac.ts";
import { safetyFilter } from "./safety-filter.ts";

/** Every policy the engine knows, by id. Adding a policy means adding one line here. */
export const POLICIES: ReadonlyMap<string, PolicyDefinition<never>> = new Map(
  [
    promptInjection,
    piiDetector,
    hipaaPhiDetector,
    safetyFilter,
    rbac,
    humanOversight,
    costCheck,
    auditLogger,
  ].map((definition) => [definition.id, definition as unknown as PolicyDefinition<never>] as const),
);

/** Resolves a chain name or list-form `type` (`pii`, `prompt_injection`) to a policy id. */
export function resolvePolicyId(name: string): string | undefined {
  if (POLICIES.has(name)) return name;
  for (const definition of POLICIES.values()) {
    if (definition.aliases.includes(name)) return definition.id;
  }
  return undefined;
}
