// The FastAPI backend's base URL as the browser calls it: BACKEND_URL, read when the server runs
// (pointing at another backend needs no rebuild). The pages hand it to the browser (app/layout.tsx)
// and the Content-Security-Policy allows exactly its origin (proxy.ts).
import { DEFAULT_BACKEND_URL } from "./project";

// The URL rules of the frontend's settings, the same as the backend's (app/core/config.py) and
// copier.yml's validators; bafa checks on one table of examples that every copy agrees.
/** An origin as a browser sends it: scheme://host[:port], a name or an IPv4 address (no user,
 * IPv6 or Unicode host), port 1-65535, nothing after it. */
const ORIGIN_PATTERN = String.raw`https?://[A-Za-z0-9.-]+(?::(?:6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[1-9][0-9]{0,3}))?`;
export const ORIGIN = new RegExp(`^(?:${ORIGIN_PATTERN})$`);
/** An http(s) URL: an origin and a path of visible ASCII characters (no query, fragment or spaces). */
export const HTTP_URL = new RegExp(`^(?:${ORIGIN_PATTERN}(?:/[!"$->@-~]*)?)$`);

export function backendUrl(env: NodeJS.ProcessEnv = process.env): string {
  const value = env.BACKEND_URL || DEFAULT_BACKEND_URL;
  if (!HTTP_URL.test(value)) {
    throw new Error(
      `BACKEND_URL must be an http(s) URL, e.g. http://localhost:8000 (got "${value}"; no user, query or fragment, port 1-65535).`,
    );
  }
  return value;
}
