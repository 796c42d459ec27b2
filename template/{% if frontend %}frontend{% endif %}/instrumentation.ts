// Runs once when the server starts (Next.js instrumentation): the worker that retries account
// deletions a backend has not confirmed yet (lib/account-deletion.ts).
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { startAccountDeletionWorker } = await import("./lib/account-deletion");
  startAccountDeletionWorker();
}
