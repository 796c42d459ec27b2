// Starts the REAL servers for the end-to-end tests: the built Next.js app (Better Auth) and
// the FastAPI backend under uvicorn, both on 127.0.0.1 with free ports, a fresh random
// BETTER_AUTH_SECRET shared by both, and throwaway databases.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, mkdirSync, openSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import { BACKEND_DIR, backendPython } from "../scripts/backend-python.mjs";
import { ACCOUNT_EMAILS, DATABASE, OAUTH_PROVIDERS } from "./project.mjs";

export const FRONTEND_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export { BACKEND_DIR };
export const ARTIFACTS_DIR = resolve(process.env.E2E_ARTIFACTS_DIR ?? join(FRONTEND_DIR, "e2e", "artifacts"));

/** A port nobody listens on right now. */
export function freePort() {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.on("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => ok(port));
    });
  });
}

async function waitFor(url, child, logFile, seconds = 60) {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`${url}: server exited (${child.exitCode}):\n${readFileSync(logFile, "utf8").slice(-4000)}`);
    }
    try {
      const response = await fetch(url);
      if (response.status < 500) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not answer within ${seconds} s:\n${readFileSync(logFile, "utf8").slice(-4000)}`);
}

/** Run a command to its end without blocking this process: the local OpenID Connect provider of
 * the social sign-in tests is served from here, and `npm run migrate` loads Better Auth, whose
 * genericOAuth plugin fetches that provider's discovery document (a spawnSync would deadlock). */
function run(command, args, options) {
  return new Promise((ok, fail) => {
    const child = spawn(command, args, { ...options, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    child.on("error", fail);
    child.on("close", (code) =>
      code === 0 ? ok() : fail(new Error(`${command} ${args.join(" ")} failed (${code}):\n${output}`)),
    );
  });
}

/**
 * Start both servers (and, with account emails, a real maildev they send to: `mail`, see
 * e2e/mail-catcher.mjs). Returns { authURL, backendURL, secret, mail, stop(), stopBackend(),
 * startBackend(env), backendRunning() }: the backend can be stopped and started again on the same port (the
 * browser tests take it away, then bring it back, with extra settings such as a rate limit).
 * The Next.js app must be built (`npm run build`); it is built here if it is not.
 */
export async function startServers() {
  const work = mkdtempSync(join(tmpdir(), "e2e-"));
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const [authPort, backendPort] = [await freePort(), await freePort()];
  const authURL = `http://127.0.0.1:${authPort}`;
  const backendURL = `http://127.0.0.1:${backendPort}`;
  const secret = randomBytes(48).toString("base64url");
  const mailPorts = ACCOUNT_EMAILS ? { smtp: await freePort(), web: await freePort() } : null;

  const authDatabase =
    DATABASE === "sqlite" ? join(work, "better-auth.db") : process.env.E2E_AUTH_DATABASE_URL ?? process.env.DATABASE_URL;
  if (!authDatabase) throw new Error("set E2E_AUTH_DATABASE_URL to a PostgreSQL database for the end-to-end tests");
  // Social sign-in: a real local OpenID Connect provider (e2e/oidc-test-provider.mjs) for oidc;
  // GitHub and Google get test client ids only (their servers are never contacted).
  const social = await startSocialProviders(authURL);
  const frontendEnv = {
    ...process.env,
    NODE_ENV: "production",
    BETTER_AUTH_SECRET: secret,
    BETTER_AUTH_URL: authURL,
    TRUSTED_ORIGINS: authURL,
    BACKEND_URL: backendURL,
    DATABASE_URL: authDatabase,
    // Account deletions a backend missed are retried every second here (e2e/account.test.mjs).
    ACCOUNT_DELETION_RETRY_SECONDS: "1",
    ACCOUNT_DELETION_RETRY_MAX_SECONDS: "1",
    ...social.env,
    ...(mailPorts
      ? {
          SMTP_HOST: "127.0.0.1",
          SMTP_PORT: String(mailPorts.smtp),
          SMTP_SECURE: "",
          SMTP_USER: "",
          SMTP_PASSWORD: "",
          SMTP_FROM: "tasks@example.test",
        }
      : {}),
  };
  const backendEnv = {
    ...process.env,
    BETTER_AUTH_SECRET: secret,
    BETTER_AUTH_URL: authURL,
    JWT_AUDIENCE: authURL,
    JWKS_URL: `${authURL}/api/auth/jwks`, // jwks mode (ignored in shared_secret mode)
    CORS_ORIGINS: JSON.stringify([authURL]),
    DATABASE_URL: process.env.E2E_BACKEND_DATABASE_URL ?? `sqlite:///${join(work, "tasks.db")}`,
    // The tests run their flows at machine speed from one address; the backend's own suite
    // tests the rate limits (tests/test_rate_limit.py).
    RATE_LIMIT_PER_USER: "",
    RATE_LIMIT_PER_CLIENT: "",
  };

  if (!existsSync(join(FRONTEND_DIR, ".next", "BUILD_ID"))) {
    await run("npm", ["run", "build"], { cwd: FRONTEND_DIR, env: frontendEnv });
  }
  await run("npm", ["run", "migrate"], { cwd: FRONTEND_DIR, env: frontendEnv });

  // The backend never creates its tables itself: migrate, as its README says.
  await run(backendPython(), ["-m", "alembic", "upgrade", "heads"], { cwd: BACKEND_DIR, env: backendEnv });

  const children = [];
  const start = (name, command, args, cwd, env) => {
    const logFile = join(ARTIFACTS_DIR, `${name}.log`);
    const log = openSync(logFile, "a");
    const child = spawn(command, args, { cwd, env, stdio: ["ignore", log, log] });
    children.push(child);
    return { child, logFile };
  };
  const launchBackend = (env = {}) =>
    start(
      "backend",
      backendPython(),
      ["-m", "uvicorn", "app.main:app", "--host", "127.0.0.1", "--port", String(backendPort)],
      BACKEND_DIR,
      { ...backendEnv, ...env },
    );
  const mail = mailPorts
    ? await (await import("./mail-catcher.mjs")).startMailCatcher(mailPorts.smtp, mailPorts.web)
    : null;
  rmSync(join(ARTIFACTS_DIR, "backend.log"), { force: true });
  rmSync(join(ARTIFACTS_DIR, "frontend.log"), { force: true });
  let backend = launchBackend();
  // server.mjs, as `npm start` runs it: rate limits keyed on the connection's address.
  const frontend = start(
    "frontend",
    process.execPath,
    [join(FRONTEND_DIR, "server.mjs"), "--hostname", "127.0.0.1", "--port", String(authPort)],
    FRONTEND_DIR,
    frontendEnv,
  );

  const running = (child) => child.exitCode === null && child.signalCode === null;
  const exited = (child) => (running(child) ? new Promise((r) => child.once("exit", r)) : null);
  /** Stop the backend (the browser then cannot reach it); its database stays. */
  const stopBackend = async () => {
    if (running(backend.child)) backend.child.kill("SIGTERM");
    await exited(backend.child);
  };
  /** Start it again on the same port, with `env` added to its settings; resolves once it answers. */
  const startBackend = async (env = {}) => {
    await stopBackend();
    backend = launchBackend(env);
    await waitFor(`${backendURL}/health`, backend.child, backend.logFile);
  };
  const stop = async () => {
    for (const child of children) if (running(child)) child.kill("SIGTERM");
    await Promise.all(children.map(exited));
    await social.stop();
    await mail?.stop();
    rmSync(work, { recursive: true, force: true });
  };
  try {
    await waitFor(`${backendURL}/health`, backend.child, backend.logFile);
    await waitFor(`${authURL}/api/auth/ok`, frontend.child, frontend.logFile);
  } catch (error) {
    await stop();
    throw error;
  }
  // The SQLite files the servers created (users, sessions, password hashes; everyone's tasks).
  const sqliteFiles = [authDatabase, backendEnv.DATABASE_URL.replace(/^sqlite:\/\//, "")].filter(
    (file) => DATABASE === "sqlite" && file.startsWith("/") && existsSync(file),
  );
  const backendRunning = () => running(backend.child);
  const backendDatabaseURL = backendEnv.DATABASE_URL;
  return {
    authURL, backendURL, secret, stop, stopBackend, startBackend, backendRunning, sqliteFiles, backendDatabaseURL,
    social, frontendEnv, mail,
  };
}

/** The frontend settings of the project's oauth_providers, and the local OIDC provider when it has oidc. */
async function startSocialProviders(authURL) {
  const env = {};
  for (const id of ["github", "google"].filter((id) => OAUTH_PROVIDERS.includes(id))) {
    const prefix = id.toUpperCase();
    env[`${prefix}_CLIENT_ID`] = `e2e-${id}-client`;
    env[`${prefix}_CLIENT_SECRET`] = randomBytes(24).toString("base64url");
  }
  if (!OAUTH_PROVIDERS.includes("oidc")) return { env, oidc: null, stop: async () => {} };
  const { startOidcProvider } = await import("./oidc-test-provider.mjs");
  const oidc = await startOidcProvider(await freePort(), authURL);
  Object.assign(env, {
    OIDC_ISSUER: oidc.issuer,
    OIDC_CLIENT_ID: oidc.clientId,
    OIDC_CLIENT_SECRET: oidc.clientSecret,
    OIDC_NAME: "Test IdP",
  });
  return { env, oidc, stop: oidc.stop };
}

/** Poll `condition` every `every` ms until it holds, or fail after `seconds`. */
export async function eventually(condition, what, seconds = 60, every = 250) {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    if (await condition()) return;
    await new Promise((r) => setTimeout(r, every));
  }
  assert.fail(`${what}: not within ${seconds} s`);
}

let userCounter = 0;

/** A fresh user's credentials (unique per run, so reruns never collide). */
export function newUser(label) {
  userCounter += 1;
  const tag = `${label}-${Date.now().toString(36)}-${userCounter}-${randomBytes(3).toString("hex")}`;
  return { name: `${label} Tester`, email: `${tag}@example.test`, password: `pw-${randomBytes(9).toString("base64url")}` };
}
