"use client";

// Delete my account: a clear warning, the password as confirmation, then Better Auth's
// deleteUser. The server also deletes the person's data in every backend, retrying a backend
// that is down until it confirmed (lib/account-deletion.ts).
import { useRouter } from "next/navigation";
import { useId, useState, type FormEvent } from "react";

import { Button, ErrorNotice, ui } from "@/components/ui";
import { clearToken } from "@/lib/api";
import { authClient } from "@/lib/auth-client";

export function DeleteAccount() {
  const router = useRouter();
  const id = useId();
  const [password, setPassword] = useState("");
  const [confirmed, setConfirmed] = useState(false);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!password || !confirmed) {
      setError(!password ? "Enter your password to delete your account." : "Tick the box to confirm.");
      return;
    }
    setPending(true);
    setError(null);
    const { error: failed } = await authClient.deleteUser({ password });
    if (failed) {
      setPending(false);
      setError(failed.code === "INVALID_PASSWORD" ? "That password is not right." : failed.message || "Your account could not be deleted; try again.");
      return;
    }
    clearToken();
    router.replace("/sign-up");
    router.refresh();
  }

  return (
    <section
      className={`${ui.card} border-red-300 dark:border-red-800`}
      aria-labelledby={`${id}-title`}
      data-testid="delete-account"
    >
      <h2 id={`${id}-title`} className="mb-1 text-lg font-bold text-red-800 dark:text-red-300">
        Delete your account
      </h2>
      <p className="mb-4">
        This deletes your account and <strong>all of your tasks</strong>, for good: it cannot be undone. Every device is signed
        out.
      </p>
      <form className={ui.stack} onSubmit={submit} noValidate>
        {error && <ErrorNotice>{error}</ErrorNotice>}
        <div className={ui.field}>
          <label htmlFor={`${id}-password`} className={ui.label}>
            Your password
          </label>
          <input
            id={`${id}-password`}
            name="password"
            type="password"
            autoComplete="current-password"
            className={ui.input}
            value={password}
            onChange={(event) => setPassword(event.target.value)}
          />
        </div>
        <label className="flex items-center gap-2">
          <input type="checkbox" name="confirm" checked={confirmed} onChange={(event) => setConfirmed(event.target.checked)} />
          I understand that my account and my tasks will be deleted.
        </label>
        <div>
          <Button type="submit" variant="danger" busy={pending} busyLabel="Deleting…">
            Delete my account
          </Button>
        </div>
      </form>
    </section>
  );
}
