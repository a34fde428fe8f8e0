import type { GatewayConfig, TargetConfig } from "../../policy/index.ts";
import { GatewayError } from "../errors.ts";

const latency = new Map<string, number>();
const SMOOTHING = 0.2;

/** Latency belongs to the physical upstream, not to a config's target id (ids repeat across configs). */
function upstreamKey(target: TargetConfig): string {
  return `${target.provider} ${target.base_url ?? ""} ${target.model}`;
}

/** Records an upstream's answer time, smoothed, for `routing: lowest_latency`. */
export function recordLatency(target: TargetConfig, milliseconds: number): void {
  const key = upstreamKey(target);
  const previous = latency.get(key);
  latency.set(
    key,
    previous === undefined ? milliseconds : previous + SMOOTHING * (milliseconds - previous),
  );
}

function costOf(target: TargetConfig): number {
  return target.pricing
    ? target.pricing.input_per_million + target.pricing.output_per_million
    : Number.POSITIVE_INFINITY;
}

/**
 * The targets to try for a request, in order; the first answers unless it times
 * out, is rate-limited or fails, then the next is tried. A consumer group (named by
 * the `x-keeptrusts-consumer-group` header) picks and orders its own models.
 */
export function selectTargets(
  config: GatewayConfig,
  model: string,
  groupName: string | undefined,
): TargetConfig[] {
  if (groupName !== undefined) {
    const group = config.consumerGroups.find((candidate) => candidate.name === groupName);
    if (!group) {
      throw new GatewayError(
        400,
        "unknown_consumer_group",
        `consumer group "${groupName}" is not configured`,
        {
          param: "x-keeptrusts-consumer-group",
        },
      );
    }
    const members = group.models.flatMap((entry) =>
      config.targets.filter(
        (target) => target.provider === entry.provider && target.model === entry.model,
      ),
    );
    if (group.routing === "cost_optimized")
      return [...members].sort((a, b) => costOf(a) - costOf(b));
    if (group.routing === "lowest_latency") {
      // Unmeasured targets sort first so every member gets measured.
      const measured = (target: TargetConfig) => latency.get(upstreamKey(target)) ?? -1;
      return [...members].sort((a, b) => measured(a) - measured(b));
    }
    return members;
  }
  const matches = config.targets.filter((target) => target.model === model || target.id === model);
  if (matches.length === 0) {
    throw new GatewayError(
      404,
      "model_not_found",
      `the model "${model}" is not served by this gateway`,
      {
        type: "not_found_error",
        param: "model",
      },
    );
  }
  return matches;
}
