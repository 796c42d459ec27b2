// Social sign-in end to end (a project with oauth_providers): the real Better Auth server, the
// real FastAPI backend and, for oidc, a real OpenID Connect provider on this machine
// (e2e/oidc-test-provider.mjs, started by the harness). Proves that a social user's JWT is what
// the backend already expects: `sub` is Better Auth's user id, and one social user never sees
// another's tasks. GitHub and Google are checked up to their authorize URL (their servers are
// remote); a chosen provider without keys stops a production server from starting.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { after, before, describe, test } from "node:test";

import { decodeJwt } from "jose";

import { launchBrowser, skip as noBrowser } from "./browser.mjs";
import { FRONTEND_DIR, startServers } from "./harness.mjs";
import { API_STYLE, OAUTH_PROVIDERS, OWNERSHIP_STATUS, tasksPath } from "./project.mjs";

const AUTHORIZE_URLS = {
  github: "https://github.com/login/oauth/authorize",
  google: "https://accounts.google.com/o/oauth2/v2/auth",
};
const KEYS = {
  github: ["GITHUB_CLIENT_ID", "GITHUB_CLIENT_SECRET"],
  google: ["GOOGLE_CLIENT_ID", "GOOGLE_CLIENT_SECRET"],
  oidc: ["OIDC_ISSUER", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET"],
};

let servers;
let browser;

before(async () => {
  servers = await startServers();
  if (OAUTH_PROVIDERS.includes("oidc") && !noBrowser) browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await servers?.stop();
});

/** Run a command in the frontend folder; resolves to { status, output }. */
function runIn(command, args, env) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: FRONTEND_DIR, env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    child.on("close", (status) => resolve({ status, output }));
  });
}

async function startSocialSignIn(provider, cookie = "") {
  const response = await fetch(`${servers.authURL}/api/auth/sign-in/social`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Origin: servers.authURL, ...(cookie ? { Cookie: cookie } : {}) },
    body: JSON.stringify({ provider, callbackURL: "/tasks" }),
  });
  const text = await response.text();
  assert.equal(response.status, 200, text);
  return { body: JSON.parse(text), setCookies: response.headers.getSetCookie() };
}

describe("sign-in/social answers the provider's authorize URL", () => {
  for (const provider of OAUTH_PROVIDERS) {
    test(provider, async () => {
      const { body, setCookies } = await startSocialSignIn(provider);
      assert.equal(body.redirect, true);
      const url = new URL(body.url);
      const expected = provider === "oidc" ? null : AUTHORIZE_URLS[provider];
      if (expected) assert.equal(`${url.origin}${url.pathname}`, expected);
      else assert.equal(url.origin, servers.social.oidc.issuer, "the issuer's authorization endpoint (from discovery)");
      const params = url.searchParams;
      assert.equal(params.get("client_id"), servers.social.env[KEYS[provider][provider === "oidc" ? 1 : 0]]);
      assert.equal(params.get("redirect_uri"), `${servers.authURL}/api/auth/callback/${provider}`);
      assert.equal(params.get("response_type"), "code");
      assert.ok((params.get("state") ?? "").length >= 16, `no state in ${url}`);
      assert.ok((params.get("code_challenge") ?? "").length >= 43, `no PKCE challenge in ${url}`);
      assert.equal(params.get("code_challenge_method"), "S256");
      if (provider === "oidc") assert.ok(params.get("nonce"), "the ID token is bound to this request by a nonce");
      // The state and the PKCE verifier stay on the server side of an httpOnly cookie.
      const state = setCookies.find((cookie) => /state=/.test(cookie.split(";")[0]));
      assert.ok(state && /HttpOnly/i.test(state), `no httpOnly state cookie in ${setCookies}`);
      for (const secret of Object.keys(servers.social.env).filter((key) => key.endsWith("_SECRET"))) {
        assert.ok(!body.url.includes(servers.social.env[secret]), `${secret} leaked into the authorize URL`);
      }
    });
  }
});

test("a chosen provider without its keys stops the production server from starting, naming the key only", async () => {
  // `npm start` runs `npm run migrate` first (prestart), which loads lib/auth.ts.
  const runs = OAUTH_PROVIDERS.map(async (provider) => {
    const missing = KEYS[provider].at(-1);
    const env = { ...servers.frontendEnv };
    delete env[missing];
    const { status, output } = await runIn("npm", ["run", "migrate"], env);
    assert.equal(status, 1, output);
    const lines = output.split("\n").filter((line) => line.includes("Social sign-in"));
    assert.equal(lines.length, 1, output);
    assert.match(lines[0], new RegExp(`^migrate: .*${missing} not set`), output);
    assert.doesNotMatch(output, /^\s+at /m, "one line, no stack trace");
    for (const [key, value] of Object.entries(servers.social.env)) {
      if (key !== "OIDC_NAME") assert.ok(!output.includes(value), `the value of ${key} is printed`);
    }
  });
  await Promise.all(runs);
});

