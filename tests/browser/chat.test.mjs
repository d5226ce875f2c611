// End-to-end test of the chat widget (web/widget.js) on the demo page (web/demo.html), as a
// shopper uses it, in headless Chromium driven by playwright-core.
//
//   BASE_URL=http://127.0.0.1:18080 node chat.test.mjs
//
// BASE_URL is a running `comptoir serve --demo` (.ci/browser.sh starts one). CHROMIUM is the
// browser binary (default /usr/bin/chromium). Screenshots go to target/browser/*.png.
// The human-takeover step needs the demo store's secret key: SECRET_KEY (the `admin (secret)
// key` that `serve --demo` prints) with BASE_URL; without it the step starts a demo server of
// its own from target/debug/comptoir (COMPTOIR_BIN) and reads the key from its output.
// Exits non-zero with a message naming the failed step.
import { chromium } from "playwright-core";
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const BASE = (process.env.BASE_URL || "").replace(/\/+$/, "");
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const WAIT = 10_000;
const SHOTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../target/browser");
const FIRST_MESSAGE = "I'm looking for a dress";
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

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

// The turn ({reply, cart, understanding}) in a POST …/messages response (SSE or JSON).
async function turnOf(res) {
  const body = await res.text();
  if (!(res.headers()["content-type"] || "").includes("text/event-stream")) return JSON.parse(body);
  const data = body.split(/\r?\n/).filter((l) => l.startsWith("data:")).map((l) => l.slice(5).trimStart());
  check(data.length, `the SSE answer has no data line: ${body.slice(0, 200)}`);
  return JSON.parse(data.join("\n"));
}
// Runs `act` and returns the response of the POST /v1/conversations/{id}/messages it causes.
async function messageResponse(page, act) {
  const [res] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === "POST" && /\/v1\/conversations\/[^/]+\/messages$/.test(r.url()), { timeout: WAIT }),
    act(),
  ]);
  return res;
}
// No image shows the broken-image icon: failed ones are replaced. Waits (at most 5 s) for the
// images to settle first; one still loading shows nothing, so it is not counted.
async function noBrokenImages(loc, what) {
  const settled = () => loc.evaluateAll((imgs) => imgs.every((i) => i.complete));
  for (let end = Date.now() + 5000; Date.now() < end && !(await settled()); ) await sleep(100);
  await until(`no broken image in ${what}`, () =>
    loc.evaluateAll((imgs) => imgs.every((i) => !i.isConnected || !i.complete || i.naturalWidth > 0)));
}
// The chat's scrolling log does not overflow sideways.
const noSideways = (page) =>
  page.locator(".cz-log").evaluate((l) => l.scrollWidth <= l.clientWidth + 1);

