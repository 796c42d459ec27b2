"use client";

// THE SIGN-IN AND SIGN-UP FORMS (same layout, different fields and endpoint). Each field's
// problem is one sentence under that field (aria-invalid + aria-describedby), checked here
// first and mapped from Better Auth's answer; "too many attempts" says how long to wait.
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useId, useState, type ChangeEvent, type ComponentProps, type FormEvent, type ReactNode } from "react";

import { RateLimited, callAuth, useRetryWait } from "@/components/rate-limit";
import { Button, ErrorNotice, FieldMessage, Notice, cx, ui } from "@/components/ui";
import { clearToken } from "@/lib/api";
import { authClient } from "@/lib/auth-client";
import {
  NAME_MAX_LENGTH,
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
  checkAuthFields,
  fieldErrorsFromServer,
  type AuthField,
  type FieldErrors,
} from "@/lib/auth-rules";
import { ACCOUNT_EMAILS, PROJECT_NAME, REQUIRE_EMAIL_VERIFICATION } from "@/lib/project";
import { DEFAULT_RETURN_PATH } from "@/lib/return-path";

type Mode = "sign-in" | "sign-up";

const FIELD_ORDER: AuthField[] = ["name", "email", "password"];
/** The address waiting for its verification link, for /check-inbox (this tab only). */
export const PENDING_EMAIL_KEY = "pending-verification-email";

type Props = {
  mode: Mode;
  /** Where to go once signed in (already checked by safeReturnPath on the server). */
  next: string;
  /** Why the person is here, e.g. "Your session ended — sign in again." */
  notice?: string | null;
  /** Shown under the form: the social sign-in buttons (components/social.tsx). */
  children?: ReactNode;
};

export function AuthForm({ mode, next, notice, children }: Props) {
  const router = useRouter();
  const id = useId();
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const [unverified, setUnverified] = useState(false); // sign-in refused until the address is verified
  const wait = useRetryWait(); // after too many attempts
  const signUp = mode === "sign-up";
  const title = signUp ? "Create account" : "Sign in";

  const fieldId = (field: AuthField) => `${id}-${field}`;

  function show(found: FieldErrors) {
    setErrors(found);
    const first = FIELD_ORDER.find((field) => found[field]);
    if (first) document.getElementById(fieldId(first))?.focus();
  }

  /** Typing in a field takes its message away (it is checked again on submit). */
  function edited(event: ChangeEvent<HTMLInputElement>) {
    const field = event.currentTarget.name as AuthField;
    if (errors[field]) setErrors((current) => ({ ...current, [field]: undefined }));
  }

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const values = {
      name: String(form.get("name") ?? "").trim(),
      email: String(form.get("email") ?? "").trim(),
      password: String(form.get("password") ?? ""),
    };
    setFormError(null);
    setUnverified(false);
    wait.clear();
    const found = checkAuthFields(values, signUp);
    if (Object.keys(found).length > 0) {
      show(found);
      return;
    }
    setErrors({});
    setPending(true);
    const { error: failure, retryAfter, unreachable } = await callAuth((options) =>
      signUp
        ? authClient.signUp.email(values, options)
        : authClient.signIn.email({ email: values.email, password: values.password }, options),
    );
    if (unreachable) {
      setPending(false);
      setFormError("Cannot reach the sign-in server. Check your connection and try again.");
      return;
    }
    if (failure) {
      setPending(false);
      if (failure.status === 429) {
        wait.start(retryAfter);
        return;
      }
      if (failure.code === "EMAIL_NOT_VERIFIED") {
        sessionStorage.setItem(PENDING_EMAIL_KEY, values.email);
        setUnverified(true);
        return;
      }
      const mapped = fieldErrorsFromServer(failure);
      show(mapped.fields);
      setFormError(mapped.form);
      return;
    }
    if (signUp && REQUIRE_EMAIL_VERIFICATION) {
      // No session until the address is verified: the link in the email signs the person in.
      sessionStorage.setItem(PENDING_EMAIL_KEY, values.email);
      router.replace("/check-inbox");
      return;
    }
    clearToken(); // never reuse a token minted for someone else
    router.replace(next);
  }

  const other = signUp ? "/sign-in" : "/sign-up";
  const otherHref = next === DEFAULT_RETURN_PATH ? other : `${other}?next=${encodeURIComponent(next)}`;

  function input(field: AuthField, label: string, props: ComponentProps<"input">, hint?: string) {
    const error = errors[field];
    const hintId = `${fieldId(field)}-hint`;
    const errorId = `${fieldId(field)}-error`;
    const describedBy = [hint ? hintId : null, error ? errorId : null].filter(Boolean).join(" ");
    return (
      <div className={ui.field}>
        <label htmlFor={fieldId(field)} className={ui.label}>
          {label}
        </label>
        <input
          id={fieldId(field)}
          name={field}
          className={ui.input}
          aria-invalid={error ? true : undefined}
          aria-describedby={describedBy || undefined}
          onChange={edited}
          {...props}
        />
        {hint && (
          <p id={hintId} className={ui.hint}>
            {hint}
          </p>
        )}
        {error && <FieldMessage id={errorId}>{error}</FieldMessage>}
      </div>
    );
  }

  return (
    <main className={ui.narrowPage}>
      <p className={cx(ui.muted, "mb-1 text-sm font-semibold")}>{PROJECT_NAME}</p>
      <h1 className={ui.h1}>{title}</h1>
      {notice && <Notice>{notice}</Notice>}
      <form className={cx(ui.card, ui.stack)} onSubmit={submit} aria-busy={pending} aria-label={title} noValidate>
        {signUp && input("name", "Name", { type: "text", autoComplete: "name", required: true, maxLength: NAME_MAX_LENGTH })}
        {input("email", "Email", { type: "email", autoComplete: "email", required: true })}
        {input(
          "password",
          "Password",
          {
            type: "password",
            autoComplete: signUp ? "new-password" : "current-password",
            required: true,
            minLength: signUp ? PASSWORD_MIN_LENGTH : undefined,
            maxLength: PASSWORD_MAX_LENGTH,
          },
          signUp ? `At least ${PASSWORD_MIN_LENGTH} characters.` : undefined,
        )}
        <RateLimited wait={wait} />
        {formError && <ErrorNotice>{formError}</ErrorNotice>}
        {unverified && (
          <ErrorNotice>
            Confirm your email address first: open the link we sent you.{" "}
            <Link href="/check-inbox" className={ui.link}>
              Send it again
            </Link>
          </ErrorNotice>
        )}
        <Button type="submit" busy={pending} busyLabel={signUp ? "Creating account…" : "Signing in…"} className="self-start">
          {title}
        </Button>
        {ACCOUNT_EMAILS && !signUp && (
          <Link href="/forgot-password" className={cx(ui.link, "self-start")}>
            Forgot password?
          </Link>
        )}
      </form>
      {children}
      <p className="mt-5 text-center">
        {signUp ? "Already have an account? " : "New here? "}
        <Link href={otherHref} className={ui.link}>
          {signUp ? "Sign in" : "Create account"}
        </Link>
      </p>
    </main>
  );
}
