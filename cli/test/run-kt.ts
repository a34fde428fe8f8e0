import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root (this file lives in cli/test/). */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
/** The real `kt` entry point, run as a child process like a user runs it. */
export const KT = path.join(ROOT, "cli/bin/kt.js");

/** How a child process ended, with everything it printed. */
export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Where and with what environment to run a child. */
export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

/** The test's environment, with this Node and the project's tools first on PATH. */
function childEnvironment(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const binaries = [path.dirname(process.execPath), path.join(ROOT, "node_modules/.bin")];
  return {
    ...process.env,
    PATH: [...binaries, process.env.PATH ?? ""].join(path.delimiter),
    WRANGLER_SEND_METRICS: "false",
    NO_COLOR: "1",
    ...extra,
  };
}

/** A running child whose output is collected as it arrives. */
export interface Started {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the first match of `pattern` in stdout + stderr, or rejects after `timeoutMs`. */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray>;
  exited: Promise<Finished>;
}

/** Starts `node <args>` with the test's own Node 22 binary. */
export function startNode(args: string[], options: RunOptions = {}): Started {
  const child = spawn(process.execPath, args, {
    cwd: options.cwd ?? ROOT,
    env: childEnvironment(options.env),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const exited = new Promise<Finished>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  const waitFor = (pattern: RegExp, timeoutMs: number) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const deadline = Date.now() + timeoutMs;
      const check = () => {
        const match = (stdout + stderr).match(pattern);
        if (match) return resolve(match);
        if (child.exitCode !== null || child.signalCode !== null || Date.now() > deadline) {
          return reject(
            new Error(`no ${String(pattern)} in the output:\n${stdout}\n--- stderr ---\n${stderr}`),
          );
        }
        setTimeout(check, 100);
      };
      check();
    });
  return { child, stdout: () => stdout, stderr: () => stderr, waitFor, exited };
}

/** Runs `node <args>` to the end. */
export function runNode(args: string[], options: RunOptions = {}): Promise<Finished> {
  return startNode(args, options).exited;
}

/** Runs `kt <args>` to the end. */
export function runKt(args: string[], options: RunOptions = {}): Promise<Finished> {
  return runNode([KT, ...args], options);
}

/** A fresh temporary folder for one test file. */
export function temporaryFolder(): Promise<string> {
  return mkdtemp(path.join(tmpdir(), "kt-cli-test-"));
}
