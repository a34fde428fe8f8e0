import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { GatewayApp } from "./env.ts";

/** OpenAI error `type`s, so SDKs map them to their own error classes. */
export type ErrorType =
  | "invalid_request_error"
  | "authentication_error"
  | "permission_error"
  | "not_found_error"
  | "rate_limit_error"
  | "insufficient_quota"
  | "api_error"
  | "policy_violation";

/**
 * A failure with a public message and a stable code. Thrown anywhere in the
 * request path, rendered once by {@link onError} in OpenAI's error shape.
 */
export class GatewayError extends HTTPException {
  readonly code: string;
  readonly type: ErrorType;
  readonly param: string | null;
  readonly headers: Record<string, string>;
  readonly extra: Record<string, unknown>;

  constructor(
    status: ContentfulStatusCode,
    code: string,
    message: string,
    options: {
      type?: ErrorType;
      param?: string | null;
      headers?: Record<string, string>;
      extra?: Record<string, unknown>;
    } = {},
  ) {
    super(status, { message });
    this.code = code;
    this.type = options.type ?? (status >= 500 ? "api_error" : "invalid_request_error");
    this.param = options.param ?? null;
    this.headers = options.headers ?? {};
    this.extra = options.extra ?? {};
  }
}

/** The OpenAI-shaped error body every gateway failure uses. */
export function errorBody(error: GatewayError, requestId: string) {
  return {
    error: {
      message: error.message,
      type: error.type,
      param: error.param,
      code: error.code,
      request_id: requestId,
      ...error.extra,
    },
  };
}

/** Turns any thrown value into an OpenAI-shaped response; never leaks a stack trace. */
export function onError(error: Error, c: Context<GatewayApp>): Response {
  const requestId = c.get("requestId") ?? "unknown";
  let failure: GatewayError;
  if (error instanceof GatewayError) {
    failure = error;
  } else if (error instanceof HTTPException) {
    failure =
      error.status === 413
        ? new GatewayError(
            413,
            "payload_too_large",
            "request body is larger than this gateway accepts",
          )
        : new GatewayError(
            error.status as ContentfulStatusCode,
            "http_error",
            error.message || "request failed",
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
    failure = new GatewayError(500, "internal_error", "the gateway failed to handle this request");
  }
  return c.json(errorBody(failure, requestId), failure.status as ContentfulStatusCode, {
    "x-keeptrusts-request-id": requestId,
    ...failure.headers,
  });
}
