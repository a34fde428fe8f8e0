import type { ChainItemConfig, GatewayConfig, Targeting } from "./config/schema.ts";
import type { AuditSettings } from "./policies/audit-logger.ts";
import { POLICIES } from "./policies/registry.ts";
import type {
  OutputScanner,
  OutputVerdict,
  PolicyContext,
  PolicyRuntime,
  TextEdit,
} from "./policy.ts";
import { applySegments, extractSegments, type Segment } from "./segments.ts";
import type { ChatMessage, Finding, PolicyDecision } from "./types.ts";

interface CompiledItem {
  config: ChainItemConfig;
  runtime: PolicyRuntime;
  failure: "deny" | "allow";
}

/** A config's chain with every policy compiled once, reused for every request. */
export interface CompiledChain {
  enabled: boolean;
  items: readonly CompiledItem[];
  audit: AuditSettings | undefined;
}

/** The outcome of the input phase. */
export interface InputOutcome {
  action: "allow" | "redact" | "block" | "escalate";
  decisions: PolicyDecision[];
  messages: ChatMessage[];
  blockedBy?: { policy: string; reason: string };
  /** Placeholders `tokenize` put in, and the values to restore in the answer. */
  tokens?: Map<string, string>;
}

/** Compiles the chain of a validated config. */
export function compileChain(config: GatewayConfig): CompiledChain {
  const items: CompiledItem[] = [];
  let audit: AuditSettings | undefined;
  for (const item of config.chain) {
    const definition = POLICIES.get(item.policy);
    if (!definition) throw new Error(`policy ${item.policy} is not registered`);
    items.push({
      config: item,
      runtime: definition.create(item.settings as never),
      failure: definition.failure,
    });
    if (item.policy === "audit-logger" && item.enabled) audit = item.settings as AuditSettings;
  }
  return { enabled: config.pack.enabled, items, audit };
}

/** True when a chain item's targeting covers this caller. */
export function targets(targeting: Targeting | undefined, context: PolicyContext): boolean {
  if (!targeting) return true;
  const { identity } = context;
  const teams = new Set([...(identity.teams ?? []), ...(identity.teamId ? [identity.teamId] : [])]);
  if (targeting.scope === "team" && !targeting.teams?.some((team) => teams.has(team))) return false;
  if (targeting.teams && targeting.scope !== "team" && !targeting.teams.some((t) => teams.has(t)))
    return false;
  if (targeting.roles && !(identity.role && targeting.roles.includes(identity.role))) return false;
  if (targeting.users && !(identity.userId && targeting.users.includes(identity.userId)))
    return false;
  if (targeting.models && !targeting.models.includes(context.model)) return false;
  if (
    targeting.consumer_groups &&
    !(context.consumerGroup && targeting.consumer_groups.includes(context.consumerGroup))
  )
    return false;
  return true;
}

function active(chain: CompiledChain, context: PolicyContext) {
  const decisions: PolicyDecision[] = [];
  const running: CompiledItem[] = [];
  for (const item of chain.items) {
    if (!chain.enabled || !item.config.enabled) {
      decisions.push({
        policy: item.config.name,
        action: "skipped",
        reason: "disabled",
        findings: [],
      });
    } else if (!targets(item.config.targeting, context)) {
      decisions.push({
        policy: item.config.name,
        action: "skipped",
        reason: "not targeted",
        findings: [],
      });
    } else {
      running.push(item);
    }
  }
  return { decisions, running };
}

/** Applies the rewrites of the chain items after a block, without recording their verdicts. */
function redactRest(
  rest: readonly CompiledItem[],
  segments: Segment[],
  context: PolicyContext,
): void {
  for (const item of rest) {
    try {
      const verdict = item.runtime.input?.(segments, context);
      for (const [index, text] of verdict?.rewrites ?? []) {
        const segment = segments[index];
        if (segment) segment.text = text;
      }
    } catch {
      // A policy that fails here only loses its redaction of a request already refused.
    }
  }
}

/**
 * Runs the input phase in chain order: redactions compose (each policy sees the
 * text the previous ones left), the first block or escalate stops the chain.
 * A policy that throws is handled as its definition says: deny blocks, allow records.
 */
