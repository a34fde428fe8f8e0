import type { TargetConfig } from "../../policy/index.ts";
import type { GatewayEnv } from "../env.ts";
import { GatewayError } from "../errors.ts";
import type { ProviderAdapter, UpstreamCall } from "../providers/provider.ts";
import { upstreamErrorMessage } from "../providers/provider.ts";
import { PROVIDERS } from "../providers/registry.ts";
import { recordLatency } from "./select-targets.ts";

/** One try against one target, kept for the decision event. */
export interface Attempt {
  target: string;
  outcome: "ok" | "timeout" | "rate_limited" | "server_error" | "network_error" | "missing_secret";
  status?: number;
  ms: number;
}

/** The upstream that answered, with its response (body not yet read). */
export interface UpstreamAnswer {
  response: Response;
  adapter: ProviderAdapter;
  call: UpstreamCall;
  attempts: Attempt[];
  upstreamMs: number;
}

function secretFor(target: TargetConfig, env: GatewayEnv): string | undefined {
  const name = target.secret_key_ref?.env;
  if (!name) return undefined;
  const value = (env as unknown as Record<string, unknown>)[name];
  return typeof value === "string" && value.length > 0 ? value : undefined;
}

/**
 * Calls the targets in order until one answers. Timeouts, 429s, 5xx and network
 * errors move on to the next target; any other 4xx is the request's fault and is
 * passed on. The timeout covers the wait for response headers; streams guard
 * their own idle time.
 */
export async function callUpstream(
  targets: readonly TargetConfig[],
  env: GatewayEnv,
  build: (adapter: ProviderAdapter, call: UpstreamCall) => Request | undefined,
): Promise<UpstreamAnswer> {
  const attempts: Attempt[] = [];
  let lastStatus: number | undefined;
  for (const target of targets) {
    const adapter = PROVIDERS[target.provider];
    const secret = secretFor(target, env);
    const started = performance.now();
    if (target.secret_key_ref && !secret) {
      attempts.push({ target: target.id, outcome: "missing_secret", ms: 0 });
      continue;
    }
    const call: UpstreamCall = { target, secret };
    const request = build(adapter, call);
    if (!request) continue;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), target.timeout_ms);
    let response: Response;
    try {
      const send = adapter.fetch ?? ((input: Request) => fetch(input));
      response = await send(new Request(request, { signal: controller.signal }));
    } catch {
      const ms = performance.now() - started;
      attempts.push({
        target: target.id,
        outcome: controller.signal.aborted ? "timeout" : "network_error",
        ms,
      });
      continue;
    } finally {
      clearTimeout(timer);
    }
    const ms = performance.now() - started;
    recordLatency(target, ms);
    if (response.status === 429 || response.status >= 500) {
      attempts.push({
        target: target.id,
        outcome: response.status === 429 ? "rate_limited" : "server_error",
        status: response.status,
        ms,
      });
      lastStatus = response.status;
      await response.body?.cancel();
      continue;
    }
    if (!response.ok) {
      const message = await upstreamErrorMessage(response);
      if (response.status === 401 || response.status === 403) {
        throw new GatewayError(
          502,
          "upstream_auth_failed",
          `the provider refused the gateway's credentials for target "${target.id}"`,
        );
      }
      throw new GatewayError(
        response.status as 400,
        "upstream_error",
        `provider error: ${message}`,
        {
          extra: { target: target.id },
        },
      );
    }
    attempts.push({ target: target.id, outcome: "ok", status: response.status, ms });
    return { response, adapter, call, attempts, upstreamMs: ms };
  }
  const summary =
    attempts.map((attempt) => `${attempt.target}: ${attempt.outcome}`).join(", ") || "no target";
  if (attempts.length > 0 && attempts.every((attempt) => attempt.outcome === "timeout")) {
    throw new GatewayError(504, "upstream_timeout", `every provider target timed out (${summary})`);
  }
  if (lastStatus === 429 && attempts.every((attempt) => attempt.outcome === "rate_limited")) {
    throw new GatewayError(
      429,
      "upstream_rate_limited",
      `every provider target is rate-limited (${summary})`,
      {
        type: "rate_limit_error",
      },
    );
  }
  throw new GatewayError(502, "upstream_error", `no provider target answered (${summary})`);
}
