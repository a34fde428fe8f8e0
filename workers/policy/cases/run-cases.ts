import { compileChain, outputScanner, runInput } from "../chain.ts";
import type { GatewayConfig } from "../config/schema.ts";
import type { ChatMessage, Identity } from "../types.ts";
import type { PolicyCase } from "./case-file.ts";

/** The outcome of one case: what happened, and each expectation it missed. */
export interface CaseResult {
  name: string;
  passed: boolean;
  failures: string[];
  verdict: string;
}

function lastUserText(messages: readonly ChatMessage[]): string | undefined {
  const last = [...messages].reverse().find((message) => message.role === "user");
  return typeof last?.content === "string" ? last.content : undefined;
}

/** The messages a case sends: `input` as one user message, or its `messages`. */
export function caseMessages(testCase: PolicyCase): ChatMessage[] {
  if (testCase.messages)
    return testCase.messages.map((message) => ({ ...message, content: message.content ?? null }));
  return testCase.input === undefined ? [] : [{ role: "user", content: testCase.input }];
}

/** The identity a case runs as. */
export function caseIdentity(testCase: PolicyCase): Identity {
  const identity = testCase.identity ?? {};
  return {
    ...(identity.org ? { orgId: identity.org } : {}),
    ...(identity.team ? { teamId: identity.team } : {}),
    ...(identity.teams ? { teams: identity.teams } : {}),
    ...(identity.role ? { role: identity.role } : {}),
    ...(identity.user ? { userId: identity.user } : {}),
    ...(identity.key ? { keyId: identity.key } : {}),
  };
}

/**
 * Runs cases against a config offline, with the same engine the gateway runs:
 * the input chain (verdict, redacted text, which policy blocked, what was found)
 * and, when a case gives a provider answer, the output chain.
 */
export function runCases(config: GatewayConfig, cases: readonly PolicyCase[]): CaseResult[] {
  const chain = compileChain(config);
  const defaultModel = config.targets[0]?.model ?? "unknown";
  return cases.map((testCase) => {
    const failures: string[] = [];
    const context = {
      identity: caseIdentity(testCase),
      model: testCase.model ?? defaultModel,
      ...(testCase.consumer_group ? { consumerGroup: testCase.consumer_group } : {}),
    };
    const messages = caseMessages(testCase);
    const outcome = runInput(chain, messages, context);
    const { expect } = testCase;
    if (expect.verdict && expect.verdict !== outcome.action)
      failures.push(
        `verdict: expected ${expect.verdict}, got ${outcome.action}${outcome.blockedBy ? ` (${outcome.blockedBy.reason})` : ""}`,
      );
    if (expect.blocked_by && expect.blocked_by !== outcome.blockedBy?.policy)
      failures.push(
        `blocked_by: expected ${expect.blocked_by}, got ${outcome.blockedBy?.policy ?? "nothing"}`,
      );
    const redacted = lastUserText(outcome.messages);
    if (expect.redacted !== undefined && expect.redacted !== redacted)
      failures.push(
        `redacted: expected ${JSON.stringify(expect.redacted)}, got ${JSON.stringify(redacted)}`,
      );
    if (expect.findings) {
      const found = [
        ...new Set(
          outcome.decisions.flatMap((decision) => decision.findings.map((finding) => finding.type)),
        ),
      ].sort();
      const wanted = [...new Set(expect.findings)].sort();
      if (found.join(",") !== wanted.join(","))
        failures.push(`findings: expected [${wanted.join(", ")}], got [${found.join(", ")}]`);
    }
    if (testCase.output !== undefined) {
      const output = outputScanner(chain, context, outcome.tokens);
      const verdict = output
        ? output.scanner.scan(testCase.output, 0)
        : { action: "allow" as const, text: testCase.output };
      if (expect.output !== undefined && expect.output !== verdict.text)
        failures.push(
          `output: expected ${JSON.stringify(expect.output)}, got ${JSON.stringify(verdict.text)}`,
        );
      if (expect.output_verdict && expect.output_verdict !== verdict.action)
        failures.push(`output_verdict: expected ${expect.output_verdict}, got ${verdict.action}`);
    }
    return {
      name: testCase.name,
      passed: failures.length === 0,
      failures,
      verdict: outcome.action,
    };
  });
}
