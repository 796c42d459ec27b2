// THE FRONTEND'S SECURITY HEADERS, in one place.
// - STATIC_SECURITY_HEADERS: the same on every response (next.config.ts sends them).
// - contentSecurityPolicy(): per page, at request time (proxy.ts), because it names the backend
//   origin the browser may call (BACKEND_URL is read when the server runs, not when it is built)
//   and carries a fresh nonce that Next.js puts on its own scripts.
export const STATIC_SECURITY_HEADERS: { key: string; value: string }[] = [
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "X-Frame-Options", value: "DENY" }, // older browsers; CSP frame-ancestors for the rest
  { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
  { key: "Cross-Origin-Opener-Policy", value: "same-origin" },
  { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=(), payment=()" },
];

export function contentSecurityPolicy(options: { nonce: string; backendOrigin: string; https: boolean; dev: boolean }): string {
  const { nonce, backendOrigin, https, dev } = options;
  return [
    "default-src 'self'",
    // 'strict-dynamic': scripts loaded by a nonced script may run; no other script can.
    // React needs eval only in development (better error stacks).
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ""}`,
    `style-src 'self' 'nonce-${nonce}'`,
    "img-src 'self' blob: data:",
    "font-src 'self'",
    // The page talks to its own origin (Better Auth) and to the task API, nothing else.
    `connect-src 'self' ${backendOrigin}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    ...(https ? ["upgrade-insecure-requests"] : []),
  ].join("; ");
}
