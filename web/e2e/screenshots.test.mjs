// Scenario 7: screenshots of the main pages, written as PNG files into
// OPSDESK_SCREENSHOT_DIR (default <repo>/build/screenshots). Desktop pages at
// 1280×800, the phone one at 390×844. Each shot waits for the page's content,
// so it also checks that these pages render.
import assert from "node:assert/strict";
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { liveConnected, newPerson, screenshot, SCREENSHOT_DIR, setup, signedIn } from "./harness.mjs";

const env = setup();

async function shot(page, name) {
  await screenshot(page, name);
  const path = join(SCREENSHOT_DIR, name);
  assert.ok(existsSync(path) && statSync(path).size > 5_000, `${path} written`);
}

env.t("sign-in page", async () => {
  const { page } = await newPerson(env);
  await page.goto("/login");
  await page.getByRole("button", { name: "Sign in" }).waitFor();
  await shot(page, "signin.png");
});

env.t("portal pages, the agent workspace and ticket, shortcut help, admin users", async () => {
  const requester = await signedIn(env, "priya");
  const agent = await signedIn(env, "alice");

  // A ticket with a conversation: the requester's Markdown, an agent's note and reply.
  const ticket = await requester.api(
    "POST",
    "/tickets",
    {
      subject: "Nightly orders export missing since Monday",
      body: "The `orders_daily` export has not arrived since **Monday**.\n\n1. Scheduler shows the DAG as *success*\n2. The bucket has no new files\n\nCould you take a look?",
      priority: "high",
      queue: "ingestion",
    },
    { "Idempotency-Key": `e2e-shot-${Date.now()}` },
  );
  await agent.api("PATCH", `/tickets/${ticket.id}`, { assignee_id: agent.user.id }, { "If-Match": String(ticket.version) });
  await agent.api("POST", `/tickets/${ticket.id}/comments`, {
    body: "Export job writes to the old bucket after Friday's migration; fixing the target path.",
    internal: true,
  });
  await agent.api("POST", `/tickets/${ticket.id}/comments`, {
    body: "Thanks for the report! The export was writing to the old bucket. I have fixed the path and re-run **Monday to today**; the files should be there now.",
    internal: false,
  });

  // Portal list.
  const portal = requester.page;
  await portal.goto("/portal");
  await portal.locator(`[data-testid="portal-ticket"][data-ticket-id="${ticket.id}"]`).waitFor();
  await liveConnected(portal);
  await shot(portal, "portal-list.png");

  // Portal ticket page.
  await portal.goto(`/portal/tickets/${ticket.id}`);
  await portal.locator('[data-testid="comment"]', { hasText: "re-run" }).waitFor();
  await liveConnected(portal);
  await shot(portal, "portal-ticket.png");

  // New-ticket form with a field error.
  await portal.goto("/portal/new");
  await portal.locator("textarea#description").fill("Since this morning the **finance** dashboard shows no data.");
  await portal.getByLabel("Component").selectOption("query-engine");
  await portal.getByRole("button", { name: "Submit ticket" }).click();
  await portal.locator('[data-field="subject"][role="alert"]').waitFor();
  await portal.getByLabel("Subject").blur();
  await shot(portal, "portal-new-ticket-error.png");

  // Agent workspace list.
  const ws = agent.page;
  await ws.goto("/agent/views/all_open");
  await ws.locator(`tr[data-testid="ticket-row"][data-ticket-id="${ticket.id}"]`).waitFor();
  await ws.getByTestId("view-count-all_open").filter({ hasText: /^\d/ }).waitFor();
  await liveConnected(ws);
  await ws.locator("h1").first().click();
  await ws.keyboard.press("j");
  await shot(ws, "agent-workspace.png");

  // Shortcut help overlay.
  await ws.keyboard.press("?");
  await ws.getByRole("dialog", { name: "Keyboard shortcuts" }).waitFor();
  await shot(ws, "shortcut-help.png");
  await ws.keyboard.press("Escape");
  await ws.getByRole("dialog", { name: "Keyboard shortcuts" }).waitFor({ state: "detached" });

  // Agent ticket page with the note, and the lead looking at it too.
  await ws.goto(`/agent/tickets/${ticket.id}`);
  await ws.locator('[data-testid="comment"][data-internal="true"]').waitFor();
  await ws.locator("section.ag-history li").first().waitFor();
  await liveConnected(ws);
  const lead = await signedIn(env, "lead", { next: `/agent/tickets/${ticket.id}` });
  await lead.page.locator('h1[data-testid="ticket-subject"]').waitFor();
  await ws.getByTestId("presence").getByText("Lena Lead is viewing").waitFor();
  await shot(ws, "agent-ticket.png");

  // Admin users.
  const admin = await signedIn(env, "admin", { next: "/admin/users" });
  await admin.page.waitForURL("**/admin/users");
  await admin.page.locator('[data-testid="user-row"]').nth(5).waitFor();
  await shot(admin.page, "admin-users.png");
});

