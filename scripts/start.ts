/**
 * `npm start`: migrates the local D1 database, then runs the gateway with
 * `wrangler dev` on http://127.0.0.1:41002 over one shared --persist-to folder.
 * Ctrl-C ends every child it started.
 */
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const persistTo = path.join(root, ".wrangler", "state");
const environment = { ...process.env, WRANGLER_SEND_METRICS: "false" };
const children = new Set<ChildProcess>();

function run(args: string[], name: string): ChildProcess {
  const child = spawn("npx", ["wrangler", ...args], {
    cwd: root,
    env: environment,
    stdio: ["ignore", "inherit", "inherit"],
  });
  children.add(child);
  child.on("exit", (code) => {
    children.delete(child);
    if (code && code !== 0) {
      console.error(`${name} exited with code ${code}`);
      stop(code);
    }
  });
  return child;
}

function stop(code = 0): void {
  for (const child of children) child.kill("SIGTERM");
  process.exit(code);
}

process.on("SIGINT", () => stop(0));
process.on("SIGTERM", () => stop(0));

const migrate = run(
  ["d1", "migrations", "apply", "DB", "--local", "--persist-to", persistTo],
  "migrations",
);
migrate.on("exit", (code) => {
  if (code !== 0) return;
  run(
    [
      "dev",
      "--ip",
      "127.0.0.1",
      "--port",
      "41002",
      "--inspector-port",
      "41102",
      "--persist-to",
      persistTo,
    ],
    "gateway",
  );
  console.log(
    "\nKeeptrusts gateway: http://127.0.0.1:41002  (health: /health, config: /keeptrusts/config)\n",
  );
});
