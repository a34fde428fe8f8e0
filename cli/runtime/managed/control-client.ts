import { z } from "zod";

/** How long one call to the control API may take before it counts as unreachable. */
const CALL_TIMEOUT_MS = 10_000;

const configPayload = z.object({ version: z.string(), sha256: z.string(), yaml: z.string() });
const configAnswer = z.looseObject({
  gateway_id: z.string(),
  config: configPayload.nullable(),
  poll_after_seconds: z.number().optional(),
});

/** A version the control plane asks this gateway to run. */
export type RolledOutConfig = z.infer<typeof configPayload>;

/** What `POST /v1/gateways/{id}/heartbeat` carries. */
export interface Heartbeat {
  running_version: string | null;
  running_hash: string | null;
  health: {
    serving: boolean;
    config_source?: "control-plane" | "cache";
    control_plane_reachable?: boolean;
    last_error?: string;
    pending_events?: number;
  };
}

/**
 * Why a call failed: `unreachable` (no answer: network, DNS, timeout), `rejected`
 * (400/413/422: this request is invalid, sending it again will not help),
 * `refused` (another 4xx, such as 401/403/404: the token or the gateway id is
 * wrong, retrying will not help until someone fixes it) or `failed` (5xx, 408,
 * 429, or an answer that makes no sense: the control API has a problem for now).
 */
export type CallFailure = {
  ok: false;
  kind: "unreachable" | "refused" | "rejected" | "failed";
  status?: number;
  /** From Retry-After, when the control API sent one. */
  retryAfterMs?: number;
  message: string;
};

/** A call's outcome as data: the value, or why not. */
export type CallResult<T> = { ok: true; value: T } | CallFailure;

/** Where the control API is and who this gateway is to it. */
export interface ControlClientOptions {
  apiUrl: string;
  gatewayId: string;
  token: string;
}

/** `http://host/` and `http://host/v1` both name the API root. */
export function normaliseApiUrl(apiUrl: string): string {
  return apiUrl.replace(/\/+$/, "").replace(/\/v1$/, "");
}

function retryAfter(response: Response): number | undefined {
  const seconds = Number(response.headers.get("retry-after"));
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : undefined;
}

async function problemText(response: Response): Promise<string> {
  const text = await response.text().catch(() => "");
  try {
    const body = JSON.parse(text) as { detail?: unknown; title?: unknown };
    const detail = typeof body.detail === "string" ? body.detail : undefined;
    const title = typeof body.title === "string" ? body.title : undefined;
    if (detail ?? title) return `${response.status} ${detail ?? title}`;
  } catch {
    // Not problem+json: fall through to the status line.
  }
  return `${response.status} ${response.statusText}`.trim();
}

function causeOf(error: unknown): string {
  if (error instanceof Error && error.name === "TimeoutError") return "timed out";
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
  if (typeof cause?.code === "string") return cause.code;
  if (typeof cause?.message === "string") return cause.message;
  return error instanceof Error ? error.message : String(error);
}

/**
 * The managed gateway's side of the control API, authenticated with its gateway
 * token: fetch the rolled-out version, report a heartbeat, deliver decision events.
 * Never throws: every outcome is a {@link CallResult}.
 */
export class ControlClient {
  readonly #root: string;
  readonly #gatewayId: string;
  readonly #token: string;

  constructor(options: ControlClientOptions) {
    this.#root = normaliseApiUrl(options.apiUrl);
    this.#gatewayId = options.gatewayId;
    this.#token = options.token;
  }

  async #call(method: "GET" | "POST", route: string, body?: unknown): Promise<CallResult<unknown>> {
    let response: Response;
    try {
      response = await fetch(`${this.#root}${route}`, {
        method,
        headers: {
          authorization: `Bearer ${this.#token}`,
          accept: "application/json",
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(CALL_TIMEOUT_MS),
      });
    } catch (error) {
      return { ok: false, kind: "unreachable", message: `${this.#root}: ${causeOf(error)}` };
    }
    if (!response.ok) {
      const status = response.status;
      const wait = retryAfter(response);
      const kind =
        status === 400 || status === 413 || status === 422
          ? "rejected"
          : status < 500 && status !== 408 && status !== 429
            ? "refused"
            : "failed";
      return {
        ok: false,
        kind,
        status,
        ...(wait === undefined ? {} : { retryAfterMs: wait }),
        message: `${method} ${route}: ${await problemText(response)}`,
      };
    }
    try {
      return { ok: true, value: response.status === 204 ? null : await response.json() };
    } catch {
      return { ok: false, kind: "failed", message: `${method} ${route}: the answer is not JSON` };
    }
  }

  /** The version rolled out to this gateway; `null` when none is. */
  async fetchConfig(): Promise<CallResult<RolledOutConfig | null>> {
    const route = `/v1/gateways/${encodeURIComponent(this.#gatewayId)}/config`;
    const result = await this.#call("GET", route);
    if (!result.ok) return result;
    const parsed = configAnswer.safeParse(result.value);
    if (!parsed.success) {
      return { ok: false, kind: "failed", message: `GET ${route}: unexpected answer` };
    }
    return { ok: true, value: parsed.data.config };
  }

  /** Reports what runs here and how it is doing. */
  async heartbeat(heartbeat: Heartbeat): Promise<CallResult<unknown>> {
    const route = `/v1/gateways/${encodeURIComponent(this.#gatewayId)}/heartbeat`;
    return this.#call("POST", route, heartbeat);
  }

  /** Delivers one batch of decision events (idempotent by request id on the other side). */
  async sendEvents(events: readonly unknown[]): Promise<CallResult<unknown>> {
    return this.#call("POST", "/v1/events/batch", { events });
  }
}
