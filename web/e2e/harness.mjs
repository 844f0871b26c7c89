// Shared code of the browser end-to-end tests (web/e2e/*.test.mjs).
//
// Each test file calls `setup()` once at top level: it starts a real opsdesk
// server on a fresh SQLite database with the demo data and one headless
// Chromium before the file's tests, and stops both (and removes the temp
// dir) after them. Each simulated person gets their own browser context.
//
// Environment:
//   OPSDESK_BINARY          server binary (default <repo>/build/opsdesk)
//   OPSDESK_WEB_ROOT        built web app (default <repo>/web/dist)
//   OPSDESK_SCREENSHOT_DIR  where screenshots go (default <repo>/build/screenshots;
//                           a relative path is taken from the repository root)
//   CHROMIUM                browser executable (default /usr/bin/chromium)
import { spawn, execFile } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, test } from "node:test";
import { chromium } from "playwright-core";

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const BINARY = process.env.OPSDESK_BINARY || join(REPO, "build/opsdesk");
export const WEB_ROOT = process.env.OPSDESK_WEB_ROOT || join(REPO, "web/dist");
const shotEnv = process.env.OPSDESK_SCREENSHOT_DIR;
export const SCREENSHOT_DIR = shotEnv ? (isAbsolute(shotEnv) ? shotEnv : join(REPO, shotEnv)) : join(REPO, "build/screenshots");
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";

export const PASSWORD = "opsdesk-demo";
// Demo users (src/demo/demo_data.cc).
export const USERS = {
  admin: { email: "admin@example.com", name: "Ada Admin" },
  lead: { email: "lead@example.com", name: "Lena Lead" },
  alice: { email: "alice@example.com", name: "Alice Agent" },
  bob: { email: "bob@example.com", name: "Bob Agent" },
  priya: { email: "priya.patel@data-platform.example.com", name: "Priya Patel" },
  tom: { email: "tom.becker@data-platform.example.com", name: "Tom Becker" },
};

// Upper bound for every wait; nothing waits for a fixed time.
export const TIMEOUT = 15_000;
const DESKTOP = { width: 1280, height: 800 };

function tail(path, lines = 40) {
  try {
    return readFileSync(path, "utf8").split("\n").slice(-lines).join("\n");
  } catch {
    return "(no output)";
  }
}

// Starts `opsdesk serve` on a free port with the demo data; resolves once it
// prints its "listening" line. Its output keeps going to files in the temp dir.
// `env`: extra environment for the server (OPSDESK_* settings, README.md).
export async function startServer({ env = {} } = {}) {
  if (!existsSync(BINARY)) throw new Error(`opsdesk binary not found: ${BINARY} (set OPSDESK_BINARY)`);
  if (!existsSync(join(WEB_ROOT, "index.html"))) throw new Error(`web build not found: ${WEB_ROOT} (set OPSDESK_WEB_ROOT)`);
  const dir = mkdtempSync(join(tmpdir(), "opsdesk-e2e-"));
  const db = `sqlite:${join(dir, "e2e.db")}`;
  const stdoutPath = join(dir, "stdout.log");
  const stderrPath = join(dir, "stderr.log");
  const stdoutFile = createWriteStream(stdoutPath);
  const stderrFile = createWriteStream(stderrPath);
  const child = spawn(BINARY, ["serve", "--listen", "127.0.0.1:0", "--db", db, "--web-root", WEB_ROOT, "--demo-data"], {
    cwd: dir,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stderr.pipe(stderrFile);
  const exited = new Promise((res) => child.once("exit", (code, signal) => res({ code, signal })));

  const url = await new Promise((res, rej) => {
    let buffered = "";
    let done = false;
    const timer = setTimeout(() => finish(new Error("server did not print its listening line in time")), 30_000);
    function finish(err, value) {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (err) {
        child.kill("SIGKILL");
        rej(new Error(`${err.message}\n--- stdout ---\n${buffered}\n--- stderr ---\n${tail(stderrPath)}`));
      } else res(value);
    }
    child.stdout.on("data", (chunk) => {
      stdoutFile.write(chunk);
      if (done) return;
      buffered += chunk.toString();
      const m = buffered.match(/opsdesk listening on (http:\/\/127\.0\.0\.1:\d+) \(database sqlite\)/);
      if (m) finish(null, m[1]);
    });
    child.once("exit", (code, signal) => finish(new Error(`server exited early (code ${code}, signal ${signal})`)));
    child.once("error", (e) => finish(e));
  });

  return {
    url,
    dir,
    db,
    logs() {
      return `--- server stdout (tail) ---\n${tail(stdoutPath)}\n--- server stderr (tail) ---\n${tail(stderrPath)}`;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        const killer = setTimeout(() => child.kill("SIGKILL"), 10_000);
        await exited;
        clearTimeout(killer);
      }
      stdoutFile.end();
      stderrFile.end();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--disable-quic",
    ],
  });
}

