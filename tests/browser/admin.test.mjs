// End-to-end test of the merchant admin (/admin) in headless Chromium (playwright-core):
// sign-in, the onboarding wizard from sign-up to a test chat (timed: "live in five minutes"),
// the inbox takeover (a person answers in the shopper's widget), and the analytics page.
//
//   BASE_URL=http://127.0.0.1:18080 DEMO_PASSWORD=… node admin.test.mjs
//
// BASE_URL is a running `comptoir serve --demo`; DEMO_PASSWORD the admin password it printed
// (.ci/browser.sh passes both). Screenshots go to target/browser/admin-*.png.
import { chromium } from "playwright-core";
import { mkdir, writeFile, mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const BASE = (process.env.BASE_URL || "").replace(/\/+$/, "");
const PASSWORD = process.env.DEMO_PASSWORD || "";
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const WAIT = 15_000;
const SHOTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../target/browser");
if (!BASE || !PASSWORD) {
  console.error("admin.test: set BASE_URL and DEMO_PASSWORD (see .ci/browser.sh)");
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
    await sleep(150);
  }
  throw new Error(`timed out after ${WAIT / 1000} s waiting for ${what}${last ? ` (${last.message.split("\n")[0]})` : ""}`);
}

await mkdir(SHOTS, { recursive: true });
const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
const admin = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: "en-US" });
const page = await admin.newPage();
page.setDefaultTimeout(WAIT);
page.on("pageerror", (e) => pageErrors.push(`admin: ${e.message}`));
page.on("dialog", (d) => { pageErrors.push(`a dialog opened: ${d.message()}`); d.dismiss(); });
const shot = async (p, name) => {
  await p.screenshot({ path: path.join(SHOTS, name), fullPage: true });
  console.log(`   screenshot ${path.join(SHOTS, name)}`);
};

