"use client";

// "TOO MANY ATTEMPTS" ON THE AUTH FORMS (sign-in, sign-up, the account-email forms): Better
// Auth's rate limiter answers 429 with X-Retry-After (seconds) in a header, not in its error
// object, so each call reads it here; the form then shows a countdown to the moment the server
// allows another attempt ("in a moment" when the answer does not say).
import { useEffect, useState } from "react";

import { ErrorNotice } from "@/components/ui";
import { inSeconds, retryAfterSeconds } from "@/lib/retry-after";

export type AuthFailure = { status: number; code?: string; message?: string } | null;
export type AuthFetchOptions = { onError: (context: { response: Response }) => void };

/** Calls Better Auth: its refusal (or "unreachable") and how long a rate limit asks to wait. */
export async function callAuth(send: (options: AuthFetchOptions) => Promise<{ error: AuthFailure }>) {
  const seen: { retryAfter: number | null } = { retryAfter: null };
  try {
    const { error } = await send({
      onError: (context) => {
        seen.retryAfter = retryAfterSeconds(context.response.headers);
      },
    });
    return { error, retryAfter: seen.retryAfter, unreachable: false };
  } catch {
    return { error: null, retryAfter: null, unreachable: true };
  }
}

/** The wait after a 429: `start(seconds or null)`, `clear()` on the next submit, and for
 * <RateLimited>: the seconds left (a tick every 250 ms), or "moment" when the answer did not say. */
export function useRetryWait() {
  const [until, setUntil] = useState<number | "moment" | null>(null);
  const [now, setNow] = useState(0);
  useEffect(() => {
    if (until === null || until === "moment") return;
    const timer = setInterval(() => {
      const time = Date.now();
      setNow(time);
      if (time >= until) setUntil(null);
    }, 250);
    return () => clearInterval(timer);
  }, [until]);
  const left = typeof until === "number" ? Math.max(1, Math.ceil((until - now) / 1000)) : until;
  return {
    left,
    start(retryAfter: number | null) {
      setNow(Date.now());
      setUntil(retryAfter === null ? "moment" : Date.now() + retryAfter * 1000);
    },
    clear: () => setUntil(null),
  };
}

/** "Too many attempts. Try again in 42 seconds." while the wait lasts. */
export function RateLimited({ wait }: { wait: ReturnType<typeof useRetryWait> }) {
  if (wait.left === null) return null;
  return (
    <ErrorNotice>
      <span data-testid="rate-limited">
        Too many attempts. Try again {inSeconds(wait.left === "moment" ? null : wait.left)}.
      </span>
    </ErrorNotice>
  );
}
