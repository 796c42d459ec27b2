// DELETING AN ACCOUNT, IN BETTER AUTH AND IN EVERY BACKEND (server-only).
//
// Better Auth's POST /api/auth/delete-user (authClient.deleteUser) deletes the user, their sessions
// and accounts. The backends share no database with it, so once the user is gone (afterDelete) each
// backend of ACCOUNT_BACKENDS is told to delete that user's data: DELETE <backend>/api/me with a JWT
// minted here for that user (the same kind of token the browser uses). The backend deletes every
// row the user owned and keeps a tombstone, so the user's tokens that are still unexpired open
// nothing there any more (backend: app/api/account_deletion.py).
//
// Each (user, backend) pair is first written to an outbox table in the auth database
// (accountDeletion), then tried at once; a backend that is down or answers anything but 204 keeps
// its row, and the worker started with the server (instrumentation.ts) tries again with a growing
// delay (ACCOUNT_DELETION_RETRY_SECONDS, doubling up to ACCOUNT_DELETION_RETRY_MAX_SECONDS) until
// that backend confirmed. A row holds the user id only; a token is minted for every attempt.
//
// Deleting needs the password (accounts that have one); an account without a password (social
// sign-in) needs a fresh session instead (Better Auth's freshAge: signed in within a day).
import type { BetterAuthPlugin, User } from "better-auth";
import { APIError, createAuthMiddleware, getSessionFromCtx } from "better-auth/api";

import { backendUrl, HTTP_URL } from "./backend-url";

export const OUTBOX = "accountDeletion";
const ATTEMPT_TIMEOUT_MS = 10_000;
const BATCH = 50;

type OutboxRow = { id: string; userId: string; backend: string; attempts: number; nextAttemptAt: Date };

function positiveSeconds(name: string, fallback: number, env: NodeJS.ProcessEnv): number {
  const raw = (env[name] ?? "").trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) {
    throw new Error(`${name} must be a positive number of seconds (got "${raw}").`);
  }
  return value;
}

/** The retry schedule: the first delay, and the longest one (the delay doubles up to it). */
export function retrySettings(env: NodeJS.ProcessEnv = process.env): { baseSeconds: number; maxSeconds: number } {
  const baseSeconds = positiveSeconds("ACCOUNT_DELETION_RETRY_SECONDS", 30, env);
  const maxSeconds = Math.max(baseSeconds, positiveSeconds("ACCOUNT_DELETION_RETRY_MAX_SECONDS", 3600, env));
  return { baseSeconds, maxSeconds };
}

/** ACCOUNT_BACKENDS: the comma-separated base URLs of every backend that holds user data (each a
 * generated backend, with DELETE /api/me); BACKEND_URL when not set. */
export function accountBackends(env: NodeJS.ProcessEnv = process.env): string[] {
  const raw = (env.ACCOUNT_BACKENDS ?? "").trim();
  const urls = raw ? raw.split(",").map((url) => url.trim().replace(/\/+$/, "")).filter(Boolean) : [backendUrl(env)];
  const invalid = urls.filter((url) => !HTTP_URL.test(url));
  if (invalid.length > 0 || urls.length === 0) {
    throw new Error(
      `ACCOUNT_BACKENDS must list http(s) URLs separated by commas, e.g. http://localhost:8000,http://localhost:8001 ` +
        `(got ${invalid.map((url) => JSON.stringify(url)).join(", ") || "nothing"}).`,
    );
  }
  return [...new Set(urls)];
}

/** The delay before attempt number `attempts` + 1, in milliseconds. */
export function retryDelayMs(attempts: number, env: NodeJS.ProcessEnv = process.env): number {
  const { baseSeconds, maxSeconds } = retrySettings(env);
  return Math.min(maxSeconds, baseSeconds * 2 ** Math.max(0, attempts - 1)) * 1000;
}

async function authContext() {
  const { auth } = await import("./auth"); // lib/auth.ts imports this module: load it lazily
  return { auth, context: await auth.$context };
}

/** One attempt: true once the backend confirmed (204). Never throws; never logs the token. */
async function notify(row: Pick<OutboxRow, "userId" | "backend">): Promise<{ ok: boolean; why: string }> {
  try {
    const { auth } = await authContext();
    const { token } = await auth.api.signJWT({
      body: { payload: { sub: row.userId, id: row.userId, iat: Math.floor(Date.now() / 1000) } },
    });
    const response = await fetch(`${row.backend}/api/me`, {
      method: "DELETE",
      headers: { Authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS),
    });
    await response.body?.cancel();
    return response.status === 204 ? { ok: true, why: "" } : { ok: false, why: `answered ${response.status}` };
  } catch (error) {
    const cause = error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : String(error);
    return { ok: false, why: `unreachable (${cause})` };
  }
}

