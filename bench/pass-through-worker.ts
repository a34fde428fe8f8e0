import { Hono } from "hono";

/**
 * The physical limit of any gateway on Workers: a Hono worker that forwards the
 * request unchanged to `UPSTREAM_URL` and streams the answer back. Run under
 * workerd exactly like the gateway, so the difference between the two is ours.
 */
const app = new Hono<{ Bindings: { UPSTREAM_URL: string } }>();

app.all("*", (c) => {
  const url = new URL(c.req.url);
  return fetch(new Request(new URL(url.pathname + url.search, c.env.UPSTREAM_URL), c.req.raw));
});

/** The worker's module export (Hono's `fetch`). */
export default app;
