import { drizzle } from "drizzle-orm/d1";
import * as schema from "./schema.ts";

/** A drizzle client over the shared D1 database. */
export function createDb(database: D1Database) {
  return drizzle(database, { schema });
}

/** The drizzle client type, for functions that take one. */
export type Db = ReturnType<typeof createDb>;
