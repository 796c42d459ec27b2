import { Pool } from "pg";

/** Better Auth's own tables (users, sessions, accounts) in PostgreSQL: DATABASE_URL is the DSN. */
export function createAuthDatabase(): Pool {
  const connectionString = process.env.DATABASE_URL;
  if (!connectionString) {
    throw new Error("DATABASE_URL is not set (e.g. postgresql://user:password@localhost:5432/app)");
  }
  return new Pool({ connectionString }); // connects lazily, on the first query
}
