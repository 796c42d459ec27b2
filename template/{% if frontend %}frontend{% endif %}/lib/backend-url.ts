// The FastAPI backend's base URL as the browser calls it: BACKEND_URL, read when the server runs
// (pointing at another backend needs no rebuild). The pages hand it to the browser (app/layout.tsx)
// and the Content-Security-Policy allows exactly its origin (proxy.ts).
import { DEFAULT_BACKEND_URL } from "./project";

/** An http(s) URL with a host (the one URL rule of the frontend's settings). */
export const HTTP_URL = /^https?:\/\/[^/\s]+(\/\S*)?$/;

export function backendUrl(env: NodeJS.ProcessEnv = process.env): string {
  const value = env.BACKEND_URL || DEFAULT_BACKEND_URL;
  if (!HTTP_URL.test(value)) {
    throw new Error(`BACKEND_URL must be an http(s) URL, e.g. http://localhost:8000 (got "${value}").`);
  }
  return value;
}
