// ACCOUNT EMAILS (server-only): Better Auth's email verification and password reset, sent over
// SMTP by lib/mailer.ts. lib/auth.ts adds these options to its own.
//
// - Sign-up sends a verification link; following it marks the address verified and signs the
//   person in (/email-verified says so). With REQUIRE_EMAIL_VERIFICATION, sign-in is refused
//   until then (/check-inbox sends the link again).
// - /forgot-password sends a reset link, valid for an hour and once; /reset-password sets the new
//   password and ends every session of that account (revokeSessionsOnPasswordReset).
// - Asking for either email is limited per client address (lib/client-address.ts), 3 a minute.
// Links and tokens are never logged.
import type { BetterAuthOptions } from "better-auth";

import { createMailer, readSmtpSettings, type Message } from "../mailer";
import { PROJECT_NAME, REQUIRE_EMAIL_VERIFICATION } from "../project";

type EmailAndPassword = Partial<NonNullable<BetterAuthOptions["emailAndPassword"]>>;
type RateLimitRules = NonNullable<NonNullable<BetterAuthOptions["rateLimit"]>["customRules"]>;

const HOUR_SECONDS = 60 * 60;
/** Where the links lead on this site (pages under app/). */
export const VERIFIED_PAGE = "/email-verified";
export const RESET_PAGE = "/reset-password";

// Read when the server loads lib/auth.ts: a missing or development-only SMTP setting in
// production stops it there, as a missing BETTER_AUTH_SECRET does. `next build` loads this module
// too but sends nothing (the Docker build has no SMTP settings): read them when the server runs.
const building = process.env.NEXT_PHASE === "phase-production-build";
const mailer = building ? null : createMailer(readSmtpSettings());

function send(kind: string, content: Message): void {
  if (!mailer) throw new Error("account emails are not sent while building");
  mailer.send(kind, content);
}

/** Better Auth's link, always leading to `page` on this site (whatever callbackURL a client sent). */
function linkTo(url: string, page: string): string {
  const link = new URL(url);
  link.searchParams.set("callbackURL", page);
  return link.href;
}

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

function message(to: string, subject: string, lines: string[], action: string, link: string, after: string) {
  const text = [...lines, "", `${action}: ${link}`, "", after].join("\n");
  const html =
    lines.map((line) => `<p>${escapeHtml(line)}</p>`).join("") +
    `<p><a href="${escapeHtml(link)}">${escapeHtml(action)}</a></p>` +
    `<p>${escapeHtml(after)}</p>`;
  return { to, subject, text, html };
}

export const accountEmails: {
  emailAndPassword: EmailAndPassword;
  emailVerification: BetterAuthOptions["emailVerification"];
  rateLimitRules: RateLimitRules;
} = {
  emailAndPassword: {
    requireEmailVerification: REQUIRE_EMAIL_VERIFICATION,
    resetPasswordTokenExpiresIn: HOUR_SECONDS,
    // A reset ends every session of the account: whoever knew the old password is signed out.
    revokeSessionsOnPasswordReset: true,
    sendResetPassword: async ({ user, url }) => {
      send(
        "password reset",
        message(
          user.email,
          `Reset your ${PROJECT_NAME} password`,
          [`Someone asked to reset the password of your ${PROJECT_NAME} account.`],
          "Choose a new password",
          linkTo(url, RESET_PAGE),
          "The link works once, for one hour. If you did not ask for it, ignore this email: your password stays the same.",
        ),
      );
    },
  },
  emailVerification: {
    sendOnSignUp: true,
    autoSignInAfterVerification: true,
    expiresIn: 24 * HOUR_SECONDS,
    sendVerificationEmail: async ({ user, url }) => {
      send(
        "email verification",
        message(
          user.email,
          `Confirm your email address for ${PROJECT_NAME}`,
          [`Welcome to ${PROJECT_NAME}! Please confirm that this is your email address.`],
          "Confirm my email address",
          linkTo(url, VERIFIED_PAGE),
          "The link works for 24 hours. If you did not create an account, ignore this email.",
        ),
      );
    },
  },
  // Per client address (lib/client-address.ts), like sign-in.
  rateLimitRules: {
    "/request-password-reset": { window: 60, max: 3 },
    "/send-verification-email": { window: 60, max: 3 },
    "/reset-password": { window: 60, max: 5 },
    "/reset-password/*": { window: 60, max: 10 },
    "/verify-email": { window: 60, max: 10 },
  },
};