export function runInput(
  chain: CompiledChain,
  messages: readonly ChatMessage[],
  context: PolicyContext,
): InputOutcome {
  const { decisions, running } = active(chain, context);
  const segments = extractSegments(messages);
  let redacted = false;
  let changed = false;
  const tokens = new Map<string, string>();
  for (const item of running) {
    if (!item.runtime.input) continue;
    const name = item.config.name;
    let verdict;
    try {
      verdict = item.runtime.input(segments, { ...context, earlier: decisions });
    } catch (error) {
      const reason = `policy failed: ${(error as Error).message}`;
      if (item.failure === "deny") {
        decisions.push({ policy: name, action: "block", reason, findings: [] });
        return {
          action: "block",
          decisions,
          messages: [...messages],
          blockedBy: { policy: name, reason },
        };
      }
      decisions.push({ policy: name, action: "log", reason, findings: [] });
      continue;
    }
    decisions.push({
      policy: name,
      action: verdict.action,
      reason: verdict.reason,
      findings: verdict.findings,
      ...(verdict.disclose ? { disclose: true } : {}),
    });
    if (verdict.action === "block" || verdict.action === "escalate") {
      redactRest(running.slice(running.indexOf(item) + 1), segments, context);
      return {
        action: verdict.action,
        decisions,
        // What a refused request leaves behind (events, review queues) is redacted too:
        // the policies after the one that stopped the chain still rewrite, silently.
        messages: applySegments(messages, segments),
        blockedBy: { policy: name, reason: verdict.reason ?? verdict.action },
      };
    }
    if (verdict.rewrites && verdict.rewrites.size > 0) {
      for (const [index, text] of verdict.rewrites) {
        const segment = segments[index];
        if (segment) segment.text = text;
      }
      changed = true;
    }
    if (verdict.action === "redact") redacted = true;
    if (verdict.tokens)
      for (const [placeholder, value] of verdict.tokens) tokens.set(placeholder, value);
  }
  return {
    action: redacted ? "redact" : "allow",
    decisions,
    messages: changed ? applySegments(messages, segments) : [...messages],
    ...(tokens.size > 0 ? { tokens } : {}),
  };
}

const PLACEHOLDER = /\[[A-Z][A-Z0-9_]{0,40}_\d{1,5}\]/g;
const PLACEHOLDER_TAIL = /\[[A-Z0-9_]{0,47}$/;

/** Puts the values `tokenize` took out back into the answer; runs after every output policy. */
function restorer(tokens: ReadonlyMap<string, string>): OutputScanner {
  return {
    scan: (text) => {
      const edits: TextEdit[] = [];
      const restored = text.replace(PLACEHOLDER, (placeholder: string, start: number) => {
        const value = tokens.get(placeholder) ?? placeholder;
        if (value !== placeholder)
          edits.push({ start, end: start + placeholder.length, text: value });
        return value;
      });
      return { action: "allow", text: restored, findings: [], edits };
    },
    holdback: (text) => PLACEHOLDER_TAIL.exec(text)?.[0].length ?? 0,
  };
}

interface OutputEntry {
  name: string;
  output: OutputScanner;
  failure: "deny" | "allow";
}

/**
 * One output policy as a stage of the composed scanner: its findings and reason
 * carry its name, and a scan that throws blocks or passes the text on unchanged,
 * as the policy's definition says.
 */
function stageOf(entry: OutputEntry): OutputScanner {
  return {
    scan(text, choiceIndex, from) {
      let verdict: OutputVerdict;
      try {
        verdict = entry.output.scan(text, choiceIndex, from);
      } catch (error) {
        if (entry.failure === "allow") return { action: "allow", text, findings: [] };
        const reason = `${entry.name} failed: ${(error as Error).message}`;
        return { action: "block", text: "", findings: [], reason };
      }
      if (verdict.findings.length === 0 && verdict.reason === undefined) return verdict;
      const findings = verdict.findings.map((finding) => ({ ...finding, policy: entry.name }));
      if (verdict.reason === undefined) return { ...verdict, findings };
      return { ...verdict, findings, reason: `${entry.name}: ${verdict.reason}` };
    },
    holdback: (text) => entry.output.holdback(text),
    context: entry.output.context ?? 0,
  };
}

/** The output policies of a chain for one caller, composed into one scanner (or none). */
export function outputScanner(
  chain: CompiledChain,
  context: PolicyContext,
  tokens?: ReadonlyMap<string, string>,
): { scanner: OutputScanner; names: string[] } | undefined {
  const { running } = active(chain, context);
  const scanners = running.flatMap((item): OutputEntry[] =>
    item.runtime.output
      ? [{ name: item.config.name, output: item.runtime.output, failure: item.failure }]
      : [],
  );
  const names = scanners.map((entry) => entry.name);
  if (tokens && tokens.size > 0)
    scanners.push({ name: "tokenize", output: restorer(tokens), failure: "deny" });
  if (scanners.length === 0) return undefined;
  const stages = scanners.map(stageOf);
  return {
    names,
    scanner: {
      scan(text, choiceIndex) {
        let current = text;
        const findings: Finding[] = [];
        let action: OutputVerdict["action"] = "allow";
        const reasons: string[] = [];
        for (const stage of stages) {
          const verdict = stage.scan(current, choiceIndex);
          findings.push(...verdict.findings);
          if (verdict.reason) reasons.push(verdict.reason);
          if (verdict.action === "block") {
            return { action: "block", text: "", findings, reason: reasons.join("; ") };
          }
          if (verdict.action === "redact") action = "redact";
          else if (verdict.action === "log" && action === "allow") action = "log";
          current = verdict.text;
        }
        return { action, text: current, findings, reason: reasons.join("; ") || undefined };
      },
      holdback(text) {
        let longest = 0;
        for (const stage of stages) longest = Math.max(longest, stage.holdback(text));
        return longest;
      },
      stages,
    },
  };
}
