// Browser-side Better Auth client. Same origin as the auth server, so no baseURL is needed.
import { createAuthClient } from "better-auth/react";

export const authClient = createAuthClient();
