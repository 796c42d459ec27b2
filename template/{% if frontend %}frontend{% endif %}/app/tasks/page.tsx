import type { Metadata } from "next";
import { redirect } from "next/navigation";

import { TaskList } from "@/components/task-list";
import { UserHeader } from "@/components/user-header";
import { getSession } from "@/lib/session";

export const metadata: Metadata = { title: "Your tasks" };

export default async function TasksPage() {
  const session = await getSession();
  if (!session) redirect("/sign-in");
  return (
    <>
      <UserHeader email={session.user.email} />
      <main className="page">
        <h1>Your tasks</h1>
        <TaskList />
      </main>
    </>
  );
}
