import { OpenAPIHono, z } from "@hono/zod-openapi";
import type { ControlApp } from "../env.ts";
import { validationHook } from "../errors.ts";

/** A router whose validation failures render as our 400 problem. */
export function controlRouter() {
  return new OpenAPIHono<ControlApp>({ defaultHook: validationHook });
}

/** The problem+json body, for the OpenAPI document. */
export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.string(),
    instance: z.string(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .openapi("Problem");

/** A JSON request body. */
export function jsonBody<Schema extends z.ZodType>(schema: Schema) {
  return { content: { "application/json": { schema } }, required: true };
}

function problem(description: string) {
  return { description, content: { "application/problem+json": { schema: ProblemSchema } } };
}

const PROBLEMS = {
  400: problem("Invalid request"),
  401: problem("Not authenticated"),
  403: problem("Not allowed"),
  404: problem("Not found (or in another org)"),
  409: problem("Conflict"),
};

/** The usual responses of a route: the success and the problems it can answer. */
export function responses<Status extends 200 | 201, Schema extends z.ZodType>(
  status: Status,
  schema: Schema,
  description: string,
) {
  const success = { description, content: { "application/json": { schema } } };
  return { ...PROBLEMS, [status]: success } as typeof PROBLEMS & { [K in Status]: typeof success };
}

/** A path id parameter. */
export const IdParam = z.object({
  id: z
    .string()
    .min(1)
    .max(200)
    .openapi({ param: { name: "id", in: "path" } }),
});

/** Cursor pagination query: `limit` and an opaque `cursor`. */
export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
});

/** Accepts an email in any case; stores it lower-cased. */
export const Email = z
  .email()
  .max(320)
  .transform((value) => value.toLowerCase());

/** Human names of resources: trimmed, 1–100 characters, no control characters. */
export const Name = z
  .string()
  .trim()
  .min(1)
  .max(100)
  // eslint-disable-next-line no-control-regex -- control characters are exactly what this refuses
  .regex(/^[^\u0000-\u001f]+$/, "must not contain control characters");