try {
  await step("sign-in: a wrong password is refused with one message, the right one opens the dashboard", async () => {
    await page.goto(BASE + "/admin/orders");
    check(page.url().includes("/admin/login?next="), `signed out, /admin/orders went to ${page.url()}`);
    await page.getByLabel("Email").fill("demo@comptoir.local");
    await page.getByLabel("Password").fill("not the password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.locator("[role=alert]").waitFor();
    check((await page.locator("[role=alert]").textContent()).includes("Wrong email or password"), "no error message");
    await shot(page, "admin-login-refused.png");
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(/\/admin\/orders/);
    check(await page.locator("header.top nav").isVisible(), "no admin navigation after sign-in");
  });

  await step("onboarding: sign-up → import → template → widget → snippet → test chat, timed", async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: "en-US" });
    const p = await ctx.newPage();
    p.setDefaultTimeout(WAIT);
    p.on("pageerror", (e) => pageErrors.push(`onboarding: ${e.message}`));
    const dir = await mkdtemp(path.join(os.tmpdir(), "comptoir-onboarding-"));
    const csv = path.join(dir, "bikes.csv");
    await writeFile(csv, [
      "sku,product_id,title,description,category,brand,price,currency,compare_at_price,stock,tags,image_url,option1_name,option1_value,option2_name,option2_value,digital,lang",
      "BK-1,bike-city,City bike,A light city bike with a basket,Bikes,Velo,499.00,EUR,,4,city|commute,,size,M,,,false,en",
      "BK-2,bike-city,City bike,A light city bike with a basket,Bikes,Velo,499.00,EUR,,2,city|commute,,size,L,,,false,en",
      "HL-1,helmet,Helmet,A safe helmet,Helmets,Velo,59.90,EUR,,10,safety,,,,,,false,en",
      "BAD-1,bad,Broken row,No price,Bikes,Velo,,EUR,,1,,,,,,,false,en",
    ].join("\n"));
    const started = Date.now();
    await p.goto(BASE + "/admin/signup");
    await p.getByLabel("Shop name").fill(`Velo Shop ${Date.now() % 100000}`);
    await p.getByLabel("Your name").fill("Vera");
    await p.getByLabel("Email").fill(`vera${Date.now()}@velo.example`);
    await p.getByLabel("Password").fill("a long enough password");
    await p.getByRole("button", { name: "Create the shop" }).click();
    await p.waitForURL(/\/admin\/onboarding/);
    await shot(p, "admin-onboarding-1-import.png");
    await p.getByLabel("Catalogue file").setInputFiles(csv);
    await p.getByRole("button", { name: "Import" }).click();
    await p.locator("#import-report").waitFor();
    const report = await p.locator("#import-report").textContent();
    check(/3\s+of\s+4 rows imported/.test(report.replace(/\s+/g, " ")), `import report: ${report}`);
    check(report.includes("5"), "the rejected row's line number (5) is not in the report");
    await shot(p, "admin-onboarding-2-report.png");
    await p.getByRole("link", { name: "Next: template" }).click();
    await p.getByLabel(/Sports|Fashion|General/).first().check();
    await p.getByRole("button", { name: "Next: widget" }).click();
    await p.waitForURL(/step=brand/);
    await p.getByLabel("Assistant's name").fill("Vera's helper");
    await p.locator("#widget_color").evaluate((e) => { e.value = "#aa3300"; e.dispatchEvent(new Event("input")); });
    await p.getByLabel("Welcome message").fill("Hi! Looking for a bike?");
    await until("the live preview to follow the form", async () =>
      (await p.locator('[data-pv="name"]').textContent()) === "Vera's helper" &&
      (await p.locator('[data-pv="welcome"]').textContent()) === "Hi! Looking for a bike?");
    const pv = await p.locator(".preview").evaluate((e) => getComputedStyle(e).getPropertyValue("--pv").trim());
    check(pv === "#aa3300", `the preview's colour is ${pv}`);
    await shot(p, "admin-onboarding-3-brand.png");
    await p.getByRole("button", { name: "Next: snippet" }).click();
    await p.waitForURL(/step=snippet/);
    const snippet = await p.locator("#snippet").inputValue();
    check(/^<script src="http:\/\/[^"]+\/widget\.js" data-key="pk_[0-9a-f]+" async><\/script>$/.test(snippet), `snippet: ${snippet}`);
    await shot(p, "admin-onboarding-4-snippet.png");
    await p.getByRole("link", { name: "Next: test the chat" }).click();
    await p.locator(".cz-bubble").click();
    await p.locator(".cz-input").fill("I need a helmet");
    await p.locator(".cz-input").press("Enter");
    await until("the agent to answer with the helmet", async () => (await p.locator(".cz-panel").textContent()).includes("Helmet"));
    const header = await p.locator(".cz-panel").textContent();
    check(header.includes("Vera's helper"), "the widget does not show the assistant's name");
    const seconds = (Date.now() - started) / 1000;
    await shot(p, "admin-onboarding-5-test-chat.png");
    console.log(`   onboarding from sign-up to a test chat answer: ${seconds.toFixed(1)} s (target: under 300 s)`);
    check(seconds < 300, `onboarding took ${seconds} s`);
    await ctx.close();
  });

  await step("takeover: a person answers in the shopper's widget, the bot pauses, then hands back", async () => {
    const shopperCtx = await browser.newContext({ viewport: { width: 420, height: 800 }, locale: "en-US" });
    const shopper = await shopperCtx.newPage();
    shopper.setDefaultTimeout(WAIT);
    shopper.on("pageerror", (e) => pageErrors.push(`shopper: ${e.message}`));
    await shopper.goto(BASE + "/");
    await shopper.locator(".cz-bubble").click();
    await shopper.locator(".cz-input").fill("Can I talk to someone about a wedding dress?");
    await shopper.locator(".cz-input").press("Enter");
    await until("the bot's first answer", async () => (await shopper.locator(".cz-msg.cz-bot").count()) >= 2);
    const convId = await shopper.evaluate(() => {
      for (let i = 0; i < localStorage.length; i++) {
        const v = localStorage.getItem(localStorage.key(i));
        const m = /"id":"(conv_[^"]+)"/.exec(v || "") || /(conv_[A-Za-z0-9]+)/.exec(v || "");
        if (m) return m[1];
      }
      return null;
    });
    check(convId, "the widget kept no conversation id");
    await page.goto(BASE + "/admin/inbox");
    await until("the conversation in the live inbox list", async () => (await page.locator(`#convlist a[href="/admin/inbox/${convId}"]`).count()) > 0);
    await page.locator(`#convlist a[href="/admin/inbox/${convId}"]`).click();
    await page.waitForURL(new RegExp(convId));
    check((await page.locator("#transcript").textContent()).includes("wedding dress"), "the transcript lacks the shopper's message");
    await page.getByRole("button", { name: "Take over" }).click();
    await page.getByLabel("Your message to the shopper").fill("Hello, Maria here <img src=x onerror=alert(1)>");
    await page.getByRole("button", { name: "Send" }).click();
    await until("the person's message in the shopper's widget", async () =>
      (await shopper.locator(".cz-staff").textContent().catch(() => "")).includes("Maria here"));
    check((await shopper.locator(".cz-panel img[src=x]").count()) === 0, "the staff message was rendered as HTML in the widget");
    check((await page.locator("#transcript img[src=x]").count()) === 0, "the staff message was rendered as HTML in the admin");
    const botsBefore = await shopper.locator(".cz-msg.cz-bot").count();
    await shopper.locator(".cz-input").fill("Great, I need it in ivory");
    await shopper.locator(".cz-input").press("Enter");
    await until("the shopper's new message in the admin transcript, live", async () =>
      (await page.locator("#transcript").textContent()).includes("in ivory"));
    await sleep(1000);
    check((await shopper.locator(".cz-msg.cz-bot").count()) === botsBefore, "the bot answered while a person had the conversation");
    await shot(page, "admin-takeover-inbox.png");
    await shot(shopper, "admin-takeover-widget.png");
    await page.getByRole("button", { name: "Hand back to the agent" }).click();
    await page.getByRole("button", { name: "Take over" }).waitFor();
    await shopper.locator(".cz-input").fill("Show me dresses");
    await shopper.locator(".cz-input").press("Enter");
    await until("the bot to answer again after the hand-back", async () => (await shopper.locator(".cz-msg.cz-bot").count()) > botsBefore);
    await shopperCtx.close();
  });

  await step("analytics: KPIs with the previous period, SVG charts, CSV export, phone width", async () => {
    await page.goto(BASE + "/admin/analytics?period=7d");
    await page.locator(".kpis .kpi").first().waitFor();
    const kpis = (await page.locator(".kpis").allTextContents()).join(" ");
    for (const label of ["Conversations", "Conversion", "Revenue"]) check(kpis.includes(label), `no ${label} KPI`);
    check((await page.locator("figure svg").count()) >= 3, "fewer than 3 charts");
    check(!(await page.content()).includes("NaN"), "NaN on the page");
    const csvLink = page.locator("a[href*='/admin/analytics/export/']").first();
    const href = await csvLink.getAttribute("href");
    const res = await page.request.get(BASE + href);
    check(res.ok() && (res.headers()["content-type"] || "").startsWith("text/csv"), `CSV export answered ${res.status()}`);
    await shot(page, "admin-analytics.png");
    await page.setViewportSize({ width: 390, height: 844 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    check(overflow <= 1, `the analytics page overflows a phone screen by ${overflow}px`);
    await shot(page, "admin-analytics-phone.png");
    await page.setViewportSize({ width: 1280, height: 860 });
  });

  check(pageErrors.length === 0, `page errors: ${pageErrors.join(" | ")}`);
  console.log(`admin.test: ${passed} checks passed`);
  await browser.close();
} catch (e) {
  console.error(`not ok - ${current}: ${e.message}`);
  try { await shot(page, "admin-failure.png"); } catch {}
  await browser.close();
  process.exit(1);
}
