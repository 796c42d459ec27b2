// How Better Auth signs the JWT for FastAPI, shared_secret mode: HS256 with BETTER_AUTH_SECRET.
import { SignJWT } from "jose";

import type { JwtSigning } from "../jwt-signing";

/** jwt plugin options that make tokens HS256-signed with the shared secret. */
export function jwtSigning(baseURL: string, secret: string): JwtSigning {
  const signingKey = new TextEncoder().encode(secret);
  return {
    // The plugin only signs with asymmetric keys from its jwks table; the backend verifies
    // HS256 with the shared secret, so we sign here. The payload we receive already holds
    // iat and sub plus definePayload's claims, and the plugin adds exp, iss and aud.
    sign: async (payload, header) => {
      const token = new SignJWT(payload).setProtectedHeader({ ...header, alg: "HS256", typ: "JWT" });
      if (payload.iat === undefined) token.setIssuedAt();
      return token.sign(signingKey);
    },
    jwks: {
      // A custom `sign` requires remoteUrl; setting it also disables GET /api/auth/jwks
      // (404), which is right: a symmetric key must never be published. The URL is only
      // advertised in metadata and deliberately points nowhere.
      remoteUrl: `${baseURL}/api/auth/jwks-not-available`,
      // Required together with remoteUrl. Its type only allows asymmetric algorithms; it is
      // metadata only, the tokens are signed with HS256 above.
      keyPairConfig: { alg: "EdDSA" },
    },
  };
}
