import { readFileSync } from "node:fs";

/**
 * A CPU profile of one workerd isolate over the DevTools protocol (Node's global
 * WebSocket), summarised per function and per source module of the bundle, so a
 * slow gateway can be explained with file and function names.
 */

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

/** The `Profiler.stop` answer of the DevTools protocol. */
export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Records a CPU profile of the isolate behind `webSocketUrl` while `during` runs. */
export async function profileIsolate(
  webSocketUrl: string,
  during: () => Promise<void>,
  intervalMicroseconds = 200,
): Promise<CpuProfile> {
  const socket = new WebSocket(webSocketUrl);
  await new Promise<void>((resolve, reject) => {
    socket.addEventListener("open", () => resolve(), { once: true });
    socket.addEventListener("error", () => reject(new Error(`cannot open ${webSocketUrl}`)), {
      once: true,
    });
  });
  let next = 0;
  const waiting = new Map<number, (result: unknown) => void>();
  socket.addEventListener("message", (event) => {
    const message = JSON.parse(String(event.data)) as { id?: number; result?: unknown };
    if (message.id !== undefined) waiting.get(message.id)?.(message.result);
  });
  const call = (method: string, params: Record<string, unknown> = {}) =>
    new Promise<unknown>((resolve, reject) => {
      next += 1;
      const id = next;
      const timer = setTimeout(() => reject(new Error(`${method}: no answer`)), 30_000);
      waiting.set(id, (result) => {
        clearTimeout(timer);
        waiting.delete(id);
        resolve(result);
      });
      socket.send(JSON.stringify({ id, method, params }));
    });
  try {
    await call("Profiler.enable");
    await call("Profiler.setSamplingInterval", { interval: intervalMicroseconds });
    await call("Profiler.start");
    await during();
    const { profile } = (await call("Profiler.stop")) as { profile: CpuProfile };
    return profile;
  } finally {
    socket.close();
  }
}

/** One line of a profile summary: a function (or module) and its share of the samples. */
export interface ProfileRow {
  name: string;
  module: string;
  selfPercent: number;
  totalPercent: number;
}

/** Maps bundle lines to the source module esbuild noted above them (`// workers/…/x.ts`). */
function moduleIndex(bundlePath: string): (line: number) => string {
  const starts: Array<{ line: number; module: string }> = [];
  readFileSync(bundlePath, "utf8")
    .split("\n")
    .forEach((text, line) => {
      const match = /^\/\/ ((?:[\w@.-]+\/)+[\w@.-]+\.[cm]?[jt]s)$/.exec(text);
      if (match?.[1]) starts.push({ line, module: match[1] });
    });
  return (line) => {
    let low = 0;
    let high = starts.length - 1;
    let found = "";
    while (low <= high) {
      const middle = (low + high) >> 1;
      const start = starts[middle];
      if (!start) break;
      if (start.line <= line) {
        found = start.module;
        low = middle + 1;
      } else high = middle - 1;
    }
    return found;
  };
}

const IDLE = new Set(["(idle)", "(root)"]);

/**
 * Self and inclusive time per function (inclusive counts a function once per
 * sample, however deep it recurses), as a percentage of the non-idle samples.
 * Frames from the bundle are named with their source module.
 */
export function summarizeProfile(
  profile: CpuProfile,
  bundlePath: string,
): { byFunction: ProfileRow[]; byModule: ProfileRow[]; busyMs: number } {
  const moduleOf = moduleIndex(bundlePath);
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parent.set(child, node.id);
  const label = (node: ProfileNode) => {
    const { functionName, url, lineNumber } = node.callFrame;
    const module = url.endsWith("worker.js") ? moduleOf(lineNumber) : url || "(native)";
    return { name: functionName || "(anonymous)", module };
  };
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  const moduleSelf = new Map<string, number>();
  const moduleTotal = new Map<string, number>();
  let busy = 0;
  profile.samples.forEach((sample, index) => {
    const node = byId.get(sample);
    const delta = profile.timeDeltas[index + 1] ?? profile.timeDeltas[index] ?? 0;
    if (!node || IDLE.has(node.callFrame.functionName)) return;
    busy += delta;
    const own = label(node);
    const key = `${own.name}\t${own.module}`;
    self.set(key, (self.get(key) ?? 0) + delta);
    moduleSelf.set(own.module, (moduleSelf.get(own.module) ?? 0) + delta);
    const seen = new Set<string>();
    const seenModules = new Set<string>();
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      const frame = byId.get(id);
      if (!frame || IDLE.has(frame.callFrame.functionName)) continue;
      const { name, module } = label(frame);
      const frameKey = `${name}\t${module}`;
      if (!seen.has(frameKey)) {
        seen.add(frameKey);
        total.set(frameKey, (total.get(frameKey) ?? 0) + delta);
      }
      if (!seenModules.has(module)) {
        seenModules.add(module);
        moduleTotal.set(module, (moduleTotal.get(module) ?? 0) + delta);
      }
    }
  });
  const percent = (value: number) => (busy > 0 ? (value * 100) / busy : 0);
  const byFunction = [...total.entries()].map(([key, value]) => {
    const [name = "", module = ""] = key.split("\t");
    return {
      name,
      module,
      selfPercent: percent(self.get(key) ?? 0),
      totalPercent: percent(value),
    };
  });
  const byModule = [...moduleTotal.entries()].map(([module, value]) => ({
    name: "",
    module,
    selfPercent: percent(moduleSelf.get(module) ?? 0),
    totalPercent: percent(value),
  }));
  return { byFunction, byModule, busyMs: busy / 1000 };
}
