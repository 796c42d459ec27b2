import type { Metadata } from "next";
import { cookies } from "next/headers";
import Link from "next/link";
import { redirect } from "next/navigation";

import { AccountSessions } from "@/components/account-sessions";
import { DeleteAccount } from "@/components/delete-account";
import { ui } from "@/components/ui";
import { UserHeader } from "@/components/user-header";
import { JWT_TTL_MINUTES } from "@/lib/project";
import { signInPath } from "@/lib/return-path";
import { getSession } from "@/lib/session";

export const metadata: Metadata = { title: "Your account" };

// The account page: the person's sessions (sign out one device, the others, or everywhere) and
// deleting the account (components/delete-account.tsx, lib/account-deletion.ts).
export default async function AccountPage() {
  const session = await getSession();
  if (!session) {
    const hadSession = (await cookies()).getAll().some((cookie) => cookie.name.endsWith("session_token"));
    redirect(signInPath({ next: "/account", ended: hadSession }));
  }
  return (
    <>
      <UserHeader email={session.user.email} />
      <main className={ui.page}>
        <p className="mb-3">
          <Link href="/tasks" className={ui.link}>
            ← Your tasks
          </Link>
        </p>
        <h1 className={ui.h1}>Your account</h1>
        <AccountSessions currentToken={session.session.token} jwtMinutes={JWT_TTL_MINUTES} />
        <DeleteAccount />
      </main>
    </>
  );
}
