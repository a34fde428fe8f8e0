import {
  runInput,
  type ChatMessage,
  type Identity,
  type PolicyContext,
  type PolicyDecision,
} from "../../policy/index.ts";
import type { LoadedConfig } from "../config/loaded-config.ts";
import type { Attempt } from "../routing/call-upstream.ts";
import type { DecisionEvent } from "./decision-event.ts";

/** What a route knows about a request when it records its decision. */
export interface EventFacts {
  requestId: string;
  loaded: LoadedConfig;
  gatewayId?: string;
  identity: Identity;
  endpoint: DecisionEvent["endpoint"];
  model: string;
  stream: boolean;
  inputDecisions: PolicyDecision[];
  outputDecision?: {
    policy: string;
    action: string;
    reason?: string;
    findings: DecisionEvent["policies"][number]["findings"];
  };
  verdict: DecisionEvent["verdict"];
  status: number;
  errorCode?: string;
  blockedBy?: string;
  policyMs: number;
  upstreamMs?: number;
  attempts?: Attempt[];
  targetId?: string;
  provider?: string;
  usage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
  /** The conversation after the input chain, and the answer after the output chain. */
  redactedMessages?: unknown;
  redactedAnswer?: string | null;
  /** `tokenize` placeholders: the answer the caller got has the values back, the event must not. */
  tokens?: ReadonlyMap<string, string>;
  /** Shadow mode: the candidate version's verdict on the same input, never enforced. */
  shadow?: { version: string; verdict: string };
}

/**
 * Runs the shadow candidate's input chain on the same request, for the event only:
 * its verdict is recorded beside the enforced one so differences can be reviewed
 * before anyone promotes it.
 */
export function shadowOf(
  shadow: LoadedConfig | undefined,
  messages: readonly ChatMessage[],
  context: PolicyContext,
): Pick<EventFacts, "shadow"> {
  if (!shadow) return {};
  return {
    shadow: {
      version: shadow.config.pack.version,
      verdict: runInput(shadow.chain, messages, context).action,
    },
  };
}

function retokenize(
  answer: string | null | undefined,
  tokens: ReadonlyMap<string, string> | undefined,
): string | null {
  if (answer === undefined || answer === null) return null;
  let text = answer;
  if (tokens) for (const [placeholder, value] of tokens) text = text.split(value).join(placeholder);
  return text;
}

/**
 * Builds the decision event. Findings keep type, category, place and score: never
 * the matched text. Content is kept only as the policies left it, and only when
 * the audit logger says so.
 */
export function buildEvent(facts: EventFacts): DecisionEvent {
  const audit = facts.loaded.chain.audit;
  const policies: DecisionEvent["policies"] = facts.inputDecisions.map((decision) => ({
    policy: decision.policy,
    phase: "input",
    action: decision.action,
    ...(decision.reason ? { reason: decision.reason } : {}),
    findings: decision.findings,
  }));
  if (facts.outputDecision) policies.push({ ...facts.outputDecision, phase: "output" });
  return {
    request_id: facts.requestId,
    created_at: Date.now(),
    identity: {
      org_id: facts.identity.orgId ?? null,
      team_id: facts.identity.teamId ?? null,
      user_id: facts.identity.userId ?? null,
      key_id: facts.identity.keyId ?? null,
    },
    gateway_id: facts.gatewayId ?? null,
    config: {
      name: facts.loaded.config.pack.name,
      version: facts.loaded.config.pack.version,
      hash: facts.loaded.hash,
    },
    endpoint: facts.endpoint,
    model: facts.model,
    target_id: facts.targetId ?? null,
    provider: facts.provider ?? null,
    stream: facts.stream,
    verdict: facts.verdict,
    status: facts.status,
    error_code: facts.errorCode ?? null,
    blocked_by: facts.blockedBy ?? null,
    policies,
    attempts: facts.attempts ?? [],
    policy_ms: Math.round(facts.policyMs * 1000) / 1000,
    upstream_ms: facts.upstreamMs === undefined ? null : Math.round(facts.upstreamMs * 1000) / 1000,
    usage: facts.usage ?? null,
    content:
      audit?.content === "redacted" && facts.redactedMessages !== undefined
        ? {
            messages: facts.redactedMessages,
            answer: retokenize(facts.redactedAnswer, facts.tokens),
          }
        : null,
    retention_days: audit?.retention_days ?? null,
    shadow: facts.shadow ?? null,
  };
}

/** The verdict headers: what was decided, and which policies fired. */
export function verdictHeaders(
  verdict: string,
  decisions: readonly PolicyDecision[],
): Record<string, string> {
  const fired = decisions
    .filter((decision) => decision.action !== "allow" && decision.action !== "skipped")
    .map((decision) => `${decision.policy}=${decision.action}`);
  const counts = new Map<string, number>();
  for (const decision of decisions) {
    if (!decision.disclose) continue;
    for (const finding of decision.findings)
      counts.set(finding.type, (counts.get(finding.type) ?? 0) + 1);
  }
  const redactions = [...counts].map(([type, count]) => `${type}=${count}`).join(",");
  return {
    "x-keeptrusts-verdict": verdict,
    ...(fired.length > 0 ? { "x-keeptrusts-policies": fired.join(",") } : {}),
    ...(redactions ? { "x-keeptrusts-redactions": redactions } : {}),
  };
}
