"use client";

// The bar above the task page: the project's name, who is signed in, and Sign out. On a phone
// (390 px) it stays one bar: the name and the address are cut with "…", the button never wraps.
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";

import { Button, ui } from "@/components/ui";
import { clearToken } from "@/lib/api";
import { authClient } from "@/lib/auth-client";
import { runBeforeSignOut } from "@/lib/before-sign-out";
import { PROJECT_NAME } from "@/lib/project";

export function UserHeader({ email }: { email: string }) {
  const router = useRouter();
  const [busy, setBusy] = useState(false);

  async function signOut() {
    setBusy(true);
    try {
      await runBeforeSignOut(); // a delete waiting for its Undo is sent now
      await authClient.signOut();
    } finally {
      clearToken();
      router.replace("/sign-in");
      router.refresh();
    }
  }

  return (
    <header className="border-b border-slate-200 bg-white dark:border-slate-700 dark:bg-slate-900" data-testid="header">
      <div className="mx-auto flex max-w-2xl items-center gap-3 px-5 py-2.5">
        <div className="flex min-w-0 flex-1 flex-col sm:flex-row sm:items-center sm:justify-between sm:gap-4">
          <p className="truncate font-bold" data-testid="brand">
            {PROJECT_NAME}
          </p>
          <p className="truncate text-sm text-slate-600 sm:text-base dark:text-slate-400" title={email} data-testid="email">
            <span className="sr-only">Signed in as </span>
            {email}
          </p>
        </div>
        <Link href="/account" className={`${ui.link} shrink-0 text-sm`} data-testid="account-link">
          Account
        </Link>
        <Button variant="secondary" size="small" className="shrink-0" onClick={signOut} busy={busy} busyLabel="Signing out…">
          Sign out
        </Button>
      </div>
    </header>
  );
}
