import bundledConfig from "../../../policy-config.yaml";
import {
  compileChain,
  parseConfig,
  type CompiledChain,
  type GatewayConfig,
} from "../../policy/index.ts";
import { GatewayError } from "../errors.ts";

/** A config ready to serve: parsed, compiled, with its hash for events and `/keeptrusts/config`. */
export interface LoadedConfig {
  config: GatewayConfig;
  chain: CompiledChain;
  /** SHA-256 of the YAML text, hex. */
  hash: string;
  source: "bundled" | "environment" | "control-plane";
}

const cache = new Map<string, Promise<LoadedConfig>>();
let last:
  { text: string; source: LoadedConfig["source"]; loaded: Promise<LoadedConfig> } | undefined;
const MAX_CACHED = 8;

async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

async function load(text: string, source: LoadedConfig["source"]): Promise<LoadedConfig> {
  const result = parseConfig(text);
  if (!result.ok) {
    const first = result.errors[0];
    const where = first ? ` (line ${first.line}, column ${first.column}: ${first.message})` : "";
    throw new GatewayError(
      503,
      "invalid_config",
      `the gateway's policy configuration is invalid${where}`,
    );
  }
  return {
    config: result.config,
    chain: compileChain(result.config),
    hash: await sha256(text),
    source,
  };
}

/** Parses and compiles a config text once per distinct text and source. */
export function loadConfigText(
  text: string,
  source: LoadedConfig["source"],
): Promise<LoadedConfig> {
  // Every request asks for the same text: answer it without building and hashing a key.
  if (last && last.text === text && last.source === source) return last.loaded;
  const key = `${source}\u0000${text}`;
  let loaded = cache.get(key);
  if (!loaded) {
    if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value as string);
    const loading = load(text, source);
    loading.catch(() => {
      cache.delete(key);
      if (last?.loaded === loading) last = undefined;
    });
    cache.set(key, loading);
    loaded = loading;
  }
  last = { text, source, loaded };
  return loaded;
}

/**
 * The config this isolate serves when the control plane names none:
 * KEEPTRUSTS_POLICY_CONFIG when set, else the bundled policy-config.yaml.
 */
export function loadConfig(environmentText: string | undefined): Promise<LoadedConfig> {
  return environmentText === undefined
    ? loadConfigText(bundledConfig, "bundled")
    : loadConfigText(environmentText, "environment");
}
