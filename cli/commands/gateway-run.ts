import { mkdir, open, stat } from "node:fs/promises";
import path from "node:path";
import { InvalidArgumentError, Option, type Command } from "commander";
import type { RunningGateway } from "../runtime/start-gateway.ts";
import { BUG_EXIT_CODE, UserError } from "../user-error.ts";
import { lintConfigFile } from "./policy-lint.ts";

/** Where `kt gateway run` listens unless told otherwise: this machine only. */
export const DEFAULT_LISTEN = "127.0.0.1:8080";
/** Where `kt gateway run` keeps local D1 state, relative to the working directory. */
export const DEFAULT_PERSIST_TO = ".kt/state";
/** How long a stop waits for pending decision events to be stored before stopping anyway. */
const STOP_WAIT_LIMIT_S = 15;

interface GatewayRunFlags {
  listen: { host: string; port: number };
  policyConfig: string;
  eventsLog?: string;
  persistTo: string;
  maxBodyBytes?: number;
}

/** Parses `HOST:PORT`, `[IPv6]:PORT`, `:PORT` or `PORT` (port 0 picks a free port). */
export function parseListen(value: string): { host: string; port: number } {
  const match = /^(?:(?:\[([^\]]+)\]|([^:[\]]*)):)?(\d{1,5})$/.exec(value.trim());
  const port = Number(match?.[3]);
  if (!match || !Number.isInteger(port) || port > 65_535) {
    throw new InvalidArgumentError("expected HOST:PORT, for example 127.0.0.1:8080");
  }
  return { host: match[1] ?? (match[2] || "127.0.0.1"), port };
}

function parseByteCount(value: string): number {
  const bytes = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(bytes) || bytes < 1) {
    throw new InvalidArgumentError("expected a positive whole number of bytes");
  }
  return bytes;
}

/** Checks the events file can be appended to before the gateway starts, creating it. */
async function prepareEventsLog(file: string): Promise<string> {
  const absolute = path.resolve(file);
  const directory = path.dirname(absolute);
  const folder = await stat(directory).catch(() => undefined);
  if (!folder?.isDirectory()) throw new UserError(`--events-log ${file}: no folder ${directory}`);
  try {
    await (await open(absolute, "a")).close();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "error";
    throw new UserError(`--events-log ${file}: cannot be written (${code})`);
  }
  return absolute;
}

async function start(flags: GatewayRunFlags, configText: string): Promise<RunningGateway> {
  const { host, port } = flags.listen;
  try {
    // Loaded on use: miniflare takes seconds to import, and most kt commands never need it.
    const { startGateway } = await import("../runtime/start-gateway.ts");
    return await startGateway({
      host,
      port,
      configText,
      persistTo: flags.persistTo,
      environment: process.env,
      drainLimitMs: STOP_WAIT_LIMIT_S * 1_000,
      ...(flags.eventsLog ? { eventsLog: flags.eventsLog } : {}),
      ...(flags.maxBodyBytes ? { maxBodyBytes: flags.maxBodyBytes } : {}),
    });
  } catch (error) {
    const code = (error as { code?: unknown } | undefined)?.code;
    if (code === "ERR_ADDRESS_IN_USE") {
      throw new UserError(`cannot listen on ${host}:${port}: the address is already in use`);
    }
    if (error instanceof Error && /runtime failed to start/i.test(error.message)) {
      throw new UserError(`could not listen on ${host}:${port} (is the port in use?)`);
    }
    throw error;
  }
}

