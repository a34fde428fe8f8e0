import { Hono } from "hono";
import type { GatewayApp } from "../env.ts";

/** `GET /v1/models`: the models this gateway's config serves, in OpenAI's list shape. */
export const models = new Hono<GatewayApp>();

models.get("/models", (c) => {
  const { targets } = c.get("config").config;
  const seen = new Set<string>();
  const data = targets.flatMap((target) => {
    if (seen.has(target.model)) return [];
    seen.add(target.model);
    return [{ id: target.model, object: "model", created: 0, owned_by: target.provider }];
  });
  return c.json({ object: "list", data });
});
