import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

/**
 * Linux /proc readings: the steadiest figures of a benchmark on a shared
 * machine are CPU time and memory of the processes under test, not wall time.
 */

let ticksPerSecond: number | undefined;

function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync("getconf", ["CLK_TCK"]).toString().trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** User+system CPU milliseconds a process has used so far (all its threads). */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const user = Number(fields[11]);
  const system = Number(fields[12]);
  return ((user + system) * 1000) / clockTicks();
}

/** Summed CPU milliseconds of several processes. */
export function totalCpuMs(pids: readonly number[]): number {
  return pids.reduce((sum, pid) => sum + cpuMs(pid), 0);
}

/** Resident set size of a process in MiB. */
export function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  return match ? Number(match[1]) / 1024 : 0;
}

/** Direct children of a process (from /proc/<pid>/task/<tid>/children). */
export function childPids(pid: number = process.pid): number[] {
  const children = new Set<number>();
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    let text: string;
    try {
      text = readFileSync(`/proc/${pid}/task/${task}/children`, "utf8");
    } catch {
      continue;
    }
    for (const child of text.trim().split(/\s+/)) if (child) children.add(Number(child));
  }
  return [...children];
}

/** The command name of a process (`workerd`, `node`…). */
export function commandName(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, "utf8").trim();
  } catch {
    return "";
  }
}

/** Runs `start` and returns the new `workerd` children it spawned, with its result. */
export async function withNewWorkerd<T>(
  start: () => Promise<T>,
): Promise<{ value: T; pids: number[] }> {
  const before = new Set(childPids());
  const value = await start();
  const pids = childPids().filter((pid) => !before.has(pid) && commandName(pid) === "workerd");
  if (pids.length === 0)
    throw new Error("could not find the workerd process of a miniflare instance");
  return { value, pids };
}

/**
 * Waits until the processes are quiet (under `busyMs` of CPU per second), at most
 * `maxMs`: a gateway under load defers its decision-event writes, and they must
 * land before its CPU and memory are read. Returns the milliseconds waited.
 */
export async function waitForQuiet(
  pids: readonly number[],
  busyMs = 20,
  maxMs = 60_000,
): Promise<number> {
  const started = performance.now();
  let last = totalCpuMs(pids);
  while (performance.now() - started < maxMs) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const now = totalCpuMs(pids);
    if (now - last < busyMs) break;
    last = now;
  }
  return performance.now() - started;
}
