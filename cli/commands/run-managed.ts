import path from "node:path";
import { InvalidArgumentError, Option, type Command } from "commander";
import { normaliseApiUrl } from "../runtime/managed/control-client.ts";
import { BUG_EXIT_CODE, UserError } from "../user-error.ts";
import { parseListen } from "./gateway-run.ts";

/** Where a managed gateway listens unless told otherwise: every interface, as in the docs. */
export const MANAGED_LISTEN = "0.0.0.0:8080";
/** Where managed gateways keep their config cache and event spool (`<dir>/managed/<gateway-id>/`). */
export const MANAGED_PERSIST_TO = ".kt";

interface RunFlags {
  managed?: boolean;
  gatewayId?: string;
  apiUrl?: string;
  gatewayToken?: string;
  listen: { host: string; port: number };
  upstream?: string;
  pollInterval: number;
  persistTo: string;
}

/** Parses `30`, `30s`, `1500ms` or `2m` into milliseconds (at least one second). */
export function parseInterval(value: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(value.trim());
  const unit = match?.[2] ?? "s";
  const milliseconds = Number(match?.[1]) * (unit === "ms" ? 1 : unit === "m" ? 60_000 : 1000);
  if (!match || !Number.isFinite(milliseconds) || milliseconds < 1000) {
    throw new InvalidArgumentError("expected a duration of at least 1s, for example 30s or 2m");
  }
  return Math.round(milliseconds);
}

function httpUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError("expected an http(s) URL");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new InvalidArgumentError("expected an http(s) URL");
  }
  return value;
}

function required(value: string | undefined, flag: string, variable: string): string {
  if (!value) throw new UserError(`kt run --managed needs ${flag} (or ${variable})`);
  return value;
}

async function run(flags: RunFlags): Promise<void> {
  if (!flags.managed) {
    throw new UserError(
      "kt run serves a gateway managed by the control plane: add --managed. To serve a local policy-config.yaml, use: kt gateway run --policy-config <file>",
    );
  }
  const gatewayId = required(flags.gatewayId, "--gateway-id", "KEEPTRUSTS_GATEWAY_ID");
  const apiUrl = normaliseApiUrl(required(flags.apiUrl, "--api-url", "KEEPTRUSTS_API_URL"));
  const gatewayToken = required(flags.gatewayToken, "--gateway-token", "KEEPTRUSTS_GATEWAY_TOKEN");
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(gatewayId)) {
    throw new UserError(`--gateway-id ${gatewayId}: not a gateway id (letters, digits, _ and -)`);
  }
  const stateDir = path.resolve(flags.persistTo, "managed", gatewayId);
  if (flags.upstream) {
    console.error(
      `warning: --upstream ${flags.upstream}: every target's base_url is replaced (debugging only; events carry the rewritten config's hash)`,
    );
  }
  // Loaded on use: miniflare takes seconds to import, and most kt commands never need it.
  const { startManagedGateway } = await import("../runtime/managed-gateway.ts");
  const gateway = await startManagedGateway({
    gatewayId,
    apiUrl,
    gatewayToken,
    host: flags.listen.host,
    port: flags.listen.port,
    ...(flags.upstream ? { upstream: flags.upstream } : {}),
    pollIntervalMs: flags.pollInterval,
    stateDir,
    environment: process.env,
    say: (message) => console.log(message),
    warn: (message) => console.error(message),
  });

  const origin = gateway.url.origin;
  const { config } = gateway.health();
  const from = config.source === "cache" ? "the disk cache" : "the control plane";
  console.log(
    `Keeptrusts managed gateway ${gatewayId} listening on ${origin} (version ${config.version} from ${from})`,
  );
  console.log(`  control API:     ${apiUrl} (polled every ${flags.pollInterval / 1000} s)`);
  console.log(`  OpenAI base URL: ${origin}/v1`);
  console.log(`  health:          ${origin}/health`);
  console.log(`  state:           ${stateDir}`);
  console.log("Press Ctrl-C to stop.");

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) process.exit(130); // a second signal: stop waiting
    stopping = true;
    console.log(`${signal}: draining requests and stopping the gateway`);
    gateway.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error("kt: the gateway did not stop cleanly:", error);
        process.exit(BUG_EXIT_CODE);
      },
    );
  };
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.removeAllListeners(signal);
    process.on(signal, stop);
  }
}

/** Registers `kt run --managed`: a gateway whose config the control plane rolls out. */
export function registerRun(program: Command): void {
  program
    .command("run")
    .description(
      "Run a managed gateway: its policy config comes from the control plane, which rolls out new versions.",
    )
    .option("--managed", "take the config from the control plane (required)")
    .addOption(
      new Option("--gateway-id <id>", "this gateway's id in the control plane").env(
        "KEEPTRUSTS_GATEWAY_ID",
      ),
    )
    .addOption(
      new Option("--api-url <url>", "the control API").env("KEEPTRUSTS_API_URL").argParser(httpUrl),
    )
    .addOption(
      new Option(
        "--gateway-token <token>",
        "the gateway token, shown once when the gateway was created; prefer the variable, which ps does not show",
      ).env("KEEPTRUSTS_GATEWAY_TOKEN"),
    )
    .addOption(
      new Option("-l, --listen <host:port>", "address to listen on; port 0 picks a free port")
        .argParser(parseListen)
        .default(parseListen(MANAGED_LISTEN), MANAGED_LISTEN),
    )
    .addOption(
      new Option("--upstream <url>", "debug: send every target to this base URL instead")
        .env("KEEPTRUSTS_UPSTREAM_URL")
        .argParser(httpUrl),
    )
    .addOption(
      new Option("--poll-interval <duration>", "how often to ask for a new version")
        .argParser(parseInterval)
        .default(30_000, "30s"),
    )
    .option(
      "--persist-to <dir>",
      "folder for the config cache and undelivered events",
      MANAGED_PERSIST_TO,
    )
    .addHelpText(
      "after",
      `
The gateway fetches the version rolled out to it, serves it, and polls for new
ones: a new version starts beside the running one and takes over new requests,
while requests (and streams) already under way finish on the old one. It reports
its running version and health in heartbeats and sends its decision events to
the control API in batches, retried with backoff.

If the control API cannot be reached, it serves the last version it received,
also after a restart (cached in <persist-to>/managed/<gateway-id>/config.json),
and says so in /health; events wait on disk until they can be delivered. With
neither the control API nor a cache it refuses to start (exit 1): it never
serves without its policies. Ctrl-C (SIGINT) or SIGTERM drains and exits 0.

Examples:
  $ kt run --managed --gateway-id gw_... --api-url https://control.example.com
      (with the gateway token in KEEPTRUSTS_GATEWAY_TOKEN)
  $ export KEEPTRUSTS_API_URL=https://control.example.com
  $ export KEEPTRUSTS_GATEWAY_ID=gw_... KEEPTRUSTS_GATEWAY_TOKEN=kt_ak_...
  $ kt run --managed --listen 127.0.0.1:9000 --poll-interval 10s
  $ curl http://127.0.0.1:9000/health
  $ kt run --managed --upstream http://127.0.0.1:4010   # debug against a local fake provider`,
    )
    .action(async (flags: RunFlags) => {
      await run(flags);
    });
}
