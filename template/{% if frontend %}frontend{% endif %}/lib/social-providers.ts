// SOCIAL SIGN-IN (server-only): the providers chosen in copier.yml's oauth_providers, configured
// from frontend/.env. Better Auth's `socialProviders` for GitHub and Google, its `genericOAuth`
// plugin for one OpenID Connect provider found by its issuer URL (Keycloak, Auth0, Entra ...).
//
// Fail closed: in production (NODE_ENV=production) a chosen provider without its keys stops the
// server from starting (`npm start` runs `npm run migrate` first, which loads this file), with
// a message that names the key, never a value. In development that provider is simply not
// offered (no button), with one warning line.
//
// The backend needs nothing for this: whatever the provider, the JWT's `sub` is Better Auth's
// own user id, as for email + password accounts.
import type { BetterAuthOptions, BetterAuthPlugin } from "better-auth";
import { genericOAuth } from "better-auth/plugins";

export type SocialProviderId = "github" | "google" | "oidc";

/** What the sign-in page needs to show one button (no secret in it). */
export type SocialButton = { id: SocialProviderId; label: string };

type Env = Record<string, string | undefined>;

/** The keys each provider needs in frontend/.env (the .env.example lists them, empty). */
export const PROVIDER_KEYS: Record<SocialProviderId, string[]> = {
  github: ["GITHUB_CLIENT_ID", "GITHUB_CLIENT_SECRET"],
  google: ["GOOGLE_CLIENT_ID", "GOOGLE_CLIENT_SECRET"],
  oidc: ["OIDC_ISSUER", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET"],
};

const NAMES: Record<SocialProviderId, string> = { github: "GitHub", google: "Google", oidc: "SSO" };
const LOCAL_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** OIDC_ISSUER: an https URL (http on this machine only), without query or fragment. */
function issuerProblem(issuer: string): string | null {
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    return "is not a URL";
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && LOCAL_HOSTS.has(url.hostname))) {
    return "must be an https URL (http only for localhost)";
  }
  if (url.username || url.password || url.search || url.hash) return "must have no user, query or fragment";
  return null;
}

export type SocialSignIn = {
  /** Spread into betterAuth({...}). */
  options: Pick<BetterAuthOptions, "socialProviders" | "account">;
  plugins: BetterAuthPlugin[];
  /** The providers offered on the sign-in page, in the order chosen. */
  buttons: SocialButton[];
};

/**
 * Configure the CHOSEN providers from ENV. Throws in production when a chosen provider lacks a
 * key (or OIDC_ISSUER is not an https URL); in development, leaves that provider out and warns.
 */
export function configureSocialSignIn(chosen: SocialProviderId[], env: Env = process.env): SocialSignIn {
  // `next build` loads this module too, with no runtime settings (the Dockerfile builds without
  // any secret): the checks run when the server starts (`npm start` -> `npm run migrate`).
  const building = env.NEXT_PHASE === "phase-production-build";
  const production = env.NODE_ENV === "production" && !building;
  const value = (key: string) => (env[key] ?? "").trim();
  const socialProviders: NonNullable<BetterAuthOptions["socialProviders"]> = {};
  const plugins: BetterAuthPlugin[] = [];
  const buttons: SocialButton[] = [];

  for (const id of chosen) {
    const missing = PROVIDER_KEYS[id].filter((key) => !value(key));
    const issuerIssue = id === "oidc" && value("OIDC_ISSUER") ? issuerProblem(value("OIDC_ISSUER")) : null;
    if (missing.length > 0 || issuerIssue) {
      const problem = issuerIssue ? `OIDC_ISSUER ${issuerIssue}` : `${missing.join(", ")} not set`;
      if (production) {
        throw new Error(
          `Social sign-in with ${NAMES[id]} is enabled (oauth_providers: ${id}) but ${problem}: set ` +
            `${PROVIDER_KEYS[id].join(", ")} in the environment or frontend/.env (README.md, "Social sign-in").`,
        );
      }
      if (!building) console.warn(`warning: sign-in with ${NAMES[id]} is not offered: ${problem} in frontend/.env`);
      continue;
    }
    if (id === "github" || id === "google") {
      // Better Auth sends state and a PKCE challenge (S256) to both; the callback URL is
      // {BETTER_AUTH_URL}/api/auth/callback/<id>.
      socialProviders[id] = { clientId: value(`${id.toUpperCase()}_CLIENT_ID`), clientSecret: value(`${id.toUpperCase()}_CLIENT_SECRET`) };
      buttons.push({ id, label: NAMES[id] });
    } else {
      const issuer = value("OIDC_ISSUER").replace(/\/+$/, "");
      const label = value("OIDC_NAME") || NAMES.oidc;
      plugins.push(
        genericOAuth({
          config: [
            {
              providerId: "oidc",
              name: label,
              discoveryUrl: `${issuer}/.well-known/openid-configuration`,
              // Refuse to register the provider unless discovery gives an issuer and a JWKS:
              // ID tokens are always verified (signature, issuer, audience, nonce).
              requireIdTokenVerification: true,
              pkce: true,
              scopes: ["openid", "email", "profile"],
              clientId: value("OIDC_CLIENT_ID"),
              clientSecret: value("OIDC_CLIENT_SECRET"),
              // Signing out of this app does not sign the person out of their identity provider.
              disableProviderLogout: true,
            },
          ],
        }),
      );
      buttons.push({ id, label });
    }
  }

  return {
    options: {
      socialProviders,
      account: {
        // Account linking policy: never implicit. Signing in with a provider whose email already
        // belongs to an account (e.g. an email + password one) is refused (error
        // account_not_linked): a provider account someone controls must not take over an
        // existing account by its email address. No provider is trusted to skip that rule.
        accountLinking: { enabled: true, disableImplicitLinking: true, trustedProviders: [] },
      },
    },
    plugins,
    buttons,
  };
}
