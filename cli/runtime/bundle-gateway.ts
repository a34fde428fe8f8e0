import { build } from "esbuild";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root (this file lives in cli/runtime/). */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/**
 * Bundles a worker the way wrangler does (ES module, YAML as text, cloudflare:*
 * left to the runtime), so plain workerd can run the very same code.
 */
export async function bundleWorker(entry: string): Promise<string> {
  const outdir = await mkdtemp(path.join(tmpdir(), "kt-worker-"));
  const outfile = path.join(outdir, "worker.js");
  await build({
    entryPoints: [path.resolve(ROOT, entry)],
    outfile,
    bundle: true,
    format: "esm",
    platform: "browser",
    conditions: ["workerd", "worker", "browser"],
    target: "es2022",
    loader: { ".yaml": "text" },
    external: ["cloudflare:*", "node:*"],
    logLevel: "silent",
  });
  return outfile;
}
