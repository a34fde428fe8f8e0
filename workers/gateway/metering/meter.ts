import type { Context } from "hono";
import type { ChatMessage, PolicyContext, TargetConfig } from "../../policy/index.ts";
import type { HoldResult } from "../../../durable-objects/ledger/ledger-model.ts";
import {
  costOf,
  dayOf,
  estimateTokens,
  toMicros,
  type Price,
  type TokenUsage,
} from "../../../durable-objects/ledger/money.ts";
import { buildEvent, type EventFacts } from "../events/build-event.ts";
import { sendEvent } from "../events/send-event.ts";
import type { GatewayApp } from "../env.ts";
import { GatewayError } from "../errors.ts";
import type { ChatRequest, Usage } from "../providers/openai-shapes.ts";
import { costLimitsOf } from "./cost-limits.ts";
import { priceOf } from "./pricing.ts";
import { blamed, COST_TICKET_HEADER, refusalError } from "./refusals.ts";

/** The header that names the caller's session, for cost-check's `max_cost_per_session`. */
export const SESSION_HEADER = "x-keeptrusts-session-id";
/** The output tokens a hold assumes when the request sets no `max_tokens`. */
export const DEFAULT_MAX_OUTPUT_TOKENS = 4096;
const HOLD_TTL_MS = 15 * 60_000;
const STREAM_HOLD_TTL_MS = 60 * 60_000;
const TICKET_ID = /^ct_[0-9a-f]{32}$/;
const SESSION_ID = /^[\w.:-]{1,128}$/;

/** A request's hold: settled with the real usage, or released, once, off the response path. */
export interface Meter {
  /** Charges the usage (a tokenizer estimate of prompt and answer when the provider reported none). */
  settle(
    usage: Usage | null | undefined,
    target: TargetConfig,
    answerText: string | undefined,
  ): void;
  /** Gives the hold back in full: nothing was spent. */
  release(reason: string): void;
}

function messageText(message: ChatMessage): string {
  const content: unknown = message.content;
  if (typeof content === "string") return content;
  if (Array.isArray(content))
    return content
      .map((part: { type?: string; text?: unknown }) =>
        part.type === "text" ? String(part.text) : JSON.stringify(part),
      )
      .join(" ");
  return content === null || content === undefined ? "" : JSON.stringify(content);
}

function tokensOf(usage: Usage): TokenUsage {
  return {
    promptTokens: usage.prompt_tokens,
    cachedTokens: usage.prompt_tokens_details?.cached_tokens ?? 0,
    completionTokens: usage.completion_tokens,
  };
}

function logFailure(requestId: string, message: string, error: unknown): void {
  console.error(
    JSON.stringify({
      level: "error",
      request_id: requestId,
      message,
      error: error instanceof Error ? error.message : String(error),
    }),
  );
}

/**
 * Places the hold of a request before the upstream call, in the org's LedgerDO:
 * prompt (tokenizer estimate) plus `max_tokens` (or {@link DEFAULT_MAX_OUTPUT_TOKENS})
 * at the dearest price among the targets it may be routed to, with the key's
 * daily budget and the cost-check limits that target the caller. Refused holds
 * become a 402 (with a cost ticket when a wallet ran out) after their decision
 * event is sent. Anonymous requests (no org) are not metered: undefined. A
 * ledger that cannot be reached refuses the request (503): spend is never unchecked.
 */
