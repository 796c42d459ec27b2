import type { Metadata } from "next";
import { redirect } from "next/navigation";

import { AuthForm } from "@/components/auth-form";
import { SocialButtons } from "@/components/social";
import { safeReturnPath } from "@/lib/return-path";
import { getSession } from "@/lib/session";
import { socialSignIn } from "@/lib/social";

export const metadata: Metadata = { title: "Create account" };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function SignUpPage({ searchParams }: Props) {
  const next = safeReturnPath((await searchParams).next);
  if (await getSession()) redirect(next);
  return (
    <AuthForm mode="sign-up" next={next}>
      <SocialButtons buttons={socialSignIn.buttons} next={next} />
    </AuthForm>
  );
}
