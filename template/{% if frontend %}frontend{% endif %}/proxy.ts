// Per-request security headers for pages: a Content-Security-Policy with a fresh nonce (Next.js
// applies it to its scripts) and, on https, Strict-Transport-Security. The policy itself is in
// lib/security-headers.ts; the headers that never change are sent by next.config.ts.
import { NextResponse, type NextRequest } from "next/server";

import { backendUrl } from "@/lib/backend-url";
import { contentSecurityPolicy } from "@/lib/security-headers";

export function proxy(request: NextRequest) {
  const nonce = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64");
  const https = (process.env.BETTER_AUTH_URL ?? "").startsWith("https://");
  const policy = contentSecurityPolicy({
    nonce,
    backendOrigin: new URL(backendUrl()).origin,
    https,
    dev: process.env.NODE_ENV === "development",
  });
  // Next.js reads the nonce from the request's policy while rendering.
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set("Content-Security-Policy", policy);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set("Content-Security-Policy", policy);
  if (https) response.headers.set("Strict-Transport-Security", "max-age=63072000; includeSubDomains");
  return response;
}

export const config = {
  matcher: [
    {
      // Pages only: not the auth API (JSON), not Next.js's static files, not link prefetches.
      source: "/((?!api/|_next/static|_next/image|favicon.ico|icon.svg).*)",
      missing: [
        { type: "header", key: "next-router-prefetch" },
        { type: "header", key: "purpose", value: "prefetch" },
      ],
    },
  ],
};
