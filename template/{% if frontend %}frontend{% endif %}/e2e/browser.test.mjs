// Browser end-to-end test: headless Chromium (Debian's /usr/bin/chromium, driven by
// playwright-core) signs people up and proves each sees only their own tasks, in every filter
// tab, sort order and search, before and after editing.
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

/** The list item of the task with exactly this title. */
const taskItem = (page, title) =>
  page.getByTestId("task").filter({ has: page.getByTestId("task-title").getByText(title, { exact: true }) });

/** Add a task through the "New task" form; `due` is a YYYY-MM-DD day. */
async function addTask(page, title, { description, priority, due } = {}) {
  const form = page.getByRole("form", { name: "New task" });
  await form.getByLabel("Title", { exact: true }).fill(title);
  if (description !== undefined) await form.getByLabel("Description", { exact: true }).fill(description);
  if (priority !== undefined) await form.getByLabel("Priority", { exact: true }).selectOption(priority);
  if (due !== undefined) await form.getByLabel("Due date", { exact: true }).fill(due);
  await form.getByRole("button", { name: "Add task" }).click();
  await taskItem(page, title).waitFor();
}

const taskTitles = (page) => page.getByTestId("task-title").allTextContents();

/** Collect the page's Content-Security-Policy violations (the app must cause none). */
function watchCsp(page) {
  const violations = [];
  page.on("console", (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  return violations;
}

test("A's tasks stay A's: sign up, add, complete, sign out; B sees nothing; A sees both", { skip }, async () => {
  const alice = newUser("alice");
  const bob = newUser("bob");
  const context = await browser.newContext();
  const page = await context.newPage();
  // The Content-Security-Policy (proxy.ts) must not block anything the app itself does.
  const violations = watchCsp(page);

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

// --- Filters, sorting, search and editing, for two people at once ---------------------------

/** The sort <select>'s choices, and the query the backend should get for each. */
const SORTS = {
  "Newest first": { sort: "created", order: "desc" },
  "Oldest first": { sort: "created", order: "asc" },
  "Title A–Z": { sort: "title", order: "asc" },
  "Due date": { sort: "due_date", order: "asc" },
  "Priority (high first)": { sort: "priority", order: "desc" },
  "Recently updated": { sort: "updated", order: "desc" },
};

/** The local day `days` from today where the page is (its time zone), as YYYY-MM-DD. */
function localDay(page, days) {
  return page.evaluate((n) => {
    const d = new Date();
    d.setDate(d.getDate() + n);
    const two = (x) => String(x).padStart(2, "0");
    return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}`;
  }, days);
}

/**
 * Pick a view with the keyboard and the controls (tab, sort, search) and wait for the backend's
 * answer to exactly that view. Every view must differ from the one before, so a request is sent.
 */
async function showView(page, { tab, sort, search }) {
  const expected = { status: tab.toLowerCase(), ...SORTS[sort], q: search };
  const answered = page.waitForResponse((response) => {
    const url = new URL(response.url());
    if (response.request().method() !== "GET" || !url.pathname.endsWith("/tasks")) return false;
    if (url.searchParams.get("limit") !== "100") return false; // not the count of all tasks
    return Object.entries(expected).every(([name, value]) => (url.searchParams.get(name) ?? "") === value);
  });
  const button = page.getByRole("group", { name: "Show" }).getByRole("button", { name: tab, exact: true });
  await button.focus();
  await page.keyboard.press("Enter");
  await button.and(page.locator('[aria-pressed="true"]')).waitFor(); // the tab shows it is on
  await page.getByLabel("Sort by").selectOption({ label: sort });
  await page.getByLabel("Search tasks").fill(search);
  const response = await answered;
  assert.equal(response.status(), 200);
}

/** Wait until the page shows exactly these titles (in this order) and this count. */
async function expectList(page, who, titles, count) {
  const deadline = Date.now() + 10_000;
  let seen;
  for (;;) {
    seen = {
      titles: await taskTitles(page),
      count: (await page.getByTestId("task-count").textContent())?.trim(),
      state: await page.getByTestId("task-list").getAttribute("data-state"),
    };
    if (seen.state === "ready" && seen.count === count && JSON.stringify(seen.titles) === JSON.stringify(titles)) return;
    if (Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.deepEqual({ titles: seen.titles, count: seen.count }, { titles, count }, who);
}

/** Open a task's edit form, change some fields, save; returns the PATCH body the page sent. */
async function editTask(page, title, { newTitle, description, priority, due }) {
  await taskItem(page, title).getByRole("button", { name: "Edit" }).click();
  const form = page.getByRole("form", { name: `Edit ${title}` });
  if (newTitle !== undefined) await form.getByLabel("Title", { exact: true }).fill(newTitle);
  if (description !== undefined) await form.getByLabel("Description", { exact: true }).fill(description);
  if (priority !== undefined) await form.getByLabel("Priority", { exact: true }).selectOption(priority);
  if (due !== undefined) await form.getByLabel("Due date", { exact: true }).fill(due);
  const sent = page.waitForRequest((r) => r.method() === "PATCH" && !r.url().endsWith("/complete"));
  await form.getByRole("button", { name: "Save" }).click();
  const body = (await sent).postDataJSON();
  await form.waitFor({ state: "detached" });
  return body;
}

async function complete(page, title) {
  await page.getByRole("checkbox", { name: `Complete ${title}` }).check();
  await page.waitForFunction((el) => el.dataset.completed === "true", await taskItem(page, title).elementHandle());
}

test("filter tabs, sorting, search and editing: each of two people sees only their own tasks", { skip }, async () => {
  // Two people side by side, in different time zones (a due date is the end of a LOCAL day).
  const people = {
    dave: { user: newUser("dave"), timezoneId: "America/New_York" },
    erin: { user: newUser("erin"), timezoneId: "Asia/Kolkata" },
  };
  const violations = [];
  for (const person of Object.values(people)) {
    person.context = await browser.newContext({ timezoneId: person.timezoneId });
    person.page = await person.context.newPage();
    violations.push(watchCsp(person.page));
    await signUp(person.page, person.user);
    await person.page.getByText("No tasks yet").waitFor();
  }
  const dave = people.dave.page;
  const erin = people.erin.page;

  await addTask(dave, "Pay rent", { priority: "high", due: await localDay(dave, -1) });
  await addTask(dave, "Buy milk", { priority: "low", due: await localDay(dave, 10), description: "Two litres, semi-skimmed" });
  await addTask(dave, "Water plants");
  await addTask(dave, "call mom", { due: await localDay(dave, 3) });
  await complete(dave, "Buy milk");
  await addTask(erin, "Erin's dentist", { priority: "high", due: await localDay(erin, 1) });
  await addTask(erin, "Erin buys milk");
  await addTask(erin, "Erin's report", { priority: "low", due: await localDay(erin, 5), description: "Quarterly numbers" });
  await complete(erin, "Erin's report");

  // Overdue is said in words: due yesterday and not done.
  assert.equal(await taskItem(dave, "Pay rent").getByTestId("task-overdue").textContent(), "Overdue");
  assert.equal(await dave.getByTestId("task-overdue").count(), 1);
  assert.equal(await erin.getByTestId("task-overdue").count(), 0);
  assert.equal(await taskItem(dave, "Pay rent").getByTestId("task-priority").textContent(), "High priority");
  await shot(dave, "dave-four-tasks");

  const everyTitle = { dave: new Set(), erin: new Set() };
  /** One view for both people; then neither sees a single task of the other. */
  async function check(view, expected) {
    for (const [name, { page }] of Object.entries(people)) {
      await showView(page, view);
      const [titles, count] = expected[name];
      for (const title of titles) everyTitle[name].add(title);
      await expectList(page, `${name}, ${JSON.stringify(view)}`, titles, count);
    }
    for (const [name, other] of [["dave", "erin"], ["erin", "dave"]]) {
      const leaked = (await taskTitles(people[name].page)).filter((t) => everyTitle[other].has(t));
      assert.deepEqual(leaked, [], `${name} sees ${other}'s tasks in ${JSON.stringify(view)}`);
    }
  }

  await check({ tab: "All", sort: "Oldest first", search: "" }, {
    dave: [["Pay rent", "Buy milk", "Water plants", "call mom"], "4 tasks"],
    erin: [["Erin's dentist", "Erin buys milk", "Erin's report"], "3 tasks"],
  });
  await check({ tab: "All", sort: "Title A–Z", search: "" }, {
    dave: [["Buy milk", "call mom", "Pay rent", "Water plants"], "4 tasks"],
    erin: [["Erin buys milk", "Erin's dentist", "Erin's report"], "3 tasks"],
  });
  await check({ tab: "All", sort: "Due date", search: "" }, {
    dave: [["Pay rent", "call mom", "Buy milk", "Water plants"], "4 tasks"],
    erin: [["Erin's dentist", "Erin's report", "Erin buys milk"], "3 tasks"],
  });
  await check({ tab: "All", sort: "Priority (high first)", search: "" }, {
    dave: [["Pay rent", "call mom", "Water plants", "Buy milk"], "4 tasks"],
    erin: [["Erin's dentist", "Erin buys milk", "Erin's report"], "3 tasks"],
  });
  await check({ tab: "Pending", sort: "Priority (high first)", search: "" }, {
    dave: [["Pay rent", "call mom", "Water plants"], "3 of 4 tasks"],
    erin: [["Erin's dentist", "Erin buys milk"], "2 of 3 tasks"],
  });
  await check({ tab: "Completed", sort: "Priority (high first)", search: "" }, {
    dave: [["Buy milk"], "1 of 4 tasks"],
    erin: [["Erin's report"], "1 of 3 tasks"],
  });
  await shot(dave, "dave-completed-tab");
  await check({ tab: "All", sort: "Newest first", search: "MILK" }, {
    dave: [["Buy milk"], "1 of 4 tasks"],
    erin: [["Erin buys milk"], "1 of 3 tasks"],
  });
  await check({ tab: "Pending", sort: "Newest first", search: "milk" }, {
    dave: [[], "0 of 4 tasks"],
    erin: [["Erin buys milk"], "1 of 3 tasks"],
  });
  await dave.getByText("No tasks match “milk”.").waitFor();
  await check({ tab: "All", sort: "Title A–Z", search: "Semi-Skimmed" }, {
    dave: [["Buy milk"], "1 of 4 tasks"], // found in the description
    erin: [[], "0 of 3 tasks"],
  });
  await shot(erin, "erin-search-no-match");
  await check({ tab: "All", sort: "Recently updated", search: "" }, {
    dave: [["Buy milk", "call mom", "Water plants", "Pay rent"], "4 tasks"],
    erin: [["Erin's report", "Erin buys milk", "Erin's dentist"], "3 tasks"],
  });

  // The search box waits for a pause in typing: not one request per key.
  const searches = [];
  const countSearches = (request) => {
    const q = new URL(request.url()).searchParams.get("q");
    if (request.method() === "GET" && q) searches.push(q);
  };
  dave.on("request", countSearches);
  await dave.getByLabel("Search tasks").pressSequentially("rent", { delay: 40 });
  await expectList(dave, "dave typing", ["Pay rent"], "1 of 4 tasks");
  dave.off("request", countSearches);
  assert.ok(searches.length < 4 && searches.at(-1) === "rent", `one search per key: ${searches}`);
  await dave.getByLabel("Search tasks").fill("");
  await expectList(dave, "dave, search cleared", ["Buy milk", "call mom", "Water plants", "Pay rent"], "4 tasks");

  // Editing: title, priority and due date; only what changed is sent, a cleared field as null.
  const tomorrow = await localDay(dave, 1);
  const edited = await editTask(dave, "Water plants", { newTitle: "Water the plants", priority: "high", due: tomorrow });
  assert.deepEqual(Object.keys(edited).sort(), ["due_date", "priority", "title"]);
  assert.equal(edited.title, "Water the plants");
  assert.equal(edited.priority, "high");
  assert.match(edited.due_date, new RegExp(`^${tomorrow}T23:59:59[+-]\\d\\d:\\d\\d$`));
  await taskItem(dave, "Water the plants").waitFor();
  assert.equal(await taskItem(dave, "Water the plants").getByTestId("task-priority").textContent(), "High priority");
  assert.deepEqual(await editTask(dave, "Buy milk", { description: "", due: "" }), { description: null, due_date: null });
  await taskItem(dave, "Buy milk").getByTestId("task-due").waitFor({ state: "detached" });
  const later = await localDay(dave, 20);
  assert.deepEqual(Object.keys(await editTask(dave, "Pay rent", { due: later })), ["due_date"]);
  await taskItem(dave, "Pay rent").getByTestId("task-overdue").waitFor({ state: "detached" });

  // The day picked is the day shown again (the backend answers in UTC), and Escape cancels.
  await taskItem(dave, "Water the plants").getByRole("button", { name: "Edit" }).click();
  const form = dave.getByRole("form", { name: "Edit Water the plants" });
  assert.equal(await form.getByLabel("Due date", { exact: true }).inputValue(), tomorrow);
  await dave.keyboard.press("Escape");
  await form.waitFor({ state: "detached" });
  assert.equal(await dave.evaluate(() => document.activeElement?.textContent), "Edit");

  const inTwoDays = await localDay(erin, 2);
  const erinEdit = await editTask(erin, "Erin buys milk", { newTitle: "Erin buys oat milk", priority: "low", due: inTwoDays });
  assert.deepEqual(erinEdit, { title: "Erin buys oat milk", priority: "low", due_date: `${inTwoDays}T23:59:59+05:30` });
  await taskItem(erin, "Erin buys oat milk").waitFor();
  await shot(dave, "dave-edited");

  await check({ tab: "All", sort: "Due date", search: "" }, {
    dave: [["Water the plants", "call mom", "Pay rent", "Buy milk"], "4 tasks"],
    erin: [["Erin's dentist", "Erin buys oat milk", "Erin's report"], "3 tasks"],
  });
  await check({ tab: "All", sort: "Priority (high first)", search: "" }, {
    dave: [["Water the plants", "Pay rent", "call mom", "Buy milk"], "4 tasks"],
    erin: [["Erin's dentist", "Erin's report", "Erin buys oat milk"], "3 tasks"], // ties: newest first
  });
  await check({ tab: "Pending", sort: "Recently updated", search: "" }, {
    dave: [["Pay rent", "Water the plants", "call mom"], "3 of 4 tasks"],
    erin: [["Erin buys oat milk", "Erin's dentist"], "2 of 3 tasks"],
  });
  await check({ tab: "All", sort: "Newest first", search: "OAT" }, {
    dave: [[], "0 of 4 tasks"],
    erin: [["Erin buys oat milk"], "1 of 3 tasks"],
  });

  // A phone: 390 px wide, nothing scrolls sideways, with the list and with an edit form open.
  await showView(dave, { tab: "All", sort: "Due date", search: "" });
  await expectList(dave, "dave on a phone", ["Water the plants", "call mom", "Pay rent", "Buy milk"], "4 tasks");
  await dave.setViewportSize({ width: 390, height: 844 });
  const overflow = () => dave.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.equal(await overflow(), 0, "the task page scrolls sideways at 390 px");
  await shot(dave, "dave-390px");
  await taskItem(dave, "call mom").getByRole("button", { name: "Edit" }).click();
  await dave.getByRole("form", { name: "Edit call mom" }).waitFor();
  assert.equal(await overflow(), 0, "the edit form scrolls sideways at 390 px");
  await shot(dave, "dave-390px-editing");

  assert.deepEqual(violations.flat(), [], "the app's own pages broke its Content-Security-Policy");
  for (const person of Object.values(people)) await person.context.close();
});
