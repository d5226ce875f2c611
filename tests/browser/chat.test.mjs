// End-to-end test of the chat widget (web/widget.js) on the demo page (web/demo.html), as a
// shopper uses it, in headless Chromium driven by playwright-core.
//
//   BASE_URL=http://127.0.0.1:18080 node chat.test.mjs
//
// BASE_URL is a running `comptoir serve --demo` (.ci/browser.sh starts one). CHROMIUM is the
// browser binary (default /usr/bin/chromium). Screenshots go to target/browser/*.png.
// Exits non-zero with a message naming the failed step.
import { chromium } from "playwright-core";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

const BASE = (process.env.BASE_URL || "").replace(/\/+$/, "");
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const WAIT = 10_000;
const SHOTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../target/browser");
const FIRST_MESSAGE = "I'm looking for a dress";

if (!BASE) {
  console.error("chat.test: set BASE_URL to a running `comptoir serve --demo`, e.g. http://127.0.0.1:18080");
  process.exit(2);
}

let passed = 0;
let current = "start";
const pageErrors = [];

async function step(name, fn) {
  current = name;
  await fn();
  passed++;
  console.log(`ok ${passed} - ${name}`);
}
function check(cond, message) {
  if (!cond) throw new Error(message);
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
// Polls fn until it returns a truthy value, for at most WAIT ms.
async function until(what, fn) {
  const end = Date.now() + WAIT;
  let last;
  while (Date.now() < end) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    await sleep(100);
  }
  throw new Error(`timed out after ${WAIT / 1000} s waiting for ${what}${last ? ` (${last.message.split("\n")[0]})` : ""}`);
}
const visible = (loc, what) => loc.waitFor({ state: "visible", timeout: WAIT }).catch(() => {
  throw new Error(`timed out after ${WAIT / 1000} s waiting for ${what} to be visible`);
});
// True when the focused element is the widget's element `cls` (inside its shadow root).
const focusedIs = (page, cls) =>
  page.evaluate((cls) => {
    const host = document.activeElement;
    const inner = host && host.shadowRoot && host.shadowRoot.activeElement;
    return !!inner && inner.classList.contains(cls);
  }, cls);

await mkdir(SHOTS, { recursive: true });
const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: "en-US" });
const page = await context.newPage();
page.setDefaultTimeout(WAIT);
page.on("pageerror", (e) => pageErrors.push(e.message));
const shot = async (name) => {
  await page.screenshot({ path: path.join(SHOTS, name) });
  console.log(`   screenshot ${path.join(SHOTS, name)}`);
};

const bubble = page.locator(".cz-bubble");
const panel = page.locator(".cz-panel");
const bot = page.locator(".cz-msg.cz-bot");

