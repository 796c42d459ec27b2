"use client";

// The person's sessions: each device, when it signed in and was last active, "This device";
// sign out one of them, every other one, or everywhere (Better Auth's listSessions,
// revokeSession, revokeOtherSessions, revokeSessions). A signed-out session can no longer get a
// token for the backend; a token it already has works until it expires (jwtMinutes).
import { useRouter } from "next/navigation";
import { useCallback, useEffect, useState } from "react";

import { Button, ErrorNotice, ui } from "@/components/ui";
import { clearToken } from "@/lib/api";
import { authClient } from "@/lib/auth-client";
import { describeDevice } from "@/lib/user-agent";

type SessionRow = { id: string; token: string; userAgent?: string | null; createdAt: Date | string; updatedAt: Date | string };

const when = (value: Date | string) =>
  new Date(value).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });

export function AccountSessions({ currentToken, jwtMinutes }: { currentToken: string; jwtMinutes: number }) {
  const router = useRouter();
  const [sessions, setSessions] = useState<SessionRow[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  const load = useCallback(async () => {
    const { data, error: failed } = await authClient.listSessions();
    if (failed || !data) {
      setError(failed?.message || "Your sessions could not be loaded.");
      return;
    }
    setError(null);
    setSessions(
      [...data].sort((a, b) =>
        a.token === currentToken ? -1 : b.token === currentToken ? 1 : +new Date(b.updatedAt) - +new Date(a.updatedAt),
      ),
    );
  }, [currentToken]);

  useEffect(() => {
    void load();
  }, [load]);

  async function run(key: string, action: () => Promise<{ error: { message?: string } | null }>) {
    setBusy(key);
    try {
      const { error: failed } = await action();
      if (failed) setError(failed.message || "That did not work; try again.");
      else await load();
    } finally {
      setBusy(null);
    }
  }

  async function signOutEverywhere() {
    setBusy("everywhere");
    const { error: failed } = await authClient.revokeSessions();
    if (failed) {
      setBusy(null);
      setError(failed.message || "That did not work; try again.");
      return;
    }
    clearToken();
    router.replace("/sign-in");
    router.refresh();
  }

  const others = (sessions ?? []).filter((s) => s.token !== currentToken);
  return (
    <section className={`${ui.card} mb-6`} aria-labelledby="sessions-title" data-testid="sessions">
      <h2 id="sessions-title" className="mb-1 text-lg font-bold">
        Where you are signed in
      </h2>
      <p className={`${ui.hint} mb-4`}>
        A device you sign out here can no longer reach your tasks within {jwtMinutes} minute{jwtMinutes === 1 ? "" : "s"} (the
        lifetime of the access it already holds).
      </p>
      {error && <ErrorNotice className="mb-4">{error}</ErrorNotice>}
      {sessions === null && !error && <p className={ui.muted}>Loading your sessions…</p>}
      <ul className="mb-4 flex flex-col gap-3">
        {(sessions ?? []).map((s) => {
          const current = s.token === currentToken;
          return (
            <li
              key={s.id}
              data-testid="session"
              data-current={current ? "true" : "false"}
              className="flex flex-wrap items-center justify-between gap-3 rounded-md border border-slate-200 px-4 py-3 dark:border-slate-700"
            >
              <div className="min-w-0">
                <p className="font-semibold">
                  {describeDevice(s.userAgent)}
                  {current && <span className="ml-2 text-sm font-semibold text-green-800 dark:text-green-300">This device</span>}
                </p>
                <p className={`${ui.hint}`}>
                  Signed in {when(s.createdAt)} · last active {when(s.updatedAt)}
                </p>
              </div>
              {!current && (
                <Button
                  variant="secondary"
                  size="small"
                  busy={busy === s.id}
                  busyLabel="Signing out…"
                  onClick={() => run(s.id, () => authClient.revokeSession({ token: s.token }))}
                >
                  Sign out
                </Button>
              )}
            </li>
          );
        })}
      </ul>
      <div className="flex flex-wrap gap-3">
        <Button
          variant="secondary"
          disabled={others.length === 0 || busy !== null}
          busy={busy === "others"}
          busyLabel="Signing out…"
          onClick={() => run("others", () => authClient.revokeOtherSessions())}
          data-testid="revoke-others"
        >
          Sign out all other devices
        </Button>
        <Button
          variant="danger"
          disabled={busy !== null && busy !== "everywhere"}
          busy={busy === "everywhere"}
          busyLabel="Signing out…"
          onClick={signOutEverywhere}
          data-testid="sign-out-everywhere"
        >
          Sign out everywhere
        </Button>
      </div>
    </section>
  );
}
