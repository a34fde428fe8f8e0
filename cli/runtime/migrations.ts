import { readdir, readFile } from "node:fs/promises";
import path from "node:path";

interface MigrationDatabase {
  exec(query: string): Promise<unknown>;
  prepare(query: string): {
    bind(...values: unknown[]): { run(): Promise<unknown> };
    all<T>(): Promise<{ results: T[] }>;
  };
}

/**
 * Applies d1-migrations/*.sql in order, recording them in `d1_migrations` as
 * wrangler does, so `wrangler d1 migrations apply` and this agree on what ran.
 */
export async function applyMigrations(
  database: MigrationDatabase,
  directory: string,
): Promise<string[]> {
  await database.exec(
    "CREATE TABLE IF NOT EXISTS d1_migrations (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT UNIQUE, applied_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP)",
  );
  const done = new Set(
    (await database.prepare("SELECT name FROM d1_migrations").all<{ name: string }>()).results.map(
      (row) => row.name,
    ),
  );
  const files = (await readdir(directory)).filter((file) => file.endsWith(".sql")).sort();
  const applied: string[] = [];
  for (const file of files) {
    if (done.has(file)) continue;
    const sql = await readFile(path.join(directory, file), "utf8");
    for (const statement of sql.split("--> statement-breakpoint")) {
      const trimmed = statement.trim();
      if (trimmed) await database.prepare(trimmed).bind().run();
    }
    await database.prepare("INSERT INTO d1_migrations (name) VALUES (?)").bind(file).run();
    applied.push(file);
  }
  return applied;
}
