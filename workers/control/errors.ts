import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { z } from "zod";
import type { ControlApp } from "./env.ts";

/**
 * An RFC 7807 problem with a stable `code`. Thrown anywhere in the control
 * worker; rendered once by {@link onProblem} as `application/problem+json`.
 */
export class Problem extends HTTPException {
  readonly code: string;
  readonly title: string;
  readonly errors: ReadonlyArray<{ path: string; message: string }>;

  constructor(
    status: ContentfulStatusCode,
    code: string,
    title: string,
    detail?: string,
    errors: ReadonlyArray<{ path: string; message: string }> = [],
  ) {
    super(status, { message: detail ?? title });
    this.code = code;
    this.title = title;
    this.errors = errors;
  }
}

/** 404 that does not reveal whether the resource exists in another org. */
export function notFound(resource: string): Problem {
  return new Problem(404, "not_found", `${resource} not found`);
}

/** 403 for a caller who may not do this. */
export function forbidden(detail = "your role does not allow this"): Problem {
  return new Problem(403, "forbidden", "Forbidden", detail);
}

/** The validation hook of every route: zod issues become one 400 problem listing each field. */
export function validationHook(
  result: { success: true } | { success: false; error: z.ZodError },
): void {
  if (result.success) return;
  const errors = result.error.issues.map((issue) => ({
    path: issue.path.map(String).join("."),
    message: issue.message,
  }));
  throw new Problem(
    400,
    "invalid_request",
    "Invalid request",
    errors.map((error) => `${error.path || "body"}: ${error.message}`).join("; "),
    errors,
  );
}

/** Renders every failure as problem+json; never a stack trace. */
export function onProblem(error: Error, c: Context<ControlApp>): Response {
  const requestId = c.get("requestId") ?? "unknown";
  let problem: Problem;
  if (error instanceof Problem) problem = error;
  else if (error instanceof HTTPException) {
    problem =
      error.status === 413
        ? new Problem(413, "payload_too_large", "Payload too large")
        : error.status === 400
          ? new Problem(400, "invalid_json", "The request body is not valid JSON")
          : new Problem(
              error.status as ContentfulStatusCode,
              "http_error",
              error.message || "Request failed",
            );
  } else {
    console.error(
      JSON.stringify({
        level: "error",
        request_id: requestId,
        error: error.name,
        message: error.message,
      }),
    );
    problem = new Problem(
      500,
      "internal_error",
      "Internal error",
      "the control API failed to handle this request",
    );
  }
  const body = {
    type: `https://keeptrusts.dev/problems/${problem.code}`,
    title: problem.title,
    status: problem.status,
    detail: problem.message,
    code: problem.code,
    instance: requestId,
    ...(problem.errors.length ? { errors: problem.errors } : {}),
  };
  return new Response(JSON.stringify(body), {
    status: problem.status,
    headers: { "content-type": "application/problem+json", "x-keeptrusts-request-id": requestId },
  });
}
