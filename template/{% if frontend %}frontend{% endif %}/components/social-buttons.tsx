"use client";

// SOCIAL SIGN-IN BUTTONS: one per provider the server offers (lib/social-providers.ts decides:
// a provider without its keys has no button). A click asks Better Auth for the provider's
// authorize URL (state and PKCE kept in an httpOnly cookie) and goes there; the provider sends
// the person back to /api/auth/callback/<id>, then to `next`. A failed sign-in comes back to
// /sign-in?error=<code>, shown here.
import { useSearchParams } from "next/navigation";
import { useState } from "react";

import { Button, ErrorNotice, cx, ui } from "@/components/ui";
import { clearToken } from "@/lib/api";
import { authClient } from "@/lib/auth-client";

type Props = {
  buttons: { id: string; label: string }[];
  /** Where to go once signed in (already checked by safeReturnPath on the server). */
  next: string;
};

/** The words for Better Auth's callback error codes (the code itself is never trusted as text). */
function errorMessage(code: string): string {
  if (code === "account_not_linked") {
    return "An account with this email already exists. Sign in with your password instead.";
  }
  if (code === "signup_disabled") return "No account is linked to that sign-in.";
  return "That sign-in did not complete. Try again.";
}

export function SocialButtons({ buttons, next }: Props) {
  const error = useSearchParams().get("error");
  const [pending, setPending] = useState<string | null>(null);
  const [failed, setFailed] = useState(false);
  if (buttons.length === 0) return null;

  async function signIn(provider: string) {
    setPending(provider);
    setFailed(false);
    clearToken(); // never reuse a token minted for someone else
    try {
      const { error: refused } = await authClient.signIn.social({
        provider,
        callbackURL: next,
        errorCallbackURL: "/sign-in",
      });
      if (!refused) return; // the browser is on its way to the provider
    } catch {
      // not reachable: said below
    }
    setPending(null);
    setFailed(true);
  }

  return (
    <section aria-labelledby="social-sign-in" className={cx(ui.card, ui.stack, "mt-4")}>
      <h2 id="social-sign-in" className={cx(ui.label, ui.muted)}>
        Or use another account
      </h2>
      {error && <ErrorNotice>{errorMessage(error)}</ErrorNotice>}
      {failed && <ErrorNotice>Cannot start that sign-in. Check your connection and try again.</ErrorNotice>}
      {buttons.map(({ id, label }) => (
        <Button
          key={id}
          variant="secondary"
          busy={pending === id}
          busyLabel="Redirecting…"
          disabled={pending !== null && pending !== id}
          onClick={() => signIn(id)}
        >
          Continue with {label}
        </Button>
      ))}
    </section>
  );
}
