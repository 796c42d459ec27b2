// Account emails end to end: the real Better Auth server sends over SMTP to a real maildev
// (e2e/mail-catcher.mjs); the tests read each email there and follow its link — over HTTP, and
// in Chromium for the password reset.
//
// Rate limits are per client address and path. The API calls here come from their own loopback
// addresses (127.0.0.2, …: Linux routes all of 127/8 to this machine), so each test has its own
// buckets, and the browser (127.0.0.1) keeps its own.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { openSync, readFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { join } from "node:path";
import { after, before, test } from "node:test";

import { launchBrowser, shot, signIn, skip } from "./browser.mjs";
import { ARTIFACTS_DIR, FRONTEND_DIR, freePort, newUser, startServers } from "./harness.mjs";
import { linkIn } from "./mail-catcher.mjs";
import { DATABASE, REQUIRE_EMAIL_VERIFICATION } from "./project.mjs";

let servers;

before(async () => {
  servers = await startServers();
});

after(async () => {
  await servers?.stop();
});

/** One HTTP request from the loopback address `from`; returns { status, headers, cookies, json }. */
function call(method, url, { from, body, cookie, headers = {} }) {
  return new Promise((resolve, reject) => {
    const target = new URL(url, servers.authURL);
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = httpRequest(
      target,
      {
        method,
        localAddress: from,
        headers: {
          Origin: servers.authURL,
          ...(data ? { "Content-Type": "application/json" } : {}),
          ...(cookie ? { Cookie: cookie } : {}),
          ...headers,
        },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk) => (text += chunk));
        res.on("end", () => {
          const cookies = (res.headers["set-cookie"] ?? []).map((c) => c.split(";")[0]).filter((c) => !c.endsWith("="));
          let json = null;
          try {
            json = text ? JSON.parse(text) : null;
          } catch {
            // not JSON (a redirect)
          }
          resolve({ status: res.statusCode, headers: res.headers, cookie: cookies.join("; "), json, text });
        });
      },
    );
    req.on("error", reject);
    req.end(data);
  });
}

const signUp = (user, from) => call("POST", "/api/auth/sign-up/email", { from, body: user });
const signIn_ = (user, from) => call("POST", "/api/auth/sign-in/email", { from, body: { email: user.email, password: user.password } });
const session = (cookie, from) => call("GET", "/api/auth/get-session", { from, cookie });

/** Follow the verification email's link; returns the answer (a redirect that signs the person in). */
async function verifyByEmail(user, from) {
  const message = await servers.mail.waitFor(user.email, /^Confirm your email address/);
  const link = linkIn(message, "/api/auth/verify-email");
  assert.equal(new URL(link).origin, servers.authURL);
  assert.equal(new URL(link).searchParams.get("callbackURL"), "/email-verified");
  assert.ok(message.html.includes(link.replaceAll("&", "&amp;")), "the HTML part carries the same link");
  const followed = await call("GET", link, { from });
  assert.equal(followed.status, 302, followed.text);
  assert.equal(new URL(followed.headers.location, servers.authURL).pathname, "/email-verified");
  return { followed, link };
}

test(
  REQUIRE_EMAIL_VERIFICATION
    ? "sign-up sends a verification email; sign-in is refused until its link is followed"
    : "sign-up sends a verification email; following its link marks the address verified",
  async () => {
    const from = "127.0.0.2";
    const user = newUser("verify");
    const signedUp = await signUp(user, from);
    assert.equal(signedUp.status, 200, signedUp.text);
    if (REQUIRE_EMAIL_VERIFICATION) {
      assert.equal(signedUp.json.token, null, "no session before the address is verified");
      assert.doesNotMatch(signedUp.cookie, /session_token=/);
      const refused = await signIn_(user, from);
      assert.equal(refused.status, 403, refused.text);
      assert.equal(refused.json.code, "EMAIL_NOT_VERIFIED");
    } else {
      assert.match(signedUp.cookie, /session_token=/);
      assert.equal((await session(signedUp.cookie, from)).json.user.emailVerified, false);
    }

    const { followed, link } = await verifyByEmail(user, from);
    // autoSignInAfterVerification: the link itself signs the person in.
    assert.match(followed.cookie, /session_token=/);
    assert.equal((await session(followed.cookie, from)).json.user.emailVerified, true);
    const accepted = await signIn_(user, from);
    assert.equal(accepted.status, 200, accepted.text);
    assert.equal(accepted.json.user.emailVerified, true);

    // The link is never written to the server's log.
    const token = new URL(link).searchParams.get("token");
    assert.ok(!readFileSync(join(ARTIFACTS_DIR, "frontend.log"), "utf8").includes(token), "the token is in the log");
  },
);

test("asking for reset links and verification emails: 3 a minute per client address, whatever X-Forwarded-For says", async () => {
  const from = "127.0.0.3";
  for (const path of ["/api/auth/request-password-reset", "/api/auth/send-verification-email"]) {
    const ask = (headers = {}) =>
      call("POST", path, { from, headers, body: { email: `nobody-${path.length}@example.test`, callbackURL: "/" } });
    for (let i = 1; i <= 3; i += 1) assert.equal((await ask()).status, 200, `${path}: request ${i}`);
    const refused = await ask();
    assert.equal(refused.status, 429, `${path}: the 4th request within a minute`);
    assert.match(String(refused.headers["x-retry-after"]), /^\d+$/);
    assert.equal((await ask({ "X-Forwarded-For": "203.0.113.7" })).status, 429, `${path}: a chosen X-Forwarded-For`);
  }
});

