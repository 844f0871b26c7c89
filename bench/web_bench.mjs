// Web front-end benchmark (issue 4): in headless Chromium against a real
// opsdesk server on a database of N tickets (100,000 by default), measure
//   - navigation to the agent's ticket list being usable (first page of rows
//     rendered), with a cold cache (new browser context) and a warm one;
//   - clicking a ticket in the list to its conversation shown (ticket body and
//     comments rendered);
//   - the JavaScript shipped on first load, as transferred (gzip) and raw.
// Times are taken inside the page with performance.now() and MutationObserver,
// so they include the app's own work, not Playwright's round trips.
//
// Usage (after ./opsdesk.sh build):
//   node bench/web_bench.mjs            # TICKETS=100000 RUNS=20 WORKDIR=/tmp/opsdesk-webbench
// Prints RESULT lines and a summary; see docs/PERFORMANCE.md.
import { spawn, execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(path.join(repo, "web", "package.json"));
const { chromium } = require("playwright-core");

const TICKETS = Number(process.env.TICKETS ?? 100000);
const RUNS = Number(process.env.RUNS ?? 20);
const WORKDIR = process.env.WORKDIR ?? "/tmp/opsdesk-webbench";
const BIN = process.env.OPSDESK_BINARY ?? path.join(repo, "build", "opsdesk");
const DATAGEN = path.join(repo, "build", "bench", "data_generator");
const WEB_ROOT = process.env.OPSDESK_WEB_ROOT ?? path.join(repo, "web", "dist");
const EMAIL = "webbench@opsdesk.example.com";
const PASSWORD = "webbench-password";

function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}
const fmt = (ms) => `${ms.toFixed(1)} ms`;

function prepareDatabase() {
  mkdirSync(WORKDIR, { recursive: true });
  const db = path.join(WORKDIR, `sqlite-${TICKETS}.db`);
  if (!existsSync(db)) {
    console.error(`web_bench: generating ${TICKETS} tickets into ${db}`);
    execFileSync(DATAGEN, ["--db", `sqlite:${db}`, "--tickets", String(TICKETS), "--seed", "42", "--analyze"], {
      stdio: ["ignore", "inherit", "inherit"],
    });
    execFileSync(BIN, ["user", "add", "--db", `sqlite:${db}`, "--email", EMAIL, "--name", "Web Bench", "--role", "agent",
      "--password-stdin"], { input: PASSWORD + "\n", stdio: ["pipe", "ignore", "inherit"] });
  }
  return db;
}

function startServer(db) {
  return new Promise((resolve, reject) => {
    const child = spawn(BIN, ["serve", "--listen", "127.0.0.1:0", "--db", `sqlite:${db}`, "--web-root", WEB_ROOT,
      "--log-level", "warn"], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (chunk) => {
      out += chunk;
      const m = out.match(/opsdesk listening on (http:\/\/\S+)/);
      if (m) resolve({ child, url: m[1] });
    });
    child.on("exit", (code) => reject(new Error(`server exited (${code}) before listening`)));
  });
}

// Installed before any page script: records when the list rows and the
// conversation first appear.
function observeMarks() {
  window.__marks = {};
  const check = () => {
    if (!window.__marks.listReady && document.querySelector('tr[data-testid="ticket-row"]')) {
      window.__marks.listReady = performance.now();
    }
    const conversation = document.querySelector('[data-testid="conversation"][data-loaded="true"]');
    if (conversation && window.__marks.awaitTicket && conversation.dataset.ticketId === window.__marks.awaitTicket) {
      window.__marks.conversationShown = performance.now();
      window.__marks.awaitTicket = null;
    }
  };
  new MutationObserver(check).observe(document, { childList: true, subtree: true, attributes: true });
}

