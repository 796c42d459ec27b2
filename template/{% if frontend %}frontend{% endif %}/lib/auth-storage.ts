// WHERE BETTER AUTH KEEPS SESSIONS AND RATE-LIMIT COUNTERS.
//
// Without REDIS_URL: sessions in the database, rate-limit counters in this process's memory, which
// is right for one frontend instance. With REDIS_URL (redis:// or rediss://): sessions are also
// cached in Redis and the counters live there, so every instance sees the same sessions and counts
// sign-in attempts together. Sessions stay in the database as well: a restarted Redis signs no one
// out. If Redis cannot be reached, requests that need it fail (nothing is let through uncounted).
import { redisStorage } from "@better-auth/redis-storage";
import type { BetterAuthOptions } from "better-auth";
import { Redis } from "ioredis";

type AuthStorage = Pick<BetterAuthOptions, "secondaryStorage"> & {
  rateLimitStorage: "memory" | "secondary-storage";
  storeSessionInDatabase: boolean;
};

export function authStorage(env: NodeJS.ProcessEnv = process.env): AuthStorage {
  const url = (env.REDIS_URL ?? "").trim();
  if (!url) return { rateLimitStorage: "memory", storeSessionInDatabase: true };
  if (!/^rediss?:\/\/[^\s]+$/.test(url)) {
    // The value is not echoed: it may hold a password.
    throw new Error("REDIS_URL must be a redis:// or rediss:// URL, e.g. redis://localhost:6379/0.");
  }
  const client = new Redis(url, {
    lazyConnect: true, // `next build` loads this module: connect on first use, not at import
    maxRetriesPerRequest: 1, // Redis down: the request fails quickly instead of waiting
    connectTimeout: 2_000,
  });
  client.on("error", () => {}); // a failed command already fails its request; no log storm here
  return {
    secondaryStorage: redisStorage({ client }),
    rateLimitStorage: "secondary-storage",
    storeSessionInDatabase: true,
  };
}
