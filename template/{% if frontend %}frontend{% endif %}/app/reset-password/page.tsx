import type { Metadata } from "next";

import { ResetPassword } from "@/components/email-forms";

export const metadata: Metadata = { title: "Choose a new password" };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

// The reset link (Better Auth's /api/auth/reset-password/<token>) leads here with ?token=…, or
// with ?error=INVALID_TOKEN when the token is unknown or expired.
export default async function ResetPasswordPage({ searchParams }: Props) {
  const { token, error } = await searchParams;
  const valid = typeof token === "string" && token.length > 0 && error === undefined;
  return <ResetPassword token={valid ? token : null} />;
}
