// "Too many requests": how long to wait, from the answer's headers. The FastAPI backend sends
// Retry-After (seconds); Better Auth 1.7's rate limiter sends X-Retry-After (seconds).
// A browser script can read a cross-origin answer's header only when the server exposes it
// (Access-Control-Expose-Headers); without it, the message says "in a moment".

/** Seconds to wait (at least 1), or null when the answer does not say (or a script may not read it). */
export function retryAfterSeconds(headers: Headers): number | null {
  const value = (headers.get("Retry-After") ?? headers.get("X-Retry-After") ?? "").trim();
  if (/^\d+$/.test(value)) return Math.max(1, Number.parseInt(value, 10));
  const date = Date.parse(value); // Retry-After may also be an HTTP date
  if (!Number.isNaN(date)) return Math.max(1, Math.ceil((date - Date.now()) / 1000));
  return null;
}

/** "in 1 second", "in 42 seconds", "in a moment". */
export function inSeconds(seconds: number | null): string {
  if (seconds === null) return "in a moment";
  return `in ${seconds} second${seconds === 1 ? "" : "s"}`;
}
