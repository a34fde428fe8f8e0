import { OpenAPIHono } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import { createMiddleware } from "hono/factory";
import { authenticate } from "./auth/authenticate.ts";
import { applyRetention } from "./exports/retention.ts";
import type { ControlApp } from "./env.ts";
import { onProblem, Problem, validationHook } from "./errors.ts";
import { auditRoutes } from "./routes/audit.ts";
import { authRoutes } from "./routes/auth.ts";
import { bootstrapRoutes } from "./routes/bootstrap.ts";
import { configurationRoutes } from "./routes/configurations.ts";
import { costTicketRoutes } from "./routes/cost-tickets.ts";
import { issuerRoutes } from "./routes/end-user-issuers.ts";
import { escalationRoutes } from "./routes/escalations.ts";
import { eventRoutes } from "./routes/events.ts";
import { exportRoutes } from "./routes/exports.ts";
import { gatewayRoutes } from "./routes/gateways.ts";
import { inviteAcceptRoutes, inviteRoutes } from "./routes/invites.ts";
import { meRoutes } from "./routes/me.ts";
import { memberRoutes } from "./routes/members.ts";
import { pricingRoutes } from "./routes/pricing.ts";
import { teamMemberRoutes } from "./routes/team-members.ts";
import { teamRoutes } from "./routes/teams.ts";
import { tokenRoutes } from "./routes/tokens.ts";
import { usageRoutes } from "./routes/usage.ts";
import { walletRoutes } from "./routes/wallets.ts";

const MAX_BODY_BYTES = 256 * 1024;

/** The control API: public routes first, then everything behind `authenticate`. */
export const app = new OpenAPIHono<ControlApp>({ defaultHook: validationHook });

app.use(
  createMiddleware<ControlApp>(async function requestIdMiddleware(c, next) {
    const id = `req_${crypto.randomUUID().replaceAll("-", "")}`;
    c.set("requestId", id);
    await next();
    c.header("x-keeptrusts-request-id", id);
  }),
);
app.use(
  bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: () => {
      throw new Problem(
        413,
        "payload_too_large",
        "Payload too large",
        `request bodies are limited to ${MAX_BODY_BYTES} bytes`,
      );
    },
  }),
);

app.get("/health", (c) => c.json({ status: "ok" }));
app.openAPIRegistry.registerComponent("securitySchemes", "bearer", {
  type: "http",
  scheme: "bearer",
  description: "An access key (kt_ak_…) or a session token",
});
app.doc31("/v1/openapi.json", {
  openapi: "3.1.0",
  info: { title: "Keeptrusts control API", version: "1.0.0" },
  security: [{ bearer: [] }],
});
app.route("/", bootstrapRoutes);
app.route("/", inviteAcceptRoutes);
app.route("/", authRoutes);

app.use("/v1/*", authenticate());
app.route("/", meRoutes);
app.route("/", teamRoutes);
app.route("/", teamMemberRoutes);
app.route("/", memberRoutes);
app.route("/", inviteRoutes);
app.route("/", tokenRoutes);
app.route("/", issuerRoutes);
app.route("/", auditRoutes);
app.route("/", escalationRoutes);
app.route("/", configurationRoutes);
app.route("/", gatewayRoutes);
app.route("/", eventRoutes);
app.route("/", exportRoutes);
app.route("/", walletRoutes);
app.route("/", costTicketRoutes);
app.route("/", pricingRoutes);
app.route("/", usageRoutes);

app.notFound(() => {
  throw new Problem(404, "not_found", "Not found", "no such endpoint on the control API");
});
app.onError(onProblem);

export default {
  fetch: app.fetch,
  /** The daily cron (wrangler.toml): deletes events past their retention, in bounded batches. */
  scheduled(_controller, env, ctx) {
    ctx.waitUntil(
      applyRetention(env.DB).then((report) =>
        console.log(JSON.stringify({ level: "info", message: "retention", ...report })),
      ),
    );
  },
} satisfies ExportedHandler<ControlApp["Bindings"]>;