env.t("portal list on a phone", async () => {
  const requester = await signedIn(env, "priya", { viewport: { width: 390, height: 844 } });
  await requester.page.waitForURL("**/portal");
  await requester.page.locator('[data-testid="portal-ticket"]').first().waitFor();
  await liveConnected(requester.page);
  // Nothing wider than the screen.
  const overflow = await requester.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `page is ${overflow}px wider than the phone screen`);
  await shot(requester.page, "portal-phone.png");
});

env.t("search, article suggestions in the portal, the knowledge base on a ticket", async () => {
  const lead = await signedIn(env, "lead");
  const publish = async (input) => {
    const a = await lead.api("POST", "/articles", input);
    await lead.api("POST", `/articles/${a.id}/state`, { state: "published" });
    return a;
  };
  await publish({
    title: "Fix 'unexpected delimiter' when uploading a CSV",
    body: "Save the file as **UTF-8 CSV** with commas between fields, then upload it again.",
    audience: "public",
    category: "Ingestion",
  });
  await publish({
    title: "SOP: reprocess a rejected CSV upload",
    body: "1. Find the batch id in the ingestion log\n2. `opsdesk-ingest reprocess <batch>`\n",
    audience: "internal",
    category: "SOP",
  });

  // The requester's new-ticket form with suggestions.
  const requester = await signedIn(env, "priya", { next: "/portal/new" });
  const portal = requester.page;
  await portal.waitForURL("**/portal/new");
  await portal.getByLabel("Subject").fill("CSV upload rejected");
  await portal.getByLabel("Description").fill("The upload page says 'unexpected delimiter' for our daily CSV file.");
  await portal.getByTestId("suggestion").first().waitFor();
  await shot(portal, "portal-suggestions.png");
  await portal.getByRole("button", { name: "Submit ticket" }).click();
  await portal.waitForURL(/\/portal\/tickets\/\d+$/);
  const ticketId = Number(portal.url().split("/").pop());

  // The agent's search box while typing.
  const agent = await signedIn(env, "alice", { next: "/agent/views/all_open" });
  const ws = agent.page;
  await ws.locator('tr[data-testid="ticket-row"]').first().waitFor();
  await liveConnected(ws);
  await ws.keyboard.press("/");
  await ws.keyboard.type("unexpected delim");
  await ws.getByRole("option").nth(2).waitFor();
  await ws.keyboard.press("ArrowDown");
  await shot(ws, "search-dropdown.png");
  await ws.keyboard.press("Escape");

  // The ticket page's suggested articles.
  await ws.goto(`/agent/tickets/${ticketId}`);
  await ws.getByTestId("suggested-article").nth(1).waitFor();
  await ws.getByTestId("linked-articles").getByText("No articles linked yet").waitFor();
  await ws.getByTestId("suggested-article").first().getByRole("button", { name: "Insert link" }).click();
  await ws.getByTestId("suggested-articles").scrollIntoViewIfNeeded();
  await shot(ws, "agent-kb-panel.png");
});
