/**
 * `npm start`: migrates the local D1 database, then runs the gateway
 * (http://127.0.0.1:41002) and the control API (http://127.0.0.1:41003), each in its
 * own `wrangler dev` over one shared --persist-to folder, so both see the same D1.
 * Ctrl-C ends every child it started.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
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
  const common = ["--ip", "127.0.0.1", "--persist-to", persistTo];
  run(
    [
      "dev",
      ...common,
      "--port",
      "41002",
      "--inspector-port",
      "41102",
      "--var",
      "KEEPTRUSTS_AUTH:optional",
    ],
    "gateway",
  );
  // A session secret for this run only: restarting signs everyone out, which is fine locally.
  const sessionSecret = process.env.KEEPTRUSTS_SESSION_SECRET ?? randomBytes(32).toString("hex");
  run(
    [
      "dev",
      "--config",
      "workers/control/wrangler.toml",
      ...common,
      "--port",
      "41003",
      "--inspector-port",
      "41103",
      "--var",
      `KEEPTRUSTS_SESSION_SECRET:${sessionSecret}`,
    ],
    "control",
  );
  console.log(
    "\nKeeptrusts gateway:     http://127.0.0.1:41002  (health: /health, config: /keeptrusts/config)",
  );
  console.log(
    "Keeptrusts control API: http://127.0.0.1:41003  (OpenAPI: /v1/openapi.json; first run: npx kt init)\n",
  );
});
