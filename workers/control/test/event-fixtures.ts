import { env } from "cloudflare:workers";
import { newId } from "../../db/api-key.ts";
import { storeEvents } from "../../gateway/events/consume-events.ts";
import type { DecisionEvent } from "../../gateway/events/decision-event.ts";
import { json, unique } from "./control.ts";

/** What a test may set on a sample event; everything else gets a plain default. */
export interface EventOverrides {
  requestId?: string;
  createdAt?: number;
  orgId: string;
  teamId?: string | null;
  userId?: string | null;
  gatewayId?: string | null;
  verdict?: DecisionEvent["verdict"];
  model?: string;
  configName?: string;
  configVersion?: string;
  configHash?: string;
  policies?: DecisionEvent["policies"];
  errorCode?: string | null;
  content?: DecisionEvent["content"];
  retentionDays?: number | null;
}

/** A valid decision event, as the gateway would queue it. */
export function sampleEvent(overrides: EventOverrides): DecisionEvent {
  return {
    request_id: overrides.requestId ?? newId("req"),
    created_at: overrides.createdAt ?? Date.now(),
    identity: {
      org_id: overrides.orgId,
      team_id: overrides.teamId ?? null,
      user_id: overrides.userId ?? null,
      key_id: null,
    },
    gateway_id: overrides.gatewayId ?? null,
    config: {
      name: overrides.configName ?? "sample",
      version: overrides.configVersion ?? "1.0.0",
      hash: overrides.configHash ?? "0".repeat(64),
    },
    endpoint: "chat.completions",
    model: overrides.model ?? "mock-echo",
    target_id: "m",
    provider: "mock",
    stream: false,
    verdict: overrides.verdict ?? "allow",
    status: overrides.verdict === "block" ? 403 : 200,
    error_code: overrides.errorCode ?? null,
    blocked_by: overrides.verdict === "block" ? "pii-detector" : null,
    policies: overrides.policies ?? [
      { policy: "pii-detector", phase: "input", action: "allow", findings: [] },
    ],
    attempts: [{ target: "m", outcome: "ok", status: 200, ms: 1.5 }],
    policy_ms: 0.25,
    upstream_ms: 3,
    usage: { prompt_tokens: 5, completion_tokens: 7, total_tokens: 12 },
    content: overrides.content ?? null,
    retention_days: overrides.retentionDays ?? null,
    shadow: null,
  };
}

/** Stores events exactly as the queue consumer does. */
export async function seed(events: DecisionEvent[]): Promise<void> {
  await storeEvents(env.DB, events);
}

/** A managed gateway with its runtime token (shown once at creation). */
export async function managedGateway(
  ownerKey: string,
  kind: "managed" | "hosted" = "managed",
): Promise<{ id: string; token: string }> {
  const created = await json<{ id: string; gateway_token: string }>("POST", "/v1/gateways", {
    key: ownerKey,
    body: { name: unique("events-gw"), kind },
  });
  return { id: created.id, token: created.gateway_token };
}

/** SHA-256 (hex) of a text, as configuration versions and events record it. */
export async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}
