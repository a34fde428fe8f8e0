import { defineConfig } from "drizzle-kit";

/** The drizzle schema is the source; `npm run db:generate` writes d1-migrations/. */
export default defineConfig({
  dialect: "sqlite",
  schema: "./workers/db/schema.ts",
  out: "./d1-migrations",
});
