import type { Context } from "hono";
import type { InputOutcome } from "../../policy/index.ts";
import { newId } from "../../db/api-key.ts";
import type {
  JsonValue,
  RedeemError,
} from "../../../durable-objects/escalations/escalation-model.ts";
import { buildEvent, type EventFacts } from "../events/build-event.ts";
import { sendEvent } from "../events/send-event.ts";
import type { GatewayApp } from "../env.ts";
import { GatewayError } from "../errors.ts";

/** The header that names an escalation: in the 403 of an escalated request, and on its retry. */
export const ESCALATION_HEADER = "x-keeptrusts-escalation-id";

/** The org whose review queue takes anonymous requests (`KEEPTRUSTS_AUTH=optional`). */
export const LOCAL_ORG = "local";

const ESCALATION_ID = /^esc_[0-9a-f]{32}$/;

/** JSON with object keys sorted at every depth: the same request always hashes the same. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/**
 * SHA-256 (hex) of the request as the caller sent it, salted with the escalation
 * id: the reviewer approves exactly this request, and the hash alone is no
 * dictionary for the unredacted text it was computed from.
 */
export async function requestHash(escalationId: string, body: unknown): Promise<string> {
  const text = `${escalationId}\n${canonicalJson(body)}`;
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

function queueOf(c: Context<GatewayApp>) {
  const orgId = c.get("identity").orgId ?? LOCAL_ORG;
  return c.env.ESCALATIONS.get(c.env.ESCALATIONS.idFromName(orgId));
}

/** What the finding categories say the request was escalated for (`phi`, `phi,pii`, …). */
function reasonCode(input: InputOutcome): string {
  const categories = new Set(
    input.decisions
      .flatMap((decision) => decision.findings.map((finding) => finding.category))
      .filter((category) => category !== "oversight"),
  );
  return categories.size > 0 ? [...categories].sort().join(",") : "review_required";
}

/**
 * Stores an escalated request in its org's review queue: the request as the
 * chain left it (redacted), its hash, why, the config and the request id that
 * links it to the decision event. Returns the escalation id for the 403.
 */
export async function openEscalation(
  c: Context<GatewayApp>,
  input: InputOutcome,
  facts: EventFacts,
  body: unknown,
): Promise<string> {
  const identity = c.get("identity");
  const id = newId("esc");
  try {
    const created = await queueOf(c).create({
      id,
      orgId: identity.orgId ?? LOCAL_ORG,
      teamId: identity.teamId ?? null,
      userId: identity.userId ?? null,
      keyId: identity.keyId ?? null,
      requestId: facts.requestId,
      requestHash: await requestHash(id, body),
      endpoint: facts.endpoint,
      model: facts.model,
      policy: input.blockedBy?.policy ?? "unknown",
      reasonCode: reasonCode(input),
      reason: (input.blockedBy?.reason ?? "requires human review").slice(0, 1000),
      config: {
        name: facts.loaded.config.pack.name,
        version: facts.loaded.config.pack.version,
        hash: facts.loaded.hash,
      },
      // Through JSON once: what the queue stores is exactly what a reviewer will read.
      messages: JSON.parse(JSON.stringify(input.messages)) as JsonValue[],
    });
    if (!created.ok) throw new Error(created.message);
  } catch (error) {
    console.error(
      JSON.stringify({
        level: "error",
        request_id: facts.requestId,
        message: "escalation not stored",
        error: (error as Error).message,
      }),
    );
    throw new GatewayError(
      503,
      "review_unavailable",
      "the request needs human review, but the review queue could not take it; try again",
    );
  }
  return id;
}

/** The public answer for each reason a retry may not pass. */
function refusal(failure: RedeemError, id: string): GatewayError {
  const options = { type: "permission_error" as const, extra: { escalation_id: id } };
  switch (failure.error) {
    case "invalid":
      // Everything sent was checked or computed here: the queue refusing it is our bug.
      throw new Error(`the review queue refused a retry: ${failure.message}`);
    case "not_found":
      return new GatewayError(404, "escalation_not_found", `no escalation ${id} for this caller`, {
        ...options,
        type: "not_found_error",
      });
    case "mismatch":
      return new GatewayError(
        403,
        "escalation_mismatch",
        "this request is not the one that was reviewed: send exactly the same body",
        options,
      );
    case "pending":
      return new GatewayError(
        403,
        "pending_review",
        `escalation ${id} is ${failure.status}: it has not been decided yet`,
        options,
      );
    case "denied":
      return new GatewayError(
        403,
        "review_denied",
        failure.outcome === "policy_tuning"
          ? `escalation ${id} was closed for policy tuning, not approved`
          : `escalation ${id} was reviewed and denied`,
        options,
      );
    case "used":
      return new GatewayError(
        403,
        "escalation_used",
        `escalation ${id} approved one request, and it has been sent already`,
        options,
      );
  }
}

/**
 * A retry naming an escalation: passes once if a reviewer allowed it and the
 * body is exactly the one reviewed (same hash), for the same key, team and user.
 * Otherwise throws the refusal, after recording it as a decision event.
 */
export async function redeemEscalation(
  c: Context<GatewayApp>,
  id: string,
  body: unknown,
  facts: EventFacts,
): Promise<void> {
  if (!ESCALATION_ID.test(id)) {
    throw new GatewayError(
      400,
      "invalid_request",
      `${ESCALATION_HEADER} must be an escalation id (esc_ and 32 hex digits)`,
      { param: ESCALATION_HEADER },
    );
  }
  const identity = c.get("identity");
  const result = await queueOf(c).redeem(
    id,
    {
      keyId: identity.keyId ?? null,
      teamId: identity.teamId ?? null,
      userId: identity.userId ?? null,
    },
    await requestHash(id, body),
    facts.requestId,
  );
  if (result.ok) return;
  const error = refusal(result, id);
  c.executionCtx.waitUntil(
    sendEvent(
      c.env,
      buildEvent({ ...facts, verdict: "block", status: error.status, errorCode: error.code }),
    ),
  );
  throw error;
}
