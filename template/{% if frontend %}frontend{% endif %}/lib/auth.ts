// THE BETTER AUTH SERVER (server-only): email + password accounts, an httpOnly session cookie,
// and GET /api/auth/token, which turns that session into a short-lived HS256 JWT for FastAPI.
import { betterAuth } from "better-auth";
import { jwt } from "better-auth/plugins";

import { createAuthDatabase } from "./auth-database";
import { authStorage } from "./auth-storage";
import { HTTP_URL } from "./backend-url";
import { clientAddressOptions } from "./client-address";
import { jwtSigning } from "./jwt-signing";
import { JWT_TTL_MINUTES, PROJECT_NAME, SESSION_TTL_DAYS } from "./project";

const MIN_SECRET_LENGTH = 32;
const DAY_SECONDS = 60 * 60 * 24;

function readSecret(): string {
  const secret = process.env.BETTER_AUTH_SECRET ?? "";
  if (secret.length < MIN_SECRET_LENGTH) {
    throw new Error(
      `BETTER_AUTH_SECRET is ${secret ? "too short" : "not set"}: it must be at least ${MIN_SECRET_LENGTH} ` +
        "characters, the same value as in backend/.env.",
    );
  }
  if (/\s/.test(secret) || secret.startsWith("generate-with")) {
    throw new Error("BETTER_AUTH_SECRET is a placeholder: copy the value from backend/.env.");
  }
  return secret;
}

function readBaseURL(): string {
  const value = process.env.BETTER_AUTH_URL ?? "";
  if (!HTTP_URL.test(value) || value.endsWith("/")) {
    throw new Error(
      `BETTER_AUTH_URL must be an http(s) URL without a trailing slash, e.g. http://localhost:3000 (got "${value}").`,
    );
  }
  return value;
}

function readTrustedOrigins(baseURL: string): string[] {
  const extra = (process.env.TRUSTED_ORIGINS ?? "")
    .split(",")
    .map((origin) => origin.trim())
    .filter(Boolean);
  return [...new Set([new URL(baseURL).origin, ...extra])];
}

// Shared with the FastAPI backend, which verifies the JWT's HS256 signature with the same string.
const secret = readSecret();
// The JWT's iss and aud; the backend's BETTER_AUTH_URL must be identical.
const baseURL = readBaseURL();
// Token signing for this project's auth mode (lib/jwt-signing.ts).
const signing = jwtSigning(baseURL, secret);
const sessionSeconds = SESSION_TTL_DAYS * DAY_SECONDS;
// Sessions and rate-limit counters: the database and memory, or Redis with REDIS_URL (lib/auth-storage.ts).
const storage = authStorage();

export const auth = betterAuth({
  appName: PROJECT_NAME,
  baseURL,
  secret,
  database: createAuthDatabase(),
  secondaryStorage: storage.secondaryStorage,
  // Origins allowed to call the auth endpoints with the cookie (CSRF protection); the same
  // list as the backend's CORS_ORIGINS.
  trustedOrigins: readTrustedOrigins(baseURL),
  emailAndPassword: {
    enabled: true,
    minPasswordLength: 8,
    autoSignIn: true, // sign-up answers with a session cookie
  },
  session: {
    expiresIn: sessionSeconds,
    // Sliding expiry: extend the session at most once a day (twice per lifetime for 1-day sessions).
    updateAge: Math.min(DAY_SECONDS, Math.floor(sessionSeconds / 2)),
    storeSessionInDatabase: storage.storeSessionInDatabase,
  },
  rateLimit: {
    // Better Auth only enables it in production by default; keep it on everywhere. Keyed on the
    // client address of lib/client-address.ts (never on a header the client chose).
    enabled: true,
    storage: storage.rateLimitStorage, // one process's memory, or Redis shared by all instances
    window: 60,
    max: 100,
    customRules: {
      "/sign-in/email": { window: 60, max: 10 },
      "/sign-up/email": { window: 60, max: 5 },
    },
  },
  advanced: {
    ipAddress: clientAddressOptions(),
    useSecureCookies: baseURL.startsWith("https://"), // cookies are httpOnly by default
  },
  plugins: [
    jwt({
      // The frontend fetches tokens from /api/auth/token only; don't mint one on every
      // get-session call (the set-auth-jwt response header).
      disableSettingJwtHeader: true,
      jwt: {
        issuer: baseURL,
        audience: baseURL,
        expirationTime: `${JWT_TTL_MINUTES}m`,
        // The token carries sub (the user id, added by the plugin) plus these claims only.
        definePayload: ({ user }) => ({ id: user.id, email: user.email, name: user.name }),
        ...(signing.sign ? { sign: signing.sign } : {}),
      },
      jwks: signing.jwks,
    }),
  ],
});

export type Session = typeof auth.$Infer.Session;