test("in Chromium: the verification link confirms the address; forgot password → the emailed link → a new password, every session ended", { skip }, async () => {
  const from = "127.0.0.4";
  const user = newUser("reset");
  assert.equal((await signUp(user, from)).status, 200);

  const browser = await launchBrowser();
  try {
    // The verification link, opened in the browser, confirms the address and signs in there.
    const verification = linkIn(await servers.mail.waitFor(user.email, /^Confirm your email address/), "/api/auth/verify-email");
    const laptop = await (await browser.newContext()).newPage();
    await laptop.goto(verification);
    await laptop.waitForURL(`${servers.authURL}/email-verified`);
    await laptop.getByRole("heading", { name: "Email address confirmed" }).waitFor();
    await laptop.getByRole("link", { name: "Go to your tasks" }).click();
    await laptop.getByRole("heading", { name: "Your tasks" }).waitFor();
    // A session elsewhere too (another device, over the API): the reset must end both.
    const elsewhere = await signIn_(user, from);
    assert.equal(elsewhere.status, 200, elsewhere.text);
    assert.ok((await session(elsewhere.cookie, from)).json, "signed in elsewhere");

    const page = await (await browser.newContext()).newPage();
    await page.goto(`${servers.authURL}/sign-in`);
    await page.getByRole("link", { name: "Forgot password?" }).click();
    await page.waitForURL(/\/forgot-password$/);
    await page.getByLabel("Email").fill(user.email);
    await page.getByRole("button", { name: "Send the reset link" }).click();
    await page.getByRole("status").getByText(`If ${user.email} has an account`).waitFor();

    const message = await servers.mail.waitFor(user.email, /^Reset your /);
    const link = linkIn(message, "/api/auth/reset-password/");
    assert.equal(new URL(link).searchParams.get("callbackURL"), "/reset-password");
    await page.goto(link);
    // The token left the address bar as soon as the page loaded.
    await page.waitForURL(`${servers.authURL}/reset-password`);
    const newPassword = `${user.password}-new`;
    await page.getByLabel("New password", { exact: true }).fill(newPassword);
    await shot(page, "reset-password");
    await page.getByRole("button", { name: "Set new password" }).click();
    await page.waitForURL(/\/sign-in\?reason=password-reset$/);
    await page.getByTestId("notice").getByText("Your password is changed").waitFor();

    assert.equal((await signIn_(user, from)).status, 401, "the old password is refused");
    assert.equal((await session(elsewhere.cookie, from)).json, null, "the API session has ended");
    await laptop.reload();
    await laptop.waitForURL(/\/sign-in/); // the laptop's session has ended too
    await signIn(page, servers.authURL, { ...user, password: newPassword }, { open: false });

    // The link works once.
    await page.goto(link);
    await page.getByRole("alert").getByText("This link has expired or was already used.").waitFor();
  } finally {
    await browser.close();
  }
});

// Only a project with require_email_verification has this flow (not a skip: CI counts skips as
// browser tests that did not run).
if (REQUIRE_EMAIL_VERIFICATION) test("with verification required, sign-up leads to 'check your inbox', which sends the link again", { skip }, async () => {
  const user = newUser("inbox");
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage();
    await page.goto(`${servers.authURL}/sign-up`);
    await page.getByLabel("Name").fill(user.name);
    await page.getByLabel("Email").fill(user.email);
    await page.getByLabel("Password").fill(user.password);
    await page.getByRole("button", { name: "Create account" }).click();
    await page.waitForURL(/\/check-inbox$/);
    await page.getByText(user.email, { exact: true }).waitFor();
    await shot(page, "check-inbox");
    await page.getByRole("button", { name: "Send the link again" }).click();
    await page.getByRole("status").getByText("a new link is on its way").waitFor();
    await servers.mail.waitFor(user.email, /^Confirm your email address/, { count: 2 });

    // Signing in before following the link: refused, with the way to get the link.
    await page.goto(`${servers.authURL}/sign-in`);
    await page.getByLabel("Email").fill(user.email);
    await page.getByLabel("Password").fill(user.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("alert").getByText("Confirm your email address first").waitFor();
  } finally {
    await browser.close();
  }
});

test("a deployed server refuses to run on the development mail catcher (fail closed)", async () => {
  const port = await freePort();
  const log = join(ARTIFACTS_DIR, "frontend-catcher.log");
  const child = spawn(process.execPath, [join(FRONTEND_DIR, "server.mjs"), "--hostname", "127.0.0.1", "--port", String(port)], {
    cwd: FRONTEND_DIR,
    env: {
      ...process.env,
      NODE_ENV: "production",
      BETTER_AUTH_SECRET: randomBytes(48).toString("base64url"),
      // A deployed site (the catcher is accepted on a localhost one: development, compose).
      BETTER_AUTH_URL: "https://tasks.example.com",
      TRUSTED_ORIGINS: "https://tasks.example.com",
      DATABASE_URL: DATABASE === "sqlite" ? join(ARTIFACTS_DIR, "unused.db") : "postgresql://unused@127.0.0.1:1/unused",
      SMTP_HOST: "localhost",
      SMTP_PORT: "1025",
      SMTP_FROM: "tasks@example.test",
    },
    stdio: ["ignore", openSync(log, "w"), openSync(log, "a")],
  });
  try {
    let status = null;
    for (const deadline = Date.now() + 60_000; status === null && Date.now() < deadline; ) {
      status = await fetch(`http://127.0.0.1:${port}/api/auth/ok`).then((r) => r.status, () => null);
      if (status === null) await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(status, 500, "the auth API must not answer with the catcher configured in production");
    assert.match(readFileSync(log, "utf8"), /is the development mail catcher, which delivers nothing/);
  } finally {
    child.kill("SIGTERM");
    await new Promise((r) => (child.exitCode === null ? child.once("exit", r) : r()));
  }
});
