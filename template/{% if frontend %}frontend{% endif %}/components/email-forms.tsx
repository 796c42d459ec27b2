"use client";

// THE ACCOUNT-EMAIL FORMS: send the verification link again (/check-inbox), ask for a password
// reset link (/forgot-password), choose a new password (/reset-password). Same look and
// behaviour as components/auth-form.tsx: one sentence under a field, "too many attempts" with a
// countdown (components/rate-limit.tsx), outcomes announced in an aria-live region.
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useId, useState, type FormEvent, type ReactNode } from "react";

import { PENDING_EMAIL_KEY } from "@/components/auth-form";
import { RateLimited, callAuth, useRetryWait, type AuthFailure, type AuthFetchOptions } from "@/components/rate-limit";
import { Button, ErrorNotice, FieldMessage, cx, ui } from "@/components/ui";
import { authClient } from "@/lib/auth-client";
import { MESSAGES, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from "@/lib/auth-rules";
import { PROJECT_NAME } from "@/lib/project";

const EMAIL_SHAPE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function Page({ title, children }: { title: string; children: ReactNode }) {
  return (
    <main className={ui.narrowPage}>
      <p className={cx(ui.muted, "mb-1 text-sm font-semibold")}>{PROJECT_NAME}</p>
      <h1 className={ui.h1}>{title}</h1>
      {children}
    </main>
  );
}

/** A calm, announced outcome (role=status is aria-live=polite). */
function Done({ children }: { children: ReactNode }) {
  return (
    <p role="status" data-testid="done" className="rounded-md border border-green-300 bg-green-50 px-4 py-3 text-green-900 dark:border-green-800 dark:bg-green-950 dark:text-green-100">
      {children}
    </p>
  );
}

/** An email field and one button: the resend and the forgot-password forms. */
function EmailRequestForm({
  label,
  busyLabel,
  initialEmail = "",
  send,
  sent,
}: {
  label: string;
  busyLabel: string;
  initialEmail?: string;
  send: (email: string, options: AuthFetchOptions) => Promise<{ error: AuthFailure }>;
  sent: (email: string) => ReactNode;
}) {
  const id = useId();
  const [email, setEmail] = useState(initialEmail);
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [formError, setFormError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const wait = useRetryWait();
  useEffect(() => setEmail((current) => current || initialEmail), [initialEmail]);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const value = email.trim();
    setFormError(null);
    setDone(null);
    wait.clear();
    if (!value || !EMAIL_SHAPE.test(value)) {
      setFieldError(value ? MESSAGES.emailInvalid : MESSAGES.emailMissing);
      document.getElementById(`${id}-email`)?.focus();
      return;
    }
    setFieldError(null);
    setPending(true);
    const result = await callAuth((options) => send(value, options));
    setPending(false);
    if (result.unreachable) {
      setFormError("Cannot reach the server. Check your connection and try again.");
    } else if (result.error?.status === 429) {
      wait.start(result.retryAfter);
    } else if (result.error?.code === "INVALID_EMAIL" || result.error?.code === "VALIDATION_ERROR") {
      setFieldError(MESSAGES.emailInvalid);
    } else if (result.error) {
      setFormError(result.error.message || "Something went wrong. Please try again.");
    } else {
      setDone(value);
    }
  }

  return (
    <form className={cx(ui.card, ui.stack)} onSubmit={submit} aria-busy={pending} aria-label={label} noValidate>
      <div className={ui.field}>
        <label htmlFor={`${id}-email`} className={ui.label}>
          Email
        </label>
        <input
          id={`${id}-email`}
          name="email"
          type="email"
          autoComplete="email"
          required
          className={ui.input}
          value={email}
          onChange={(event) => {
            setEmail(event.currentTarget.value);
            setFieldError(null);
          }}
          aria-invalid={fieldError ? true : undefined}
          aria-describedby={fieldError ? `${id}-email-error` : undefined}
        />
        {fieldError && <FieldMessage id={`${id}-email-error`}>{fieldError}</FieldMessage>}
      </div>
      <RateLimited wait={wait} />
      {formError && <ErrorNotice>{formError}</ErrorNotice>}
      <div aria-live="polite">{done && <Done>{sent(done)}</Done>}</div>
      <Button type="submit" busy={pending} busyLabel={busyLabel} className="self-start">
        {label}
      </Button>
    </form>
  );
}

/** /check-inbox: where sign-up leads when the address must be verified first; sends the link again. */
export function CheckInbox() {
  const [email, setEmail] = useState("");
  useEffect(() => setEmail(sessionStorage.getItem(PENDING_EMAIL_KEY) ?? ""), []);
  return (
    <Page title="Check your inbox">
      <p className="mb-5">
        We sent you a link to confirm your email address{email ? <> (<strong>{email}</strong>)</> : null}. Open it to
        finish creating your account. No email? Check your spam folder, or send it again.
      </p>
      <EmailRequestForm
        label="Send the link again"
        busyLabel="Sending…"
        initialEmail={email}
        send={(address, options) =>
          authClient.sendVerificationEmail({ email: address, callbackURL: "/email-verified" }, options)
        }
        sent={(address) => <>If {address} has an account that still needs confirming, a new link is on its way.</>}
      />
      <p className="mt-5 text-center">
        Already confirmed?{" "}
        <Link href="/sign-in" className={ui.link}>
          Sign in
        </Link>
      </p>
    </Page>
  );
}

/** /forgot-password: asks for a reset link (the answer never says whether the account exists). */
export function ForgotPassword() {
  return (
    <Page title="Forgot your password?">
      <p className="mb-5">Enter your account&apos;s email address and we will send you a link to choose a new password.</p>
      <EmailRequestForm
        label="Send the reset link"
        busyLabel="Sending…"
        send={(address, options) => authClient.requestPasswordReset({ email: address, redirectTo: "/reset-password" }, options)}
        sent={(address) => <>If {address} has an account, a link to reset its password is on its way. It works for one hour.</>}
      />
      <p className="mt-5 text-center">
        Remembered it?{" "}
        <Link href="/sign-in" className={ui.link}>
          Sign in
        </Link>
      </p>
    </Page>
  );
}

/** /reset-password: the link's token (taken out of the address bar at once) and a new password. */
export function ResetPassword({ token }: { token: string | null }) {
  const router = useRouter();
  const id = useId();
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [formError, setFormError] = useState<ReactNode>(null);
  const [pending, setPending] = useState(false);
  const wait = useRetryWait();
  // The token stays in this page's memory only: not in the history, nor in a Referer.
  useEffect(() => window.history.replaceState(null, "", "/reset-password"), []);

  const expired = (
    <>
      This link has expired or was already used.{" "}
      <Link href="/forgot-password" className={ui.link}>
        Ask for a new one
      </Link>
      .
    </>
  );
  if (!token) {
    return (
      <Page title="Choose a new password">
        <ErrorNotice>{expired}</ErrorNotice>
      </Page>
    );
  }

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const password = String(new FormData(event.currentTarget).get("password") ?? "");
    setFormError(null);
    wait.clear();
    if (!password) return show(MESSAGES.passwordMissing);
    if (password.length < PASSWORD_MIN_LENGTH) return show(MESSAGES.passwordTooShort);
    if (password.length > PASSWORD_MAX_LENGTH) return show(MESSAGES.passwordTooLong);
    setFieldError(null);
    setPending(true);
    const result = await callAuth((options) => authClient.resetPassword({ newPassword: password, token: token! }, options));
    if (!result.unreachable && !result.error) {
      router.replace("/sign-in?reason=password-reset");
      return;
    }
    setPending(false);
    if (result.unreachable) setFormError("Cannot reach the server. Check your connection and try again.");
    else if (result.error?.status === 429) {
      wait.start(result.retryAfter);
    } else if (result.error?.code === "PASSWORD_TOO_SHORT") show(MESSAGES.passwordTooShort);
    else if (result.error?.code === "PASSWORD_TOO_LONG") show(MESSAGES.passwordTooLong);
    else if (result.error?.code === "INVALID_TOKEN") setFormError(expired);
    else setFormError(result.error?.message || "Something went wrong. Please try again.");
  }

  function show(message: string) {
    setFieldError(message);
    document.getElementById(`${id}-password`)?.focus();
  }

  const describedBy = [`${id}-password-hint`, fieldError ? `${id}-password-error` : null].filter(Boolean).join(" ");
  return (
    <Page title="Choose a new password">
      <form className={cx(ui.card, ui.stack)} onSubmit={submit} aria-busy={pending} aria-label="Choose a new password" noValidate>
        <div className={ui.field}>
          <label htmlFor={`${id}-password`} className={ui.label}>
            New password
          </label>
          <input
            id={`${id}-password`}
            name="password"
            type="password"
            autoComplete="new-password"
            required
            minLength={PASSWORD_MIN_LENGTH}
            maxLength={PASSWORD_MAX_LENGTH}
            className={ui.input}
            onChange={() => setFieldError(null)}
            aria-invalid={fieldError ? true : undefined}
            aria-describedby={describedBy}
          />
          <p id={`${id}-password-hint`} className={ui.hint}>
            At least {PASSWORD_MIN_LENGTH} characters. You will be signed out everywhere.
          </p>
          {fieldError && <FieldMessage id={`${id}-password-error`}>{fieldError}</FieldMessage>}
        </div>
        <RateLimited wait={wait} />
        {formError && <ErrorNotice>{formError}</ErrorNotice>}
        <Button type="submit" busy={pending} busyLabel="Saving…" className="self-start">
          Set new password
        </Button>
      </form>
    </Page>
  );
}
