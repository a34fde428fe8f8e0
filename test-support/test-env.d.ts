import type { D1Migration } from "cloudflare:test";

declare global {
  namespace Cloudflare {
    interface Env {
      /** Test-only: the d1-migrations, applied by apply-migrations.ts. */
      TEST_MIGRATIONS: D1Migration[];
    }
  }
}