async function main() {
  const db = prepareDatabase();
  const { child, url } = await startServer(db);
  // launch() gives the browser a fresh temporary profile of its own.
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
      "--disable-sync", "--no-first-run", "--disable-quic"],
  });
  try {
    // One sign-in; every context reuses its cookie.
    const login = await browser.newContext({ baseURL: url });
    const res = await login.request.post("/api/v1/auth/login", { data: { email: EMAIL, password: PASSWORD } });
    if (!res.ok()) throw new Error(`login failed: ${res.status()} ${await res.text()}`);
    const storageState = await login.storageState();
    await login.close();
    const listPath = "/agent/views/all_open";

    // Cold: a new context (empty cache) per run.
    const cold = [];
    let jsTransferred = 0;
    let jsRaw = 0;
    let jsFiles = 0;
    for (let i = 0; i < RUNS; i++) {
      const context = await browser.newContext({ baseURL: url, storageState, viewport: { width: 1280, height: 800 } });
      await context.addInitScript(observeMarks);
      const page = await context.newPage();
      const scripts = [];
      if (i === 0) {
        page.on("response", (r) => {
          if (r.request().resourceType() === "script") scripts.push(r);
        });
      }
      await page.goto(listPath);
      await page.waitForFunction(() => window.__marks.listReady, null, { timeout: 30000 });
      cold.push(await page.evaluate(() => window.__marks.listReady));
      if (i === 0) {
        for (const r of scripts) {
          const body = await r.body();
          jsRaw += body.length;
          jsTransferred += Number((await r.headerValue("content-length")) ?? gzipSync(body, { level: 9 }).length);
          jsFiles++;
        }
      }
      await context.close();
    }

    // Warm: one context, reloads with cached assets; then clicks into tickets.
    const context = await browser.newContext({ baseURL: url, storageState, viewport: { width: 1280, height: 800 } });
    await context.addInitScript(observeMarks);
    const page = await context.newPage();
    const warm = [];
    for (let i = 0; i < RUNS; i++) {
      await page.goto(listPath);
      await page.waitForFunction(() => window.__marks.listReady, null, { timeout: 30000 });
      warm.push(await page.evaluate(() => window.__marks.listReady));
    }

    const clicks = [];
    for (let i = 0; i < RUNS; i++) {
      await page.goto(listPath);
      await page.waitForFunction(() => window.__marks.listReady, null, { timeout: 30000 });
      const ticketId = await page.evaluate((index) => {
        const rows = document.querySelectorAll('tr[data-testid="ticket-row"]');
        const row = rows[index % rows.length];
        window.__marks.awaitTicket = row.dataset.ticketId;
        window.__marks.clickedAt = performance.now();
        row.querySelector(`a[href$="/agent/tickets/${row.dataset.ticketId}"]`).click();
        return row.dataset.ticketId;
      }, i);
      await page.waitForFunction(() => window.__marks.conversationShown, null, { timeout: 30000 });
      clicks.push(await page.evaluate(() => window.__marks.conversationShown - window.__marks.clickedAt));
      if (!ticketId) throw new Error("no ticket row");
    }
    await context.close();

    const report = (label, values) => {
      console.log(`RESULT label=${label} runs=${values.length} p50_ms=${percentile(values, 50).toFixed(1)} ` +
        `p95_ms=${percentile(values, 95).toFixed(1)} max_ms=${Math.max(...values).toFixed(1)}`);
      return `${label}: p50 ${fmt(percentile(values, 50))}, p95 ${fmt(percentile(values, 95))}`;
    };
    const lines = [
      report("list_usable_cold", cold),
      report("list_usable_warm", warm),
      report("click_to_conversation", clicks),
    ];
    console.log(`RESULT label=first_load_js files=${jsFiles} transferred_bytes=${jsTransferred} raw_bytes=${jsRaw}`);
    console.log(`\nopsdesk web, ${TICKETS} tickets, ${RUNS} runs each:`);
    for (const line of lines) console.log("  " + line);
    console.log(`  JavaScript on first load: ${(jsTransferred / 1024).toFixed(1)} KiB transferred (gzip), ` +
      `${(jsRaw / 1024).toFixed(1)} KiB raw, ${jsFiles} files`);
  } finally {
    await browser.close();
    child.kill("SIGTERM");
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
