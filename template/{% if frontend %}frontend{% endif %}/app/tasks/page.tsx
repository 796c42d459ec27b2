import type { Metadata } from "next";
import { cookies } from "next/headers";
import { redirect } from "next/navigation";

import { TaskList } from "@/components/task-list";
import { ui } from "@/components/ui";
import { UserHeader } from "@/components/user-header";
import { signInPath } from "@/lib/return-path";
import { getSession } from "@/lib/session";
import { viewFromQuery, viewPath } from "@/lib/task-view";

export const metadata: Metadata = { title: "Your tasks" };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function TasksPage({ searchParams }: Props) {
  const view = viewFromQuery(await searchParams);
  const session = await getSession();
  if (!session) {
    // A session cookie that no longer opens a session: it has ended (expired or signed out
    // elsewhere), so say so. No cookie at all: a plain sign-in. Either way, come back here.
    const hadSession = (await cookies()).getAll().some((cookie) => cookie.name.endsWith("session_token"));
    redirect(signInPath({ next: viewPath(view), ended: hadSession }));
  }
  return (
    <>
      <UserHeader email={session.user.email} />
      <main className={ui.page}>
        <h1 className={ui.h1}>Your tasks</h1>
        <TaskList initialView={view} />
      </main>
    </>
  );
}
