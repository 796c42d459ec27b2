import type { Metadata } from "next";
import Link from "next/link";

import { ErrorNotice, cx, ui } from "@/components/ui";
import { PROJECT_NAME } from "@/lib/project";
import { getSession } from "@/lib/session";

export const metadata: Metadata = { title: "Email address confirmed" };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

// Where the verification link (Better Auth's /api/auth/verify-email) leads: signed in, or with
// ?error=TOKEN_EXPIRED / INVALID_TOKEN / … when the link cannot be used.
export default async function EmailVerifiedPage({ searchParams }: Props) {
  const { error } = await searchParams;
  const session = error === undefined ? await getSession() : null;
  // Confirmed only when the link's session says so (opening this page by hand confirms nothing).
  const verified = Boolean(session?.user.emailVerified);
  return (
    <main className={ui.narrowPage}>
      <p className={cx(ui.muted, "mb-1 text-sm font-semibold")}>{PROJECT_NAME}</p>
      <h1 className={ui.h1}>{verified ? "Email address confirmed" : "This link cannot be used"}</h1>
      {verified ? (
        <p role="status" className="mb-5">
          Thank you: your email address is confirmed.
        </p>
      ) : (
        <ErrorNotice className="mb-5">
          {error === "TOKEN_EXPIRED" ? "This link has expired." : "This link is not valid."}{" "}
          <Link href="/check-inbox" className={ui.link}>
            Send a new one
          </Link>
          .
        </ErrorNotice>
      )}
      <p className="text-center">
        {verified ? (
          <Link href="/tasks" className={ui.link}>
            Go to your tasks
          </Link>
        ) : (
          <Link href="/sign-in" className={ui.link}>
            Sign in
          </Link>
        )}
      </p>
    </main>
  );
}