try {
  await step("demo page renders the product grid", async () => {
    const res = await page.goto(BASE + "/", { timeout: WAIT });
    check(res && res.ok(), `GET / answered ${res && res.status()}`);
    check((await page.title()).includes("Comptoir Demo Store"), "the page title is not the demo store's");
    await visible(page.locator("#grid .product").first(), "a product in the demo grid");
  });

  await step("the widget shows its bubble, a dialog and a live log", async () => {
    await visible(bubble, "the chat bubble");
    check(await bubble.evaluate((b) => b.tagName === "BUTTON"), "the bubble is not a <button>");
    check(await bubble.getAttribute("aria-label"), "the bubble has no aria-label");
    check((await panel.getAttribute("role")) === "dialog", "the panel's role is not dialog");
    check(await panel.getAttribute("aria-label"), "the panel has no aria-label");
    const log = page.locator(".cz-log");
    check((await log.getAttribute("role")) === "log", "the message list's role is not log");
    check((await log.getAttribute("aria-live")) === "polite", "the message list is not aria-live=polite");
    check(await page.locator("label[for=cz-in]").count(), "the message input has no label");
  });

  await step("keyboard: Tab reaches the bubble, Enter opens, Escape closes and refocuses", async () => {
    await page.locator("body").click({ position: { x: 5, y: 5 } });
    let reached = false;
    for (let i = 0; i < 40 && !reached; i++) {
      await page.keyboard.press("Tab");
      reached = await focusedIs(page, "cz-bubble");
    }
    check(reached, "Tab never focused the chat bubble");
    await page.keyboard.press("Enter");
    await visible(panel, "the panel after Enter on the bubble");
    check((await bubble.getAttribute("aria-expanded")) === "true", "the bubble's aria-expanded is not true when open");
    await until("the input to have focus", () => focusedIs(page, "cz-input"));
    await page.keyboard.press("Escape");
    await panel.waitFor({ state: "hidden", timeout: WAIT });
    check(await focusedIs(page, "cz-bubble"), "focus did not return to the bubble after Escape");
  });

  await step("a message gets a bot reply with product cards", async () => {
    await bubble.click();
    await visible(panel, "the panel after clicking the bubble");
    const input = page.locator(".cz-input");
    const fontPx = parseFloat(await input.evaluate((e) => getComputedStyle(e).fontSize));
    check(fontPx >= 16, `the input's font-size is ${fontPx}px (< 16px zooms on iOS)`);
    const before = await bot.count();
    await input.fill(FIRST_MESSAGE);
    await page.locator(".cz-send").click();
    await visible(page.locator(".cz-msg.cz-user", { hasText: FIRST_MESSAGE }), "the user's message bubble");
    await visible(bot.nth(before), "a bot reply");
    await visible(page.locator(".cz-card").first(), "a product card");
    await shot("chat-products.png");
  });

  await step("Add to cart updates the cart summary", async () => {
    const add = page.locator(".cz-card .cz-add:not([disabled])").first();
    await visible(add, "an enabled Add to cart button");
    await add.click();
    await visible(page.locator(".cz-cart"), "the cart summary");
    const n = await until("the cart count to be at least 1", async () => {
      const v = parseInt(await page.locator(".cz-cart .cz-count").textContent(), 10);
      return v >= 1 ? v : 0;
    });
    console.log(`   cart count ${n}`);
    await shot("chat-cart.png");
  });

  await step("checkout form places an order", async () => {
    await page.locator(".cz-checkout").click();
    const form = page.locator(".cz-form");
    await visible(form, "the checkout form");
    await form.locator("[name=name]").fill("Ada Lovelace");
    await form.locator("[name=email]").fill("ada@example.com");
    await form.locator("[name=address]").fill("1 Rue de Rivoli, 75001 Paris");
    await form.locator("button[type=submit]").click();
    const order = page.locator(".cz-order").last();
    await visible(order, "the order confirmation");
    const text = await until("an ord_ id in the order confirmation", async () => {
      const t = await order.innerText();
      return /\bord_\w+/.test(t) ? t : "";
    });
    console.log(`   order: ${text.match(/\bord_\w+/)[0]}`);
    await shot("chat-order.png");
  });

  await step("after a reload the conversation history is restored", async () => {
    await page.reload({ timeout: WAIT });
    await visible(bubble, "the chat bubble after reload");
    await bubble.click();
    await visible(panel, "the panel after reload");
    await visible(page.locator(".cz-msg.cz-user", { hasText: FIRST_MESSAGE }), "the first user message restored");
  });

  await step("phone: the panel is full screen at 375x700", async () => {
    await page.setViewportSize({ width: 375, height: 700 });
    await visible(panel, "the panel on a phone");
    const box = await until("the panel to fill the screen", async () => {
      const b = await panel.boundingBox();
      return b && b.width >= 370 && b.height >= 690 ? b : null;
    });
    check(box.x <= 1 && box.y <= 1, `the phone panel is not at the top left (${box.x}, ${box.y})`);
    await shot("chat-phone.png");
  });

  await step("no uncaught script error on the page", async () => {
    check(!pageErrors.length, `uncaught errors: ${pageErrors.join(" | ")}`);
  });
} catch (e) {
  console.error(`not ok - ${current}: ${e.message}`);
  try {
    await page.screenshot({ path: path.join(SHOTS, "failure.png") });
    console.error(`   screenshot of the failure: ${path.join(SHOTS, "failure.png")}`);
  } catch (_) {}
  await browser.close();
  console.log(`${passed} passed, 1 failed`);
  process.exit(1);
}
await browser.close();
console.log(`${passed} passed, 0 failed`);
