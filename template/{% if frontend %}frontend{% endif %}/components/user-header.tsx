"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";

import { clearToken } from "@/lib/api";
import { authClient } from "@/lib/auth-client";
import { PROJECT_NAME } from "@/lib/project";

export function UserHeader({ email }: { email: string }) {
  const router = useRouter();
  const [busy, setBusy] = useState(false);

  async function signOut() {
    setBusy(true);
    try {
      await authClient.signOut();
    } finally {
      clearToken();
      router.replace("/sign-in");
      router.refresh();
    }
  }

  return (
    <header className="topbar">
      <span className="brand">{PROJECT_NAME}</span>
      <span className="who">
        <span className="email">{email}</span>
        <button type="button" className="secondary" onClick={signOut} disabled={busy} aria-busy={busy}>
          Sign out
        </button>
      </span>
    </header>
  );
}
