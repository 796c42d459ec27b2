// THE BETTER AUTH SERVER (server-only): email + password accounts, an httpOnly session cookie,
// and GET /api/auth/token, which turns that session into a short-lived HS256 JWT for FastAPI.
import { betterAuth } from "better-auth";
import { jwt } from "better-auth/plugins";

import { accountEmails } from "./account-emails";
import { createAuthDatabase } from "./auth-database";
import { accountDeletion } from "./account-deletion";
import { authStorage } from "./auth-storage";
import { HTTP_URL, ORIGIN } from "./backend-url";
import { clientAddressOptions } from "./client-address";
import { jwtSigning } from "./jwt-signing";
import { JWT_TTL_MINUTES, PROJECT_NAME, SESSION_TTL_DAYS } from "./project";
import { socialSignIn } from "./social";

const DAY_SECONDS = 60 * 60 * 24;

// The secret's rules, the same as the backend's (app/core/auth_modes/shared_secret.py) and
// copier.yml's validators; bafa checks on one table of examples that every copy agrees.
const MIN_SECRET_LENGTH = 32; // characters: code points, so an emoji counts once (as in Python)
const MIN_DISTINCT_SECRET_CHARS = 8;
const PLACEHOLDER_SECRETS = new Set([
  "changeme", "change-me", "change_me", "secret", "your-secret-here", "your_secret_here", "yoursecret",
  "password", "better-auth-secret", "better_auth_secret", "replace-me",
]);
const PLACEHOLDER_MARKERS = ["generate-with", "changeme", "change-me", "your-secret", "replace-me"];
/** Whitespace for JavaScript (\s) or Python (str.isspace), spelled out as every copy spells it. */
const WHITESPACE = String.raw`[\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]`;

/** Why the secret is refused, in words that never repeat it; null when it is fine. */
function secretProblem(secret: string): string | null {
  const lowered = secret.trim().toLowerCase();
  if (PLACEHOLDER_SECRETS.has(lowered) || PLACEHOLDER_MARKERS.some((marker) => lowered.includes(marker))) {
    return "is a placeholder";
  }
  if (new RegExp(WHITESPACE).test(secret)) return "contains whitespace";
  const characters = Array.from(secret);
  if (characters.length < MIN_SECRET_LENGTH) return `is too short (at least ${MIN_SECRET_LENGTH} characters)`;
  if (new Set(characters).size < MIN_DISTINCT_SECRET_CHARS) return "is too repetitive";
  return null;
}

function readSecret(): string {
  const secret = process.env.BETTER_AUTH_SECRET ?? "";
  const problem = secret ? secretProblem(secret) : "is not set";
  if (problem) {
    throw new Error(
      `BETTER_AUTH_SECRET ${problem}: use a generated value of at least ${MIN_SECRET_LENGTH} characters ` +
        "(in shared_secret mode, the same value as in backend/.env).",
    );
  }
  return secret;
}

function readBaseURL(): string {
  const value = process.env.BETTER_AUTH_URL ?? "";
  if (!HTTP_URL.test(value) || value.endsWith("/")) {
    throw new Error(
      `BETTER_AUTH_URL must be an http(s) URL without a trailing slash, e.g. http://localhost:3000 (got "${value}"; ` +
        "no user, query or fragment, port 1-65535).",
    );
  }
  return value;
}

/** TRUSTED_ORIGINS: comma-separated explicit origins, the same list as the backend's CORS_ORIGINS. */
function readTrustedOrigins(baseURL: string): string[] {
  const edges = new RegExp(`^${WHITESPACE}+|${WHITESPACE}+$`, "g");
  const extra = (process.env.TRUSTED_ORIGINS ?? "")
    .split(",")
    .map((origin) => origin.replace(edges, ""))
    .filter(Boolean);
  const invalid = extra.filter((origin) => !ORIGIN.test(origin));
  if (invalid.length > 0) {
    throw new Error(
      `TRUSTED_ORIGINS must list origins like https://app.example.com (scheme://host[:port], no path, ` +
        `trailing slash or wildcard); got ${invalid.map((origin) => JSON.stringify(origin)).join(", ")}.`,
    );
  }
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
    autoSignIn: true, // sign-up answers with a session cookie (unless the address must be verified first)
    ...accountEmails.emailAndPassword, // password reset by email (lib/account-emails.ts)
  },
  // Social sign-in (oauth_providers): providers and the account-linking policy, lib/social.ts.
  ...socialSignIn.options,
  emailVerification: accountEmails.emailVerification,
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
      "/sign-in/social": { window: 60, max: 10 },
      ...accountEmails.rateLimitRules, // reset requests, verification resends
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
    // Delete my account, in Better Auth and in every backend (lib/account-deletion.ts).
    accountDeletion(),
    ...socialSignIn.plugins,
  ],
});

export type Session = typeof auth.$Infer.Session;