export async function holdCredit(
  c: Context<GatewayApp>,
  request: {
    body: ChatRequest;
    messages: readonly ChatMessage[];
    targets: readonly TargetConfig[];
    context: PolicyContext;
    facts: EventFacts;
  },
): Promise<Meter | undefined> {
  const identity = c.get("identity");
  const orgId = identity.orgId;
  if (!orgId) return undefined;
  const requestId = c.get("requestId");
  const ticketId = c.req.header(COST_TICKET_HEADER);
  if (ticketId !== undefined && !TICKET_ID.test(ticketId))
    throw new GatewayError(
      400,
      "invalid_request",
      `${COST_TICKET_HEADER} must be a cost ticket id (ct_ and 32 hex digits)`,
      { param: COST_TICKET_HEADER },
    );
  const sessionHeader = c.req.header(SESSION_HEADER);
  if (sessionHeader !== undefined && !SESSION_ID.test(sessionHeader))
    throw new GatewayError(
      400,
      "invalid_request",
      `${SESSION_HEADER} must be 1-128 letters, digits, or . _ : -`,
      { param: SESSION_HEADER },
    );
  const { body, messages, targets, context, facts } = request;
  const prices = await Promise.all(targets.map((target) => priceOf(c.env.DB, orgId, target)));
  const known = prices.filter((price): price is Price => price !== null);
  const priced = known.length === prices.length && new Set(known.map((p) => p.currency)).size === 1;
  const promptTokens = estimateTokens(messages.map(messageText).join("\n"), messages.length);
  const maxOutput =
    (body.max_completion_tokens ?? body.max_tokens ?? DEFAULT_MAX_OUTPUT_TOKENS) *
    Math.max(1, body.n ?? 1);
  const currency = known[0]?.currency ?? "USD";
  const amount = priced
    ? Math.max(
        ...known.map((price) =>
          costOf({ promptTokens, cachedTokens: 0, completionTokens: maxOutput }, price),
        ),
      )
    : 0;
  const limits = costLimitsOf(c.get("config").chain, context);
  const grant = c.get("grant");
  const who = identity.keyId ?? identity.userId ?? "anonymous";
  const session =
    limits.perSession === null
      ? null
      : { id: `${who}:${sessionHeader ?? dayOf(Date.now())}`, limit: limits.perSession };
  const ledger = c.env.LEDGER.get(c.env.LEDGER.idFromName(orgId));
  let result: HoldResult;
  try {
    result = await ledger.hold({
      orgId,
      holdId: requestId,
      teamId: identity.teamId ?? null,
      userId: identity.userId ?? null,
      keyId: identity.keyId ?? null,
      model: body.model,
      amount,
      currency,
      priced,
      ttlMs: body.stream ? STREAM_HOLD_TTL_MS : HOLD_TTL_MS,
      ...(ticketId ? { ticketId } : {}),
      limits: {
        keyDailyBudget: grant?.dailyBudget ? toMicros(grant.dailyBudget) : null,
        perRequest: limits.perRequest,
        session,
      },
    });
  } catch (error) {
    logFailure(requestId, "wallet hold failed", error);
    throw new GatewayError(
      503,
      "ledger_unavailable",
      "the wallet ledger could not be reached, so the request was not sent; try again",
    );
  }
  if (!result.ok) {
    const error = refusalError(result, currency);
    c.executionCtx.waitUntil(
      sendEvent(
        c.env,
        buildEvent({
          ...facts,
          verdict: "block",
          status: error.status,
          errorCode: error.code,
          blockedBy: blamed(result),
        }),
      ),
    );
    throw error;
  }
  let closed = false;
  const close = (work: () => Promise<unknown>) => {
    if (closed) return;
    closed = true;
    c.executionCtx.waitUntil(
      work().catch((error: unknown) =>
        logFailure(requestId, "wallet settle failed; the hold expires and returns", error),
      ),
    );
  };
  return {
    settle(usage, target, answerText) {
      close(async () => {
        const price = await priceOf(c.env.DB, orgId, target);
        const tokens: TokenUsage = usage
          ? tokensOf(usage)
          : {
              promptTokens,
              cachedTokens: 0,
              completionTokens: estimateTokens(answerText ?? ""),
            };
        const settled = await ledger.settle({
          orgId,
          holdId: requestId,
          usage: tokens,
          estimated: !usage,
          price,
          provider: target.provider,
          model: target.model,
        });
        if (!settled.ok) throw new Error(settled.error);
      });
    },
    release(reason) {
      close(() => ledger.release({ orgId, holdId: requestId, reason }));
    },
  };
}
