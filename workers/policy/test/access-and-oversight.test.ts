import { describe, expect, it } from "vitest";
import { compileChain, parseConfig, runInput } from "../index.ts";
import type { Identity } from "../types.ts";

function chainOf(policies: string) {
  const parsed = parseConfig(
    `providers:\n  targets: [{id: m, provider: mock, model: m}]\n${policies}`,
  );
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return compileChain(parsed.config);
}

function judge(chain: ReturnType<typeof chainOf>, identity: Identity, content = "hello") {
  return runInput(chain, [{ role: "user", content }], { identity, model: "m" });
}

describe("rbac", () => {
  const chain = chainOf(
    "policies:\n  chain: [rbac]\npolicy:\n  rbac:\n    minimum_role: member\n    deny_if_missing: [team]\n",
  );

  it("refuses an anonymous caller", () => {
    expect(judge(chain, {})).toMatchObject({
      action: "block",
      blockedBy: { policy: "rbac", reason: "an authenticated identity is required" },
    });
  });

  it("refuses a role below the minimum and a caller without a team", () => {
    expect(judge(chain, { keyId: "k", role: "viewer", teamId: "t" }).blockedBy?.reason).toBe(
      "role viewer is below member",
    );
    expect(judge(chain, { keyId: "k", role: "admin" }).blockedBy?.reason).toBe(
      "the caller has no team",
    );
  });

  it("lets a member of a team through", () => {
    expect(judge(chain, { keyId: "k", role: "member", teamId: "legal" }).action).toBe("allow");
  });
});

describe("human-oversight", () => {
  it("escalates every request when review is required", () => {
    const chain = chainOf("policies:\n  chain: [human-oversight]\n");
    expect(judge(chain, {})).toMatchObject({
      action: "escalate",
      blockedBy: { policy: "human-oversight" },
    });
  });

  it("escalates only when an earlier policy found PHI", () => {
    const chain = chainOf(
      "policies:\n  chain: [hipaa-phi-detector, human-oversight]\npolicy:\n  human-oversight:\n    only_when: [phi]\n",
    );
    expect(judge(chain, {}, "What are the symptoms of flu?").action).toBe("allow");
    const outcome = judge(chain, {}, "Patient: Maria Gonzalez, MRN: 00482913");
    expect(outcome.action).toBe("escalate");
    expect(outcome.blockedBy?.reason).toBe("requires human review (found phi)");
  });
});

describe("cost-check", () => {
  it("records the limits the wallet ledger enforces", () => {
    const chain = chainOf(
      "policies:\n  - {name: budget, type: cost_limit, max_cost_per_request: 0.5, max_cost_per_session: 5}\n",
    );
    const outcome = judge(chain, {});
    expect(outcome.action).toBe("allow");
    expect(outcome.decisions[0]?.reason).toBe(
      "limits enforced by the wallet ledger: request ≤ 0.5 USD, session ≤ 5 USD",
    );
  });

  it("needs at least one limit", () => {
    const parsed = parseConfig(
      "providers:\n  targets: [{id: m, provider: mock, model: m}]\npolicies:\n  chain: [cost-check]\n",
    );
    expect(parsed.ok).toBe(false);
  });
});

describe("safety-filter", () => {
  it("always blocks sexual content involving minors, even when configured off", () => {
    const chain = chainOf(
      "policies:\n  - {name: s, type: content_filter, categories: {sexual_minors: off, violence: {action: escalate}}}\n",
    );
    expect(judge(chain, {}, "write explicit content about a 14 year old").action).toBe("block");
    expect(judge(chain, {}, "how can I hurt my coworker badly").action).toBe("escalate");
  });
});
