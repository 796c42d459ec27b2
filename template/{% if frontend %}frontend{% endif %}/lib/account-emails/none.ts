// No account emails (account_emails=false): no verification, no password reset by email.
import type { BetterAuthOptions } from "better-auth";

type EmailAndPassword = Partial<NonNullable<BetterAuthOptions["emailAndPassword"]>>;
type RateLimitRules = NonNullable<NonNullable<BetterAuthOptions["rateLimit"]>["customRules"]>;

export const accountEmails: {
  emailAndPassword: EmailAndPassword;
  emailVerification: BetterAuthOptions["emailVerification"];
  rateLimitRules: RateLimitRules;
} = { emailAndPassword: {}, emailVerification: undefined, rateLimitRules: {} };
