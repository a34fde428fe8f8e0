import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

export default defineConfig(async () => {
  const migrations = await readD1Migrations("./d1-migrations");
  return {
    test: {
      projects: [
        {
          test: {
            name: "node",
            environment: "node",
            include: ["workers/policy/test/**/*.test.ts", "cli/test/**/*.test.ts"],
            testTimeout: 60_000,
          },
        },
        {
          plugins: [
            cloudflareTest({
              wrangler: { configPath: "./wrangler.toml" },
              miniflare: {
                bindings: { TEST_MIGRATIONS: migrations },
                queueConsumers: { "keeptrusts-events": { maxBatchTimeout: 0.05 } },
              },
            }),
          ],
          test: {
            name: "workers",
            include: ["workers/gateway/test/**/*.test.ts", "durable-objects/**/*.test.ts"],
            setupFiles: ["./test-support/apply-migrations.ts"],
            globalSetup: ["./workers/gateway/test/global-setup.ts"],
          },
        },
        {
          plugins: [
            cloudflareTest({
              wrangler: { configPath: "./workers/control/wrangler.toml" },
              // The control worker plus the EscalationDO it reaches in the gateway worker
              // (script_name) in production: here the class runs beside it, same code.
              main: "./workers/control/test/test-main.ts",
              miniflare: {
                bindings: {
                  TEST_MIGRATIONS: migrations,
                  KEEPTRUSTS_SESSION_SECRET: "test-session-secret-at-least-32-characters",
                  KEEPTRUSTS_BOOTSTRAP_TOKEN: "test-bootstrap-token",
                },
                durableObjects: {
                  ESCALATIONS: { className: "EscalationDO", useSQLite: true },
                  LEDGER: { className: "LedgerDO", useSQLite: true },
                },
              },
            }),
          ],
          test: {
            name: "control",
            include: ["workers/control/test/**/*.test.ts"],
            setupFiles: ["./test-support/apply-migrations.ts"],
            globalSetup: ["./workers/control/test/global-setup.ts"],
          },
        },
      ],
    },
  };
});