// Per-file fixture: a server and a browser, started before the first test and
// stopped after the last. `t(name, [options,] fn)` is node:test's `test` that also prints
// the server's log tails and the open pages' URLs when the test fails.
// `serverEnv`: extra environment for the server (see startServer).
export function setup({ serverEnv = {} } = {}) {
  const env = { server: null, browser: null, contexts: [] };
  before(async () => {
    env.server = await startServer({ env: serverEnv });
    try {
      env.browser = await launchBrowser();
    } catch (e) {
      await env.server.stop();
      env.server = null;
      throw e;
    }
  });
  after(async () => {
    for (const c of env.contexts) await c.close().catch(() => undefined);
    await env.browser?.close().catch(() => undefined);
    await env.server?.stop();
  });
  env.t = (name, options, fn) => {
    if (typeof options === "function") [options, fn] = [{}, options];
    return test(name, options, async (ctx) => {
      try {
        await fn(ctx);
      } catch (e) {
        if (options.todo) throw e; // a known bug: no need for the logs
        const pages = env.contexts.flatMap((c) => c.pages().map((p) => `  ${p.url()}`)).join("\n");
        console.error(`\n### ${name} failed: ${e?.stack ?? e}\n--- open pages ---\n${pages}\n${env.server?.logs() ?? ""}`);
        throw e;
      }
    });
  };
  return env;
}

// A person with their own browser context (own cookies), signed in through the
// sign-in page. Returns { context, page, user, api }.
export async function signedIn(env, who, { viewport = DESKTOP, next = "/" } = {}) {
  const person = typeof who === "string" ? USERS[who] : who;
  const { context, page } = await newPerson(env, { viewport });
  await page.goto(`${env.server.url}/login${next === "/" ? "" : `?next=${encodeURIComponent(next)}`}`);
  await signInForm(page, person.email, PASSWORD);
  // attached, not visible: the name is hidden on phone-sized screens.
  await page.getByTestId("current-user").filter({ hasText: person.name }).waitFor({ state: "attached", timeout: TIMEOUT });
  const me = await apiCall(context, env.server.url, "GET", "/me");
  return { context, page, user: me, api: (method, path, body, headers) => apiCall(context, env.server.url, method, path, body, headers) };
}

export async function newPerson(env, { viewport = DESKTOP } = {}) {
  const context = await env.browser.newContext({ viewport, baseURL: env.server.url });
  context.setDefaultTimeout(TIMEOUT);
  env.contexts.push(context);
  const page = await context.newPage();
  return { context, page };
}

export async function signInForm(page, email, password) {
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

// A JSON API call with the context's session cookie (as the app makes it).
export async function apiCall(context, baseUrl, method, path, body, headers = {}) {
  const response = await context.request.fetch(`${baseUrl}/api/v1${path}`, {
    method,
    headers: { "X-Requested-With": "opsdesk-e2e", Accept: "application/json", ...headers },
    data: body,
  });
  const text = await response.text();
  const json = text ? JSON.parse(text) : undefined;
  if (!response.ok()) throw new Error(`${method} ${path} -> ${response.status()}: ${text}`);
  return json;
}

// Resolves once the page's live stream (SSE) is connected (the header dot).
export async function liveConnected(page) {
  await page.locator('[aria-label="Live updates connected"]').waitFor({ timeout: TIMEOUT });
}

// Marks the current document so `assertNoReload` can tell a live update from a reload.
export async function markDocument(page) {
  await page.evaluate(() => {
    window.__opsdeskE2eMark = "still-here";
  });
}

export async function assertNoReload(page) {
  const mark = await page.evaluate(() => window.__opsdeskE2eMark);
  if (mark !== "still-here") throw new Error("the page was reloaded (or navigated away by a full load)");
}

// Waits until nothing on the page shows a loading state.
export async function settled(page) {
  await page.waitForFunction(() => !document.querySelector(".state-loading, .spinner"), null, { timeout: TIMEOUT });
}

export async function screenshot(page, name) {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await settled(page);
  await page.screenshot({ path: join(SCREENSHOT_DIR, name), animations: "disabled", caret: "hide" });
}

// `opsdesk user add` against the running server's database; returns the new id.
// Polls `read` until `ok(value)`; returns the value. Fails after TIMEOUT.
export async function until(what, read, ok) {
  const deadline = Date.now() + TIMEOUT;
  let last;
  for (;;) {
    last = await read();
    if (ok(last)) return last;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export function addUser(env, { email, name, role = "requester", password = PASSWORD }) {
  return new Promise((res, rej) => {
    const child = execFile(
      BINARY,
      ["user", "add", "--db", env.server.db, "--email", email, "--name", name, "--role", role, "--password-stdin"],
      { cwd: env.server.dir, timeout: TIMEOUT },
      (err, stdout, stderr) => (err ? rej(new Error(`${err.message}\n${stderr}`)) : res(Number(stdout.trim()))),
    );
    child.stdin.end(password + "\n");
  });
}
