import type { GatewayEnv } from "../env.ts";
import type { DecisionEvent } from "./decision-event.ts";
import { queueEvent } from "./event-batches.ts";

/**
 * Sends a decision event off the hot path: to the Queue (with the events of
 * concurrent requests, see {@link queueEvent}; batched into D1 by the consumer),
 * and to the `--events-log` sink when `kt gateway run` provides one.
 * Failures are logged, never thrown at the caller, whose answer is already sent.
 */
export async function sendEvent(env: GatewayEnv, event: DecisionEvent): Promise<void> {
  const deliveries: Promise<unknown>[] = [queueEvent(env.EVENTS, event)];
  if (env.EVENTS_LOG) {
    deliveries.push(
      env.EVENTS_LOG.fetch("http://events-log/", {
        method: "POST",
        body: JSON.stringify(event),
      }).then((response) => response.body?.cancel()),
    );
  }
  const results = await Promise.allSettled(deliveries);
  for (const result of results) {
    if (result.status === "rejected") {
      console.error(
        JSON.stringify({
          level: "error",
          request_id: event.request_id,
          message: "decision event not delivered",
        }),
      );
    }
  }
}
