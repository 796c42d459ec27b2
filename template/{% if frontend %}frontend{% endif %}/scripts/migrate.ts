// Creates or updates Better Auth's tables (user, session, account, verification, jwks).
// Run with `npm run migrate` (the @better-auth/cli needs Node 22; this works on Node 20).
import "./load-env";

try {
  const { auth } = await import("../lib/auth");
  await (await auth.$context).runMigrations();
  console.log("Better Auth tables are up to date.");
} catch (error) {
  console.error(`migrate: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
