import type { LoadedConfig } from "./config/loaded-config.ts";
import type { Identity } from "../policy/types.ts";
import type { GatewayKeyGrant } from "./identity/gateway-keys.ts";

/**
 * The gateway's bindings: the ones `wrangler types` generates, plus the optional
 * ones a deployment or `kt gateway run` may add. Provider secrets are looked up by
 * the name a config's `secret_key_ref.env` gives, so they are not listed here.
 */
export type GatewayEnv = Env & {
  /** A policy-config.yaml as text; overrides the bundled one. */
  KEEPTRUSTS_POLICY_CONFIG?: string;
  /** This hosted gateway's id in the control plane: it then serves the version rolled out to it. */
  KEEPTRUSTS_GATEWAY_ID?: string;
  /** How long versions read from the control plane are reused, in ms (default 5000). */
  KEEPTRUSTS_CONFIG_CACHE_MS?: string;
  /** `kt gateway run --events-log`: receives each decision event as JSON. */
  EVENTS_LOG?: Fetcher;
};

/** Per-request values the middleware hands to the routes. */
export interface GatewayVariables {
  requestId: string;
  config: LoadedConfig;
  /** A candidate version running beside `config` without enforcing (shadow mode). */
  shadow?: LoadedConfig;
  identity: Identity;
  /** The gateway key's grant, when the caller sent one. */
  grant?: GatewayKeyGrant;
}

/** The Hono environment of the gateway app. */
export interface GatewayApp {
  Bindings: GatewayEnv;
  Variables: GatewayVariables;
}
