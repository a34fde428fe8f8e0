export { compileChain, outputScanner, runInput, targets } from "./chain.ts";
export type { CompiledChain, InputOutcome } from "./chain.ts";
export { parseConfig } from "./config/parse.ts";
export type { ConfigError, ParseResult } from "./config/parse.ts";
export { PROVIDER_NAMES } from "./config/schema.ts";
export type {
  ChainItemConfig,
  ConsumerGroupConfig,
  GatewayConfig,
  ProviderName,
  TargetConfig,
} from "./config/schema.ts";
export type { OutputScanner, PolicyContext } from "./policy.ts";
export { StreamWindow } from "./stream-window.ts";
export type * from "./types.ts";