async function run(flags: GatewayRunFlags): Promise<void> {
  // With events on stdout, keep stdout for JSON lines only and talk on stderr.
  const say = flags.eventsLog === "-" ? console.error : console.log;
  const report = await lintConfigFile(flags.policyConfig);
  if (!report.ok) {
    for (const line of report.lines) console.log(line);
    process.exitCode = 1;
    return;
  }
  for (const line of report.lines) say(line);
  for (const target of report.config.targets) {
    const name = target.secret_key_ref?.env;
    if (name && !process.env[name]) {
      console.error(
        `warning: target "${target.id}" reads its key from ${name}, which is not set; requests routed to it will fail`,
      );
    }
  }
  const eventsLog =
    flags.eventsLog && flags.eventsLog !== "-"
      ? await prepareEventsLog(flags.eventsLog)
      : flags.eventsLog;
  const persistTo = path.resolve(flags.persistTo);
  await mkdir(persistTo, { recursive: true });
  const gateway = await start(
    { ...flags, persistTo, ...(eventsLog ? { eventsLog } : {}) },
    report.text,
  );

  const origin = gateway.url.origin;
  const { name, version } = report.config.pack;
  say(`Keeptrusts gateway "${name}" ${version} listening on ${origin}`);
  const { host } = flags.listen;
  if (!/^(?:127\.|localhost$|::1$)/.test(host)) {
    say(`  bound to ${host}: reachable from other machines`);
  }
  say(`  OpenAI base URL: ${origin}/v1`);
  say(`  health:          ${origin}/health`);
  say(`  config:          ${origin}/keeptrusts/config`);
  say(`  events:          ${eventsLog === "-" ? "stdout" : (eventsLog ?? "local D1 only")}`);
  say(`  state:           ${persistTo}`);
  say("Press Ctrl-C to stop.");

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) process.exit(130); // a second signal: stop waiting
    stopping = true;
    say(`${signal}: stopping the gateway (storing pending decision events…)`);
    gateway.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error("kt: the gateway did not stop cleanly:", error);
        process.exit(BUG_EXIT_CODE);
      },
    );
  };
  // Miniflare's exit hook answers these signals with process.exit(128 + n) before
  // the gateway is disposed; this command owns its signals and exits 0 once stopped.
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.removeAllListeners(signal);
    process.on(signal, stop);
  }
}

/** Registers `kt gateway run`: the gateway worker under workerd on this machine. */
export function registerGatewayRun(gateway: Command): void {
  gateway
    .command("run")
    .description(
      "Lint a policy config, then serve the governed gateway locally (workerd via miniflare, local D1).",
    )
    .requiredOption("-c, --policy-config <file>", "the policy-config.yaml to serve")
    .addOption(
      new Option("-l, --listen <host:port>", "address to listen on; port 0 picks a free port")
        .argParser(parseListen)
        .default(parseListen(DEFAULT_LISTEN), DEFAULT_LISTEN),
    )
    .option("--events-log <file|->", "also append each decision event as a JSON line (- = stdout)")
    .option("--persist-to <dir>", "folder for local D1 state", DEFAULT_PERSIST_TO)
    .option(
      "--max-body-bytes <n>",
      "largest request body accepted (default: 1048576)",
      parseByteCount,
    )
    .addHelpText(
      "after",
      `
Defaults: listens on ${DEFAULT_LISTEN} (this machine only; use --listen 0.0.0.0:8080 to
accept other hosts), keeps state in ${DEFAULT_PERSIST_TO} under the current folder.
The config is linted first: if it is invalid, the problems are printed as by
"kt policy lint" and the command exits 1 without starting. Provider keys come from
the environment variables named by each target's secret_key_ref.env.
With --events-log -, events go to stdout and every other message to stderr.
Ctrl-C (SIGINT) or SIGTERM stops the gateway and exits 0 once the decision events
of the requests already answered are stored in local D1 (a second or so; at most
${STOP_WAIT_LIMIT_S} s). A second Ctrl-C stops at once (exit 130), losing those still queued.

Examples:
  $ kt gateway run --policy-config examples/first-gateway.yaml
  $ OPENAI_API_KEY=sk-... kt gateway run --listen 127.0.0.1:9000 \\
      --policy-config examples/multi-team-governance.yaml --events-log .kt/events.jsonl
  $ curl http://127.0.0.1:8080/v1/chat/completions -H 'content-type: application/json' \\
      -d '{"model":"mock-echo","messages":[{"role":"user","content":"hi, I am ann@example.com"}]}'`,
    )
    .action(async (flags: GatewayRunFlags) => {
      await run(flags);
    });
}
