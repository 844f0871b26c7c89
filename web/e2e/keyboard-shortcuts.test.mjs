// Scenario 3: keyboard shortcuts of the agent workspace and ticket page.
import assert from "node:assert/strict";
import { setup, signedIn } from "./harness.mjs";

const env = setup();

const highlightedId = (page) =>
  page.locator('tr[data-testid="ticket-row"][aria-current="true"]').getAttribute("data-ticket-id").then(Number);

async function waitHighlighted(page, id) {
  await page.locator(`tr[data-testid="ticket-row"][data-ticket-id="${id}"][aria-current="true"]`).waitFor();
}

env.t("? opens the help, Escape closes it; j/k move; o opens; a assigns; s solves; j and g l on the ticket page", async () => {
  const agent = await signedIn(env, "alice", { next: "/agent/views/unassigned" });
  const page = agent.page;
  await page.waitForURL("**/agent/views/unassigned");
  const rows = page.locator('tr[data-testid="ticket-row"]');
  await rows.nth(2).waitFor();
  const ids = await rows.evaluateAll((trs) => trs.map((tr) => Number(tr.getAttribute("data-ticket-id"))));
  // Start from a neutral focus so keys go to the document.
  await page.locator("h1").first().click();

  // Help overlay.
  const help = page.getByRole("dialog", { name: "Keyboard shortcuts" });
  await page.keyboard.press("?");
  await help.waitFor({ state: "visible" });
  assert.ok((await help.innerText()).includes("Assign to me"));
  // While it is open, list shortcuts are off.
  await page.keyboard.press("j");
  await page.keyboard.press("Escape");
  await help.waitFor({ state: "detached" });
  await waitHighlighted(page, ids[0]);

  // j / k.
  await page.keyboard.press("j");
  await waitHighlighted(page, ids[1]);
  await page.keyboard.press("j");
  await waitHighlighted(page, ids[2]);
  await page.keyboard.press("k");
  await waitHighlighted(page, ids[1]);
  assert.equal(await highlightedId(page), ids[1]);
  assert.equal(await page.locator('tr[data-testid="ticket-row"][aria-current="true"]').count(), 1);

  // o opens the highlighted ticket.
  const id = ids[1];
  await page.keyboard.press("o");
  await page.waitForURL(`**/agent/tickets/${id}`);
  await page.locator('h1[data-testid="ticket-subject"]').waitFor();
  await page.locator("#ag-assignee").waitFor();
  const before = await agent.api("GET", `/tickets/${id}`);
  assert.equal(before.assignee, null, "the ticket comes from the Unassigned view");
  assert.notEqual(before.status, "solved");

  // a: assign to me.
  const patched = () => page.waitForResponse((r) => r.url().endsWith(`/api/v1/tickets/${id}`) && r.request().method() === "PATCH");
  let response = patched();
  await page.keyboard.press("a");
  assert.equal((await response).status(), 200);
  await page.waitForFunction((me) => document.querySelector("#ag-assignee")?.value === String(me), agent.user.id);
  assert.equal((await agent.api("GET", `/tickets/${id}`)).assignee?.id, agent.user.id);

  // s: solve.
  response = patched();
  await page.keyboard.press("s");
  assert.equal((await response).status(), 200);
  await page.waitForFunction(() => document.querySelector("#ag-status")?.value === "solved");
  await page.locator(".ag-ticket-meta").getByText("Solved", { exact: true }).waitFor();
  assert.equal((await agent.api("GET", `/tickets/${id}`)).status, "solved");
  // The history records both changes.
  const history = page.locator("section.ag-history");
  await history.getByRole("heading", { name: "History" }).waitFor();
  await history.getByText("assigned the ticket to Alice Agent").waitFor();
  await history.getByText(/changed status from .+ to Solved/).waitFor();

  // j on the ticket page goes to the next ticket of the list, g l back to the list.
  await page.keyboard.press("j");
  await page.waitForURL(`**/agent/tickets/${ids[2]}`);
  await page.keyboard.press("g");
  await page.keyboard.press("l");
  await page.waitForURL("**/agent/views/unassigned");
  await rows.first().waitFor();
  // #id was assigned, so it has left the Unassigned view.
  await page.locator(`tr[data-testid="ticket-row"][data-ticket-id="${id}"]`).waitFor({ state: "detached" });
});

// The highlight follows the ticket, not the row index: a live update that
// inserts a ticket above it must not move what a/s act on.
env.t(
  "the highlight stays on the same ticket when a new ticket arrives live",
  {},
  async () => {
    const agent = await signedIn(env, "bob", { next: "/agent/views/unassigned" });
    const requester = await signedIn(env, "tom");
    const page = agent.page;
    const rows = page.locator('tr[data-testid="ticket-row"]');
    await rows.nth(2).waitFor();
    await page.locator("h1").first().click();
    await page.keyboard.press("j");
    const before = await highlightedId(page);
    const created = await requester.api("POST", "/tickets", { subject: `E2E arrives live ${Date.now()}`, body: "x" });
    await page.locator(`tr[data-testid="ticket-row"][data-ticket-id="${created.id}"]`).waitFor();
    assert.equal(await highlightedId(page), before, "highlighted ticket after the list refreshed");
  },
);
