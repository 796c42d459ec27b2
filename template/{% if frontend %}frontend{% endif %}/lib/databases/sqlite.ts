import { closeSync, existsSync, mkdirSync, openSync } from "node:fs";
import { dirname, resolve } from "node:path";
import Database from "better-sqlite3";

/** Better Auth's own tables (users, sessions, accounts) in a SQLite file: DATABASE_URL is its path. */
export function createAuthDatabase(): Database.Database {
  const value = (process.env.DATABASE_URL || "./better-auth.db").replace(/^file:/, "");
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    throw new Error(`DATABASE_URL must be a SQLite file path such as ./better-auth.db (got "${value}").`);
  }
  const path = resolve(value);
  mkdirSync(dirname(path), { recursive: true });
  // Users, sessions and password hashes: a new file is readable by its owner only (SQLite
  // gives the -wal and -shm files the same permissions).
  if (!existsSync(path)) closeSync(openSync(path, "a", 0o600));
  const db = new Database(path);
  db.pragma("journal_mode = WAL"); // readers never block the writer
  return db;
}
