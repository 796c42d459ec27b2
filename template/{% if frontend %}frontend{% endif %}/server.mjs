// THE PRODUCTION SERVER (`npm start`): Next.js behind a plain Node.js HTTP server, for one reason —
// the client address that Better Auth's rate limits (sign-in, sign-up) are keyed on.
//
// `next start` keeps an X-Forwarded-For header that the client sent itself, so anyone could pick a
// fresh rate-limit bucket for every password guess. Here the header is overwritten with the TCP
// peer's address before Next.js sees the request. Behind a reverse proxy that address is the
// proxy's: set CLIENT_IP_HEADER to the header the proxy sets (overwrites) with the real client
// address, and this server leaves the headers alone (see lib/client-address.ts).
//
//   node server.mjs [--hostname 0.0.0.0] [--port N]   (or HOSTNAME / PORT; `npm start` defaults
//   the port to package.json's config.port, the port of the project's auth_url)
import { createServer } from "node:http";
import { parseArgs } from "node:util";

import next from "next";

const { values } = parseArgs({
  options: { hostname: { type: "string", short: "H" }, port: { type: "string", short: "p" } },
});
const hostname = values.hostname ?? process.env.HOSTNAME ?? "0.0.0.0";
const port = Number(values.port ?? process.env.PORT ?? process.env.npm_package_config_port ?? 3000);
if (!Number.isInteger(port) || port < 1 || port > 65535) {
  console.error(`error: the port must be a number from 1 to 65535 (got "${values.port ?? process.env.PORT}")`);
  process.exit(2);
}

const app = next({ dev: false, hostname, port });
const handle = app.getRequestHandler();
await app.prepare(); // loads .env*, so CLIENT_IP_HEADER may come from there

// Read once, after .env is loaded; lib/client-address.ts reads the same variable.
const proxyHeader = (process.env.CLIENT_IP_HEADER ?? "").trim();

const server = createServer((req, res) => {
  if (!proxyHeader) {
    req.headers["x-forwarded-for"] = req.socket.remoteAddress ?? "";
  }
  handle(req, res);
});
server.on("error", (error) => {
  const busy = error.code === "EADDRINUSE";
  console.error(`error: cannot listen on ${hostname}:${port}: ${busy ? "the port is already in use" : error.message}`);
  process.exit(1);
});
server.listen(port, hostname, () => {
  const source = proxyHeader ? `the ${proxyHeader} header set by your proxy` : "the connection's address";
  console.log(`> Ready on http://${hostname}:${port} (rate limits keyed on ${source})`);
});
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.once(signal, () => {
    server.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 5000).unref(); // requests still running after 5 s are cut
  });
}
