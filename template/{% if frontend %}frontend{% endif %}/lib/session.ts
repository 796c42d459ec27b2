// Server-side session lookup for pages (reads the httpOnly session cookie).
import { headers } from "next/headers";

import { auth } from "./auth";

export async function getSession() {
  return auth.api.getSession({ headers: await headers() });
}