test("in development a provider without keys is not offered, with one warning line", async () => {
  const [offered, ...left] = OAUTH_PROVIDERS;
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: "development" };
  for (const key of KEYS[offered]) env[key] = servers.social.env[key];
  const script = 'const { socialSignIn } = await import("./lib/social.ts"); console.log(JSON.stringify(socialSignIn.buttons));';
  const { status, output } = await runIn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], env);
  assert.equal(status, 0, output);
  const lines = output.trim().split("\n");
  assert.deepEqual(JSON.parse(lines.at(-1)).map((button) => button.id), [offered], output);
  const warnings = lines.filter((line) => line.startsWith("warning:"));
  assert.equal(warnings.length, left.length, output);
  for (const provider of left) assert.equal(warnings.filter((line) => line.includes(KEYS[provider][0])).length, 1, output);
});

// Only with the oidc provider (not a skip: CI counts skips as browser tests that did not run).
if (OAUTH_PROVIDERS.includes("oidc")) describe("OpenID Connect sign-in through a real local provider, then the backend", () => {
  /** Sign in as LOGIN at the local provider in a fresh browser; returns { id, email, token, context }. */
  async function socialSignIn(login) {
    const context = await browser.newContext();
    // Nothing leaves this machine (the provider's page imports a web font).
    await context.route(/^https?:\/\/(?!127\.0\.0\.1[:/])/, (route) => route.abort());
    const page = await context.newPage();
    await page.goto(`${servers.authURL}/sign-in`);
    await page.getByRole("button", { name: "Continue with Test IdP" }).click();
    await page.waitForURL((url) => url.origin === servers.social.oidc.issuer, { waitUntil: "domcontentloaded" });
    await page.locator('input[name="login"]').fill(login);
    await page.locator('input[name="password"]').fill("any password");
    await page.getByRole("button", { name: "Sign-in" }).click();
    await page.getByRole("button", { name: "Continue" }).click();
    return { context, page };
  }

  async function signedIn(login) {
    const { context, page } = await socialSignIn(login);
    await page.waitForURL(`${servers.authURL}/tasks`);
    await page.getByRole("heading", { name: "Your tasks" }).waitFor();
    const session = await (await context.request.get(`${servers.authURL}/api/auth/get-session`)).json();
    const tokenResponse = await context.request.get(`${servers.authURL}/api/auth/token`);
    assert.equal(tokenResponse.status(), 200);
    const { token } = await tokenResponse.json();
    await context.close();
    return { id: session.user.id, email: session.user.email, token };
  }

  const api = (path, token, init = {}) =>
    fetch(`${servers.backendURL}${path}`, {
      ...init,
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    });

  test("two social users: signed in, accepted by the backend as Better Auth's user id, isolated", { skip: noBrowser }, async () => {
    const first = await signedIn(`ada-${Date.now().toString(36)}`);
    const second = await signedIn(`bo-${Date.now().toString(36)}`);
    assert.match(first.email, /@oidc\.example\.test$/);
    assert.notEqual(first.id, second.id);
    for (const person of [first, second]) {
      assert.equal(decodeJwt(person.token).sub, person.id, "sub is Better Auth's user id, not the provider's");
      const me = await api("/api/me", person.token);
      const body = await me.text();
      assert.equal(me.status, 200, body);
      assert.equal(JSON.parse(body).id, person.id);
    }
    const created = await api(tasksPath(first.id), first.token, { method: "POST", body: JSON.stringify({ title: "social task" }) });
    assert.equal(created.status, 201, await created.clone().text());
    const task = await created.json();
    const mine = await (await api(tasksPath(first.id), first.token)).json();
    assert.deepEqual(mine.map((t) => t.id), [task.id]);
    assert.deepEqual(await (await api(tasksPath(second.id), second.token)).json(), [], "the second user sees no task");
    const theirs = await api(tasksPath(first.id, task.id), second.token);
    assert.equal(theirs.status, API_STYLE === "user_path" ? 403 : OWNERSHIP_STATUS);
  });

  test("an email already used by a password account is not taken over by a provider account", { skip: noBrowser }, async () => {
    const login = `eve-${Date.now().toString(36)}`;
    const signUp = await fetch(`${servers.authURL}/api/auth/sign-up/email`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Origin: servers.authURL },
      body: JSON.stringify({ name: "Eve", email: `${login}@oidc.example.test`, password: "pw-long-enough-1" }),
    });
    assert.equal(signUp.status, 200, await signUp.text());
    const { context, page } = await socialSignIn(login);
    await page.waitForURL((url) => url.pathname === "/sign-in" && url.searchParams.get("error") === "account_not_linked");
    await page.getByText("An account with this email already exists").waitFor();
    const session = await (await context.request.get(`${servers.authURL}/api/auth/get-session`)).json();
    assert.equal(session, null, "no session for the provider account");
    await context.close();
  });
});
