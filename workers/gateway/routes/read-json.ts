import type { Context } from "hono";
import type { z } from "zod";
import type { GatewayApp } from "../env.ts";
import { GatewayError } from "../errors.ts";

/** Reads and validates a JSON body: 400 `invalid_json` or `invalid_request` naming the field. */
export async function readJson<Schema extends z.ZodType>(
  c: Context<GatewayApp>,
  schema: Schema,
): Promise<z.infer<Schema>> {
  let raw: unknown;
  try {
    raw = await c.req.json();
  } catch (error) {
    if (error instanceof GatewayError) throw error;
    throw new GatewayError(400, "invalid_json", "the request body is not valid JSON");
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const param = issue?.path.map(String).join(".") || null;
    throw new GatewayError(
      400,
      "invalid_request",
      `${param ? `${param}: ` : ""}${issue?.message ?? "invalid body"}`,
      { param },
    );
  }
  return parsed.data;
}
