"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useId, useState, type FormEvent } from "react";

import { clearToken } from "@/lib/api";
import { authClient } from "@/lib/auth-client";

type Mode = "sign-in" | "sign-up";

/** The sign-in and sign-up forms (same layout, different fields and endpoint). */
export function AuthForm({ mode }: { mode: Mode }) {
  const router = useRouter();
  const id = useId();
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const signUp = mode === "sign-up";
  const title = signUp ? "Create account" : "Sign in";

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const email = String(form.get("email") ?? "").trim();
    const password = String(form.get("password") ?? "");
    setError(null);
    setPending(true);
    const { error: failure } = signUp
      ? await authClient.signUp.email({ name: String(form.get("name") ?? "").trim(), email, password })
      : await authClient.signIn.email({ email, password });
    if (failure) {
      setPending(false);
      setError(failure.message || failure.statusText || "Something went wrong. Please try again.");
      return;
    }
    clearToken(); // never reuse a token minted for someone else
    router.replace("/tasks");
  }

  return (
    <main className="page narrow">
      <h1>{title}</h1>
      <form className="card stack" onSubmit={submit} aria-busy={pending} noValidate>
        {signUp && (
          <div className="field">
            <label htmlFor={`${id}-name`}>Name</label>
            <input id={`${id}-name`} name="name" type="text" autoComplete="name" required maxLength={100} />
          </div>
        )}
        <div className="field">
          <label htmlFor={`${id}-email`}>Email</label>
          <input id={`${id}-email`} name="email" type="email" autoComplete="email" required />
        </div>
        <div className="field">
          <label htmlFor={`${id}-password`}>Password</label>
          <input
            id={`${id}-password`}
            name="password"
            type="password"
            autoComplete={signUp ? "new-password" : "current-password"}
            required
            minLength={signUp ? 8 : undefined}
            aria-describedby={signUp ? `${id}-password-hint` : undefined}
          />
          {signUp && (
            <p id={`${id}-password-hint`} className="hint">
              At least 8 characters.
            </p>
          )}
        </div>
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        <button type="submit" disabled={pending}>
          {title}
        </button>
      </form>
      <p className="switch">
        {signUp ? (
          <>
            Already have an account? <Link href="/sign-in">Sign in</Link>
          </>
        ) : (
          <>
            New here? <Link href="/sign-up">Create account</Link>
          </>
        )}
      </p>
    </main>
  );
}
