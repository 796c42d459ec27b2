// WHO IS THE CLIENT: the address Better Auth's rate limits are keyed on (advanced.ipAddress).
//
// As shipped, `npm start` (server.mjs) writes the TCP peer's address into X-Forwarded-For, over
// anything the client sent, so a client cannot choose its own rate-limit bucket. Behind a reverse
// proxy every request comes from the proxy's address; then name the header your proxy sets:
//   CLIENT_IP_HEADER=x-real-ip           a header the proxy overwrites with the client's address
//   CLIENT_IP_HEADER=x-forwarded-for     with TRUSTED_PROXIES=10.0.0.0/8,… (the proxies' addresses):
//                                        the rightmost address that is not a trusted proxy counts
// Only set CLIENT_IP_HEADER when a proxy really sets that header on every request: otherwise clients
// pick their own address again.
import type { BetterAuthOptions } from "better-auth";

type IpAddressOptions = NonNullable<NonNullable<BetterAuthOptions["advanced"]>["ipAddress"]>;

const HEADER_NAME = /^[a-z0-9-]+$/;

export function clientAddressOptions(env: NodeJS.ProcessEnv = process.env): IpAddressOptions {
  const header = (env.CLIENT_IP_HEADER ?? "").trim().toLowerCase();
  if (header && !HEADER_NAME.test(header)) {
    throw new Error(`CLIENT_IP_HEADER must be one header name, e.g. x-real-ip (got "${env.CLIENT_IP_HEADER}").`);
  }
  const trustedProxies = (env.TRUSTED_PROXIES ?? "")
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean);
  if (trustedProxies.length > 0 && !header) {
    throw new Error("TRUSTED_PROXIES is set but CLIENT_IP_HEADER is not: name the header your proxy sets.");
  }
  return {
    // Without CLIENT_IP_HEADER, server.mjs has put the connection's address in X-Forwarded-For.
    ipAddressHeaders: [header || "x-forwarded-for"],
    ...(trustedProxies.length > 0 ? { trustedProxies } : {}),
  };
}
