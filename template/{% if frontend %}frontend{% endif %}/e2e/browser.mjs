// What the browser tests share: a real headless Chromium (Debian's /usr/bin/chromium, driven by
// playwright-core), the steps people take (sign up, sign in, add a task), and shot(): a
// screenshot of a state at 1280 and 390 px (and in dark mode when asked), named after the state,
// in E2E_ARTIFACTS_DIR. Every shot also checks, at each width and colour scheme, that the page
// does not scroll sideways and that all visible text has a contrast of at least 4.5:1 (3:1 when
// large) against what is behind it.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { after, before } from "node:test";

import { ARTIFACTS_DIR, startServers } from "./harness.mjs";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const inCI = Boolean(process.env.CI) && process.env.CI !== "false";
if (!existsSync(CHROMIUM) && inCI) {
  throw new Error(`${CHROMIUM} is missing; CI must install it (apt-get install chromium)`);
}
/** For node:test's `skip`: false, or why the browser tests cannot run here. */
export const skip = existsSync(CHROMIUM) ? false : `no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`;

export async function launchBrowser() {
  const { chromium } = await import("playwright-core");
  return chromium.launch({
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
}

/**
 * This test file's own servers (harness.mjs) and Chromium: started before its tests, stopped
 * after them. Returns `{ servers, browser }`, filled in once `before` has run.
 */
export function serversAndBrowser() {
  const suite = { servers: undefined, browser: undefined };
  before(async () => {
    if (skip) return;
    suite.servers = await startServers();
    suite.browser = await launchBrowser();
  });
  after(async () => {
    await suite.browser?.close();
    await suite.servers?.stop();
  });
  return suite;
}

/** The two widths every state is shown at: a laptop and a phone (iPhone 12-15, 390 × 844). */
export const WIDTHS = [
  { width: 1280, height: 800 },
  { width: 390, height: 844 },
];

/**
 * Texts whose contrast with their background is below WCAG AA (4.5:1; 3:1 for large text).
 * Colours are resolved by painting them on a canvas (Tailwind's are oklch()), with every
 * background from the page down to the element composited in order.
 */
function lowContrastTexts(page) {
  return page.evaluate(() => {
    const canvas = document.createElement("canvas");
    canvas.width = canvas.height = 1;
    const ctx = canvas.getContext("2d", { willReadFrequently: true });
    const paint = (color) => {
      ctx.fillStyle = color;
      ctx.fillRect(0, 0, 1, 1);
      return Array.from(ctx.getImageData(0, 0, 1, 1).data.slice(0, 3));
    };
    const luminance = (rgb) => {
      const [r, g, b] = rgb.map((v) => {
        const c = v / 255;
        return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const visible = (el) => {
      const box = el.getBoundingClientRect();
      if (box.width <= 1 || box.height <= 1) return false; // sr-only text
      for (let node = el; node; node = node.parentElement) {
        const style = getComputedStyle(node);
        if (style.display === "none" || style.visibility === "hidden" || Number(style.opacity) === 0) return false;
      }
      return true;
    };
    const failures = [];
    const candidates = [...document.body.querySelectorAll("*")].filter((el) => {
      if (["SCRIPT", "STYLE", "OPTION", "svg", "path", "circle"].includes(el.tagName)) return false;
      if (el.closest(":disabled")) return false; // WCAG: inactive controls are exempt
      const ownText = [...el.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.textContent.trim());
      const field = ["INPUT", "SELECT", "TEXTAREA"].includes(el.tagName) && el.type !== "checkbox" && el.value;
      return (ownText || field) && visible(el);
    });
    for (const el of candidates) {
      const chain = [];
      for (let node = el; node; node = node.parentElement) chain.unshift(node);
      ctx.globalCompositeOperation = "copy";
      paint("white");
      ctx.globalCompositeOperation = "source-over";
      let background;
      for (const node of chain) background = paint(getComputedStyle(node).backgroundColor);
      const text = paint(getComputedStyle(el).color); // composited over the background (alpha)
      const [hi, lo] = [luminance(text), luminance(background)].sort((a, b) => b - a);
      const ratio = (hi + 0.05) / (lo + 0.05);
      const style = getComputedStyle(el);
      const size = Number.parseFloat(style.fontSize);
      const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
      if (ratio < (large ? 3 : 4.5)) {
        failures.push({
          text: (el.value || el.textContent).trim().slice(0, 60),
          ratio: Math.round(ratio * 100) / 100,
          color: style.color,
          background: `rgb(${background.join(", ")})`,
        });
      }
    }
    return failures;
  });
}

/** Relative luminance (0 black - 1 white) of the page's background and of its main heading. */
export function pageLuminance(page) {
  return page.evaluate(() => {
    const canvas = document.createElement("canvas");
    canvas.width = canvas.height = 1;
    const ctx = canvas.getContext("2d", { willReadFrequently: true });
    const luminance = (color) => {
      ctx.clearRect(0, 0, 1, 1);
      ctx.fillStyle = color;
      ctx.fillRect(0, 0, 1, 1);
      const [r, g, b] = Array.from(ctx.getImageData(0, 0, 1, 1).data.slice(0, 3), (v) => {
        const c = v / 255;
        return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    return {
      background: luminance(getComputedStyle(document.body).backgroundColor),
      heading: luminance(getComputedStyle(document.querySelector("h1")).color),
    };
  });
}

/** Wait for the page's CSS transitions to end. */
function transitionsDone(page) {
  return page.evaluate(() =>
    Promise.all(
      document
        .getAnimations()
        .filter((animation) => animation instanceof CSSTransition)
        .map((animation) => animation.finished.catch(() => {})),
    ),
  );
}

/**
 * Screenshot the page as it is now at each width (`name-1280.png`, `name-390.png`; with
 * `dark`, also `name-1280-dark.png` and `name-390-dark.png`), checking each for sideways
 * scrolling and contrast. The page gets its size and colour scheme back afterwards.
 * `fullPage: false` keeps what a screen shows (e.g. a toast at its bottom edge).
 */
export async function shot(page, name, { dark = false, widths = WIDTHS, fullPage = true } = {}) {
  const before = page.viewportSize();
  const schemes = dark ? ["light", "dark"] : ["light"];
  for (const scheme of schemes) {
    await page.emulateMedia({ colorScheme: scheme });
    for (const size of widths) {
      await page.setViewportSize(size);
      await transitionsDone(page); // colours fade (transition-colors): measure where they end
      const label = `${name}-${size.width}${scheme === "dark" ? "-dark" : ""}`;
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.equal(overflow, 0, `${label}: the page scrolls sideways`);
      assert.deepEqual(await lowContrastTexts(page), [], `${label}: text with too little contrast`);
      await page.screenshot({ path: join(ARTIFACTS_DIR, `${label}.png`), fullPage });
    }
  }
  await page.emulateMedia({ colorScheme: "light" });
  if (before) await page.setViewportSize(before);
}

export async function signUp(page, authURL, person) {
  await page.goto(`${authURL}/sign-up`);
  await page.getByLabel("Name").fill(person.name);
  await page.getByLabel("Email").fill(person.email);
  await page.getByLabel("Password").fill(person.password);
  await page.getByRole("button", { name: "Create account" }).click();
  await page.waitForURL(/\/tasks$/);
  await page.getByRole("heading", { name: "Your tasks" }).waitFor();
}

/** Sign in on the page already open (or on /sign-in); `to`: the page expected afterwards. */
export async function signIn(page, authURL, person, { to = /\/tasks$/, open = true } = {}) {
  if (open) await page.goto(`${authURL}/sign-in`);
  await page.getByLabel("Email").fill(person.email);
  await page.getByLabel("Password").fill(person.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(to);
  await page.getByRole("heading", { name: "Your tasks" }).waitFor();
}

export async function signOut(page) {
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.waitForURL(/\/sign-in$/);
}

/** The list item of the task with exactly this title. */
export const taskItem = (page, title) =>
  page.getByTestId("task").filter({ has: page.getByTestId("task-title").getByText(title, { exact: true }) });

/** Fill the "New task" form (`due` is a YYYY-MM-DD day) without sending it. */
export async function fillNewTask(page, title, { description, priority, due } = {}) {
  const form = page.getByRole("form", { name: "New task" });
  await form.getByLabel("Title", { exact: true }).fill(title);
  if (description !== undefined) await form.getByLabel("Description", { exact: true }).fill(description);
  if (priority !== undefined) await form.getByLabel("Priority", { exact: true }).selectOption(priority);
  if (due !== undefined) await form.getByLabel("Due date", { exact: true }).fill(due);
  return form;
}

/** Add a task through the "New task" form. */
export async function addTask(page, title, fields = {}) {
  const form = await fillNewTask(page, title, fields);
  await form.getByRole("button", { name: "Add task" }).click();
  await taskItem(page, title).waitFor();
}

/** Tick a task's checkbox and wait for the list to show it completed. */
export async function complete(page, title) {
  // The page shows it at once; wait for the backend's answer too, so what follows reads the saved task.
  const saved = page.waitForResponse((r) => r.request().method() === "PATCH" && /\/complete$/.test(new URL(r.url()).pathname));
  await page.getByRole("checkbox", { name: `Complete ${title}` }).check();
  assert.equal((await saved).status(), 200);
  await page.waitForFunction((el) => el.dataset.completed === "true", await taskItem(page, title).elementHandle());
}

export const taskTitles = (page) => page.getByTestId("task-title").allTextContents();

/** Collect the page's Content-Security-Policy violations (the app must cause none). */
export function watchCsp(page) {
  const violations = [];
  page.on("console", (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  return violations;
}

/** The local day `days` from today where the page is (its time zone), as YYYY-MM-DD. */
export function localDay(page, days) {
  return page.evaluate((n) => {
    const d = new Date();
    d.setDate(d.getDate() + n);
    const two = (x) => String(x).padStart(2, "0");
    return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}`;
  }, days);
}
