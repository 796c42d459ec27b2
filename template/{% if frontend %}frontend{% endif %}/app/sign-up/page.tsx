import type { Metadata } from "next";
import { redirect } from "next/navigation";

import { AuthForm } from "@/components/auth-form";
import { safeReturnPath } from "@/lib/return-path";
import { getSession } from "@/lib/session";

export const metadata: Metadata = { title: "Create account" };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function SignUpPage({ searchParams }: Props) {
  const next = safeReturnPath((await searchParams).next);
  if (await getSession()) redirect(next);
  return <AuthForm mode="sign-up" next={next} />;
}