// A demo server with its secret key: BASE_URL's when SECRET_KEY is given, else one of our own
// (`comptoir serve --demo` on a free port and a throwaway data dir; its output names the key).
async function shopWithSecretKey() {
  if (process.env.SECRET_KEY) return { base: BASE, sk: process.env.SECRET_KEY, stop: async () => {} };
  const bin = process.env.COMPTOIR_BIN || path.join(ROOT, "target/debug/comptoir");
  const dir = await mkdtemp(path.join(os.tmpdir(), "comptoir-takeover-"));
  const child = spawn(bin, ["serve", "--demo", "--listen", "127.0.0.1:0", "--data-dir", dir], { stdio: ["ignore", "pipe", "pipe"] });
  const stop = async () => {
    if (child.exitCode == null) {
      const gone = new Promise((r) => child.once("exit", r));
      child.kill();
      await gone;
    }
    await rm(dir, { recursive: true, force: true });
  };
  let out = "";
  try {
    const found = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${bin} printed no key and address in 60 s: ${out.slice(-400)}`)), 60_000);
      child.on("error", (e) => (clearTimeout(timer), reject(e)));
      child.on("exit", (c) => (clearTimeout(timer), reject(new Error(`${bin} exited (${c}): ${out.slice(-400)}`))));
      const read = (d) => {
        out += d;
        const sk = /admin \(secret\) key: (sk_\w+)/.exec(out);
        const at = /listening on (http:\/\/[\d.:]+)/.exec(out);
        if (sk && at) {
          clearTimeout(timer);
          resolve({ sk: sk[1], base: at[1] });
        }
      };
      child.stdout.on("data", read);
      child.stderr.on("data", (d) => (out += d));
    });
    await until(`${found.base}/readyz`, async () => (await fetch(found.base + "/readyz")).ok);
    return { ...found, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

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
    await noBrokenImages(page.locator("#grid img"), "the demo grid");
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
    const cards = page.locator(".cz-card");
    const withPicture = await cards.evaluateAll((cs) => cs.filter((c) => c.querySelector("img, .cz-noimg")).length);
    check(withPicture === (await cards.count()), "a product card has neither an image nor its placeholder");
    await noBrokenImages(page.locator(".cz-card img"), "the product cards");
    check(await noSideways(page), "the chat log overflows sideways");
    await shot("chat-products.png");
  });

  await step("Add to cart updates the cart summary", async () => {
    const add = page.locator(".cz-card .cz-add:not([disabled])").first();
    await visible(add, "an enabled Add to cart button");
    const turn = await turnOf(await messageResponse(page, () => add.click()));
    check(turn.cart && turn.cart.count >= 1, `the server's cart after add_to_cart: ${JSON.stringify(turn.cart)}`);
    await visible(page.locator(".cz-cart"), "the cart summary");
    await until(`the cart count to read ${turn.cart.count}`, async () =>
      parseInt(await page.locator(".cz-cart .cz-count").textContent(), 10) === turn.cart.count);
    console.log(`   cart count ${turn.cart.count}`);
    await shot("chat-cart.png");
  });

  let orderId;
  await step("the Checkout quick reply shows the agent's checkout form (reply.form)", async () => {
    const qr = page.locator('.cz-qr[data-payload="checkout"]');
    await visible(qr, "a quick reply with payload checkout after adding to cart");
    const turn = await turnOf(await messageResponse(page, () => qr.click()));
    const f = turn.reply && turn.reply.form;
    check(f && f.kind === "checkout", `the reply to the checkout quick reply has no checkout form: ${JSON.stringify(turn.reply)}`);
    const form = page.locator(".cz-form");
    await visible(form, "the checkout form");
    const names = await form.locator("[name]").evaluateAll((es) => es.map((e) => e.name));
    check(JSON.stringify(names) === JSON.stringify(f.fields), `the form's fields ${names} are not the reply's ${f.fields}`);
    await until("the first field to have focus", () => form.locator("[name]").first().evaluate((e) => e.getRootNode().activeElement === e));
    await shot("chat-form.png");
  });

  await step("the checkout form places an order", async () => {
    const form = page.locator(".cz-form");
    const values = { name: "Ada Lovelace", email: "ada@example.com", phone: "+33 6 12 34 56 78", address: "1 Rue de Rivoli, 75001 Paris" };
    for (const k of await form.locator("[name]").evaluateAll((es) => es.map((e) => e.name))) await form.locator(`[name=${k}]`).fill(values[k]);
    const turn = await turnOf(await messageResponse(page, () => form.locator("button[type=submit]").click()));
    check(turn.reply.order && /^ord_\w+$/.test(turn.reply.order.id), `no order in the reply: ${JSON.stringify(turn.reply)}`);
    orderId = turn.reply.order.id;
    const order = page.locator(".cz-order").last();
    await visible(order, "the order confirmation");
    check((await order.locator(".cz-order-id").innerText()).trim() === orderId, `the order card does not show ${orderId}`);
    await page.locator(".cz-cart").waitFor({ state: "hidden", timeout: WAIT }).catch(() => {
      throw new Error("the cart summary is still shown after the order");
    });
    check(!(await page.locator(".cz-form").count()), "the checkout form is still shown after the order");
    console.log(`   order: ${orderId}`);
    await shot("chat-order.png");
  });

  await step("after a reload the conversation history is restored", async () => {
    await page.reload({ timeout: WAIT });
    await visible(bubble, "the chat bubble after reload");
    await bubble.click();
    await visible(panel, "the panel after reload");
    await visible(page.locator(".cz-msg.cz-user", { hasText: FIRST_MESSAGE }), "the first user message restored");
    await visible(page.locator(".cz-order-id", { hasText: orderId }), "the order card restored");
    check(await page.locator(".cz-card").count(), "the product cards were not restored");
  });

  await step("phone: the panel is full screen at 375x700", async () => {
    await page.setViewportSize({ width: 375, height: 700 });
    await visible(panel, "the panel on a phone");
    const box = await until("the panel to fill the screen", async () => {
      const b = await panel.boundingBox();
      return b && b.width >= 370 && b.height >= 690 ? b : null;
    });
    check(box.x <= 1 && box.y <= 1, `the phone panel is not at the top left (${box.x}, ${box.y})`);
    check(await noSideways(page), "the chat log overflows sideways on a phone");
    const card = await page.locator(".cz-order").last().boundingBox();
    check(card && card.x >= 0 && card.x + card.width <= 375, "the order card is wider than the phone");
    await shot("chat-phone.png");
  });

  await step("a 409 cart_empty on checkout shows the problem's detail", async () => {
    // A fresh shopper: one product in the cart through the API, the page reloaded to show it,
    // the checkout form opened, then the cart emptied behind the widget's back.
    const p2 = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: "en-US" }).then((c) => c.newPage());
    p2.on("pageerror", (e) => pageErrors.push(e.message));
    await p2.goto(BASE + "/", { timeout: WAIT });
    await p2.locator(".cz-bubble").click();
    const qr = p2.locator(".cz-qr").first();
    await visible(qr, "a quick reply from the widget config");
    await messageResponse(p2, () => qr.click());
    const api = (method, path, body) =>
      p2.evaluate(async ([method, path, body]) => {
        const el = document.querySelector("comptoir-chat");
        const r = await fetch(path, {
          method,
          headers: { Authorization: "Bearer " + el.dataset.key, "Content-Type": "application/json" },
          body: body && JSON.stringify(body),
        });
        return { status: r.status, body: await r.json() };
      }, [method, path, body]);
    const conv = await p2.evaluate(() => localStorage.getItem(`comptoir:${document.querySelector("comptoir-chat").dataset.key}:conversation`));
    check(conv, "the widget kept no conversation id in localStorage");
    const found = await api("GET", "/v1/products/search?q=&limit=20&in_stock=true");
    const sku = (found.body.items || []).flatMap((p) => p.variants || []).find((v) => v.in_stock)?.sku;
    check(sku, "no product in stock in the demo catalogue");
    const added = await api("POST", `/v1/conversations/${conv}/messages`, { action: { type: "add_to_cart", sku, quantity: 1 } });
    check(added.status === 200 && added.body.cart.count === 1, `add_to_cart through the API: ${added.status}`);
    await p2.reload({ timeout: WAIT });
    await p2.locator(".cz-bubble").click();
    await visible(p2.locator(".cz-cart"), "the cart summary restored");
    await p2.locator(".cz-checkout").click();
    const form = p2.locator(".cz-form");
    await visible(form, "the checkout form");
    for (const [k, v] of [["name", "Ada"], ["email", "ada@example.com"], ["address", "1 Rue de Rivoli"]]) await form.locator(`[name=${k}]`).fill(v);
    const removed = await api("POST", `/v1/conversations/${conv}/messages`, { action: { type: "remove_from_cart", sku } });
    check(removed.status === 200 && removed.body.cart.count === 0, `remove_from_cart through the API: ${removed.status}`);
    const res = await messageResponse(p2, () => form.locator("button[type=submit]").click());
    check(res.status() === 409, `checkout of an empty cart answered ${res.status()}, not 409`);
    const problem = await res.json();
    check(problem.code === "cart_empty" && problem.detail, `the 409 is not a cart_empty problem: ${JSON.stringify(problem)}`);
    const err = p2.locator(".cz-err");
    await visible(err, "the error line");
    check((await err.innerText()).trim() === problem.detail, `the error line does not show the problem's detail "${problem.detail}"`);
    await p2.locator(".cz-cart").waitFor({ state: "hidden", timeout: WAIT });
    await p2.screenshot({ path: path.join(SHOTS, "chat-cart-empty-409.png") });
    await p2.context().close();
  });

  await step("without /v1/widget/config the bubble still comes, with defaults", async () => {
    const p3 = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: "en-US" }).then((c) => c.newPage());
    p3.on("pageerror", (e) => pageErrors.push(e.message));
    await p3.route("**/v1/widget/config*", (r) => r.fulfill({ status: 503, contentType: "application/problem+json", body: '{"title":"Service Unavailable","status":503}' }));
    await p3.goto(BASE + "/", { timeout: WAIT });
    await visible(p3.locator(".cz-bubble"), "the chat bubble without config");
    await p3.locator(".cz-bubble").click();
    await visible(p3.locator(".cz-panel"), "the panel without config");
    check(await p3.locator(".cz-panel").getAttribute("aria-label"), "the panel has no name without config");
    await visible(p3.locator(".cz-msg.cz-bot").first(), "a default welcome");
    const accent = await p3.locator(".cz-bubble").evaluate((b) => getComputedStyle(b).backgroundColor);
    check(accent && accent !== "rgba(0, 0, 0, 0)", "the bubble has no colour without config");
    await p3.screenshot({ path: path.join(SHOTS, "chat-no-config.png") });
    await p3.context().close();
  });

  await step("a person of the shop takes over, answers (as text, with their name) and hands back", async () => {
    const shop = await shopWithSecretKey();
    const p4 = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: "en-US" }).then((c) => c.newPage());
    try {
      const dialogs = [];
      p4.on("pageerror", (e) => pageErrors.push(e.message));
      p4.on("dialog", (d) => (dialogs.push(d.message()), d.dismiss()));
      await p4.goto(shop.base + "/", { timeout: WAIT });
      await p4.locator(".cz-bubble").click();
      const input = p4.locator(".cz-input");
      const bots = p4.locator(".cz-msg.cz-bot");
      const greeted = await bots.count();
      await input.fill("Hello");
      await p4.locator(".cz-send").click();
      await visible(bots.nth(greeted), "the agent's answer before the takeover");
      const conv = await p4.evaluate(() => localStorage.getItem(`comptoir:${document.querySelector("comptoir-chat").dataset.key}:conversation`));
      check(conv, "the widget kept no conversation id");
      const staff = async (what, body) => {
        const r = await fetch(`${shop.base}/v1/conversations/${conv}/${what}`, {
          method: "POST",
          headers: { Authorization: "Bearer " + shop.sk, "Content-Type": "application/json" },
          body: JSON.stringify(body),
        });
        const b = await r.json();
        check(r.ok, `POST ${what} answered ${r.status}: ${JSON.stringify(b)}`);
        return b;
      };
      const took = await staff("takeover", { by: "Marie" });
      check(took.status === "human", `the takeover left status ${took.status}`);
      // The widget polls the transcript while open: the notice comes within a few seconds.
      await visible(p4.locator(".cz-sys", { hasText: "Marie from the shop has joined the conversation." }), "the takeover notice");
      const hostile = "<img src=x onerror=alert(1)> Hi, I'm Marie <b>from the shop</b>";
      await staff("staff-messages", { by: "Marie", text: hostile });
      const said = p4.locator(".cz-staff").last();
      await visible(said, "the person's message");
      check((await said.locator(".cz-by").innerText()).trim() === "Marie", "the person's name is not shown above the message");
      check((await said.locator(".cz-person").textContent()) === hostile, "the person's message is not shown as written");
      const markup = await p4.locator("comptoir-chat").evaluate((el) => ({
        x: el.shadowRoot.querySelectorAll('img[src="x"]').length,
        inside: el.shadowRoot.querySelectorAll(".cz-staff img, .cz-staff b").length,
      }));
      check(markup.x === 0 && markup.inside === 0, `the person's message became markup: ${JSON.stringify(markup)}`);
      // The shopper answers: the message goes to Marie, no (empty) bubble from the agent.
      const bots2 = await bots.count();
      const turn = await turnOf(await messageResponse(p4, async () => {
        await input.fill("Great, thanks Marie");
        await p4.locator(".cz-send").click();
      }));
      check(turn.human === true && turn.reply.text === "", `the shopper's message while taken over: ${JSON.stringify(turn)}`);
      await visible(p4.locator(".cz-msg.cz-user.cz-sent", { hasText: "Great, thanks Marie" }), "the shopper's message marked sent");
      await sleep(500);
      check((await bots.count()) === bots2, "the agent answered (or an empty bubble showed) while a person had the chat");
      await p4.screenshot({ path: path.join(SHOTS, "chat-takeover.png") });
      await staff("handback", { by: "Marie" });
      await visible(p4.locator(".cz-sys", { hasText: "You are back with the shop's assistant." }), "the hand-back notice");
      const back = await turnOf(await messageResponse(p4, async () => {
        await input.fill("Hello again");
        await p4.locator(".cz-send").click();
      }));
      check(back.human === false && back.reply.text, `the agent does not answer after the hand-back: ${JSON.stringify(back)}`);
      await visible(bots.nth(bots2), "the agent's answer after the hand-back");
      // A reload shows the person's turns again, once each.
      await p4.reload({ timeout: WAIT });
      await p4.locator(".cz-bubble").click();
      await visible(p4.locator(".cz-staff .cz-person"), "the person's message after a reload");
      await sleep(3500);
      check((await p4.locator(".cz-staff").count()) === 1, "the person's message shows twice after a reload");
      check((await p4.locator(".cz-sys", { hasText: "has joined" }).count()) === 1, "the takeover notice shows twice after a reload");
      check(!dialogs.length, `a script of the person's message ran: ${dialogs.join(" | ")}`);
    } finally {
      await p4.context().close();
      await shop.stop();
    }
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
