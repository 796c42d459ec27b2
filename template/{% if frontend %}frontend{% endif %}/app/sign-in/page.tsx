import type { Metadata } from "next";
import { redirect } from "next/navigation";

import { AuthForm } from "@/components/auth-form";
import { SocialButtons } from "@/components/social";
import { safeReturnPath } from "@/lib/return-path";
import { getSession } from "@/lib/session";
import { socialSignIn } from "@/lib/social";

export const metadata: Metadata = { title: "Sign in" };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function SignInPage({ searchParams }: Props) {
  const params = await searchParams;
  // ?next= is where the person was (only a path on this site: lib/return-path.ts).
  const next = safeReturnPath(params.next);
  if (await getSession()) redirect(next);
  const notice =
    params.reason === "session-ended"
      ? "Your session ended — sign in again."
      : params.reason === "password-reset"
        ? "Your password is changed and you are signed out everywhere. Sign in with the new password."
        : null;
  return (
    <AuthForm mode="sign-in" next={next} notice={notice}>
      <SocialButtons buttons={socialSignIn.buttons} next={next} />
    </AuthForm>
  );
}
