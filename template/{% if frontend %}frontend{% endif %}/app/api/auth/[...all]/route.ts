import { toNextJsHandler } from "better-auth/next-js";

import { auth } from "@/lib/auth";

export const runtime = "nodejs"; // the database driver is a Node.js module
export const { GET, POST } = toNextJsHandler(auth);
