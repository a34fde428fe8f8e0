import { Hono } from "hono";
import type { GatewayApp, GatewayEnv } from "./env.ts";
import { GatewayError, onError } from "./errors.ts";
import { consumeEvents } from "./events/consume-events.ts";
import { requestBodyLimit } from "./middleware/body-limit.ts";
import { keyAuth } from "./middleware/key-auth.ts";
import { policyConfig } from "./middleware/policy-config.ts";
import { requestId } from "./middleware/request-id.ts";
import { chatCompletions } from "./routes/chat-completions.ts";
import { embeddings } from "./routes/embeddings.ts";
import { models } from "./routes/models.ts";
import { status } from "./routes/status.ts";

/** The gateway app: middleware order, routes, and the one error handler. */
export const app = new Hono<GatewayApp>();

app.use(requestId());
app.route("/", status);
app.use("/v1/*", requestBodyLimit(), keyAuth(), policyConfig());
app.route("/v1", chatCompletions);
app.route("/v1", embeddings);
app.route("/v1", models);
app.notFound(() => {
  throw new GatewayError(404, "not_found", "no such endpoint on this gateway", {
    type: "not_found_error",
  });
});
app.onError(onError);

export { RateLimiter } from "../../durable-objects/rate-limit/rate-limiter.ts";
export { EscalationDO } from "../../durable-objects/escalations/escalation-do.ts";
export { LedgerDO } from "../../durable-objects/ledger/ledger-do.ts";

export default {
  fetch: app.fetch,
  async queue(batch, env) {
    await consumeEvents(batch, env.DB);
  },
} satisfies ExportedHandler<GatewayEnv, unknown>;
