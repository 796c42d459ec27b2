// A REAL OpenID Connect provider for the end-to-end tests: panva's oidc-provider (a certified
// implementation, a devDependency), on 127.0.0.1 and a free port, with its built-in development
// login and consent pages (any login name and password are accepted: the login name becomes the
// user's `sub`, and `<login>@oidc.example.test` its verified email). Nothing leaves this machine.
import { randomBytes } from "node:crypto";

import Provider from "oidc-provider";

/** Start it for a relying party at AUTH_URL; resolves to { issuer, clientId, clientSecret, stop() }. */
export async function startOidcProvider(port, authURL) {
  const issuer = `http://127.0.0.1:${port}`;
  const clientId = "e2e-client";
  const clientSecret = randomBytes(32).toString("base64url");
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        // The callback Better Auth's genericOAuth plugin uses for providerId "oidc".
        redirect_uris: [`${authURL}/api/auth/callback/oidc`],
        grant_types: ["authorization_code"],
        response_types: ["code"],
        token_endpoint_auth_method: "client_secret_post",
      },
    ],
    claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"] },
    features: { devInteractions: { enabled: true } },
    pkce: { required: () => true },
    cookies: { keys: [randomBytes(32).toString("base64url")] },
    async findAccount(_ctx, sub) {
      return {
        accountId: sub,
        async claims() {
          return { sub, email: `${sub}@oidc.example.test`, email_verified: true, name: `${sub} (OIDC)` };
        },
      };
    },
  });
  provider.proxy = false;
  const server = provider.listen(port, "127.0.0.1");
  server.unref(); // never what keeps a test process alive
  await new Promise((resolve, reject) => {
    server.once("listening", resolve);
    server.once("error", reject);
  });
  const stop = () =>
    new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return { issuer, clientId, clientSecret, stop };
}