/** Try one outbox row; on success remove it, else schedule the next attempt. */
async function attempt(row: OutboxRow): Promise<boolean> {
  const { context } = await authContext();
  const result = await notify(row);
  const where = [{ field: "id", value: row.id }];
  if (result.ok) {
    await context.adapter.delete({ model: OUTBOX, where });
    return true;
  }
  const attempts = row.attempts + 1;
  const delay = retryDelayMs(attempts);
  await context.adapter.update({
    model: OUTBOX,
    where,
    update: { attempts, nextAttemptAt: new Date(Date.now() + delay), lastError: result.why.slice(0, 500) },
  });
  console.warn(
    `account deletion: ${row.backend} ${result.why}; attempt ${attempts} failed, next in ${Math.round(delay / 1000)} s`,
  );
  return false;
}

/** Try every outbox row that is due; returns how many are still waiting. */
export async function retryDueDeletions(now: Date = new Date()): Promise<number> {
  const { context } = await authContext();
  const due = await context.adapter.findMany<OutboxRow>({
    model: OUTBOX,
    where: [{ field: "nextAttemptAt", operator: "lte", value: now }],
    limit: BATCH,
  });
  const results = await Promise.all(due.map(attempt));
  return results.filter((ok) => !ok).length;
}

let worker: ReturnType<typeof setInterval> | undefined;

/** Retry queued deletions every ACCOUNT_DELETION_RETRY_SECONDS (at most 60 s) while the server runs;
 * started once, by instrumentation.ts. */
export function startAccountDeletionWorker(): void {
  if (worker) return;
  const { baseSeconds } = retrySettings();
  accountBackends(); // a wrong ACCOUNT_BACKENDS stops the server at start, not at the first deletion
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      await retryDueDeletions();
    } catch (error) {
      console.error(`account deletion: the outbox could not be read: ${error instanceof Error ? error.message : error}`);
    } finally {
      running = false;
    }
  };
  worker = setInterval(tick, Math.min(baseSeconds, 60) * 1000);
  worker.unref();
  void tick(); // deletions left by a previous run
}

/** Once Better Auth deleted `user`: queue one row per backend, then try each at once. */
async function deleteInBackends(user: User): Promise<void> {
  try {
    const { context } = await authContext();
    const now = new Date();
    const rows = await Promise.all(
      accountBackends().map((backend) =>
        context.adapter.create<Omit<OutboxRow, "id"> & { createdAt: Date }, OutboxRow>({
          model: OUTBOX,
          data: { userId: user.id, backend, attempts: 0, nextAttemptAt: now, createdAt: now },
        }),
      ),
    );
    await Promise.all(rows.map(attempt));
  } catch (error) {
    // The account is gone already: never fail the request; the worker retries what was queued.
    console.error(`account deletion: ${error instanceof Error ? error.message : error}`);
  }
}

/** The Better Auth plugin: enables user.deleteUser, adds the outbox table (`npm run migrate`) and
 * asks for the password before an account that has one is deleted. */
export function accountDeletion(): BetterAuthPlugin {
  return {
    id: "account-deletion",
    schema: {
      [OUTBOX]: {
        fields: {
          userId: { type: "string", required: true, index: true },
          backend: { type: "string", required: true },
          attempts: { type: "number", required: true },
          nextAttemptAt: { type: "date", required: true, index: true },
          lastError: { type: "string", required: false },
          createdAt: { type: "date", required: true },
        },
      },
    },
    init: () => ({ options: { user: { deleteUser: { enabled: true, afterDelete: deleteInBackends } } } }),
    hooks: {
      before: [
        {
          matcher: (ctx) => ctx.path === "/delete-user",
          handler: createAuthMiddleware(async (ctx) => {
            const password = (ctx.body as { password?: unknown } | undefined)?.password;
            if (typeof password === "string" && password) return; // Better Auth checks it
            const session = await getSessionFromCtx(ctx);
            if (!session) return; // the endpoint answers 401 itself
            const accounts = await ctx.context.internalAdapter.findAccounts(session.user.id);
            if (accounts.some((account) => account.providerId === "credential" && account.password)) {
              throw new APIError("BAD_REQUEST", { message: "Enter your password to delete your account." });
            }
          }),
        },
      ],
    },
  };
}
