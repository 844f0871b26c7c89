// Scenario 2: bulk actions on a list of the agent workspace.
import assert from "node:assert/strict";
import { setup, signedIn } from "./harness.mjs";

const env = setup();

env.t("selected tickets get the priority, tag and status picked in the bulk bar", async () => {
  const tag = `e2e-bulk-${Date.now().toString(36)}`;
  const agent = await signedIn(env, "alice", { next: "/agent/views/all_open?priority=low" });
  const page = agent.page;
  await page.waitForURL("**/agent/views/all_open?priority=low");
  const rows = page.locator('tr[data-testid="ticket-row"]');
  await rows.nth(3).waitFor();

  const ids = [];
  for (let i = 0; i < 3; i++) ids.push(Number(await rows.nth(i).getAttribute("data-ticket-id")));
  const untouched = Number(await rows.nth(3).getAttribute("data-ticket-id"));
  for (const id of [...ids, untouched]) {
    const t = await agent.api("GET", `/tickets/${id}`);
    assert.equal(t.priority, "low", `#${id} starts as low (the list is filtered on it)`);
    assert.ok(!t.tags.includes(tag));
    assert.notEqual(t.status, "pending");
  }

  for (const id of ids) await page.getByLabel(`Select ticket ${id}`, { exact: true }).check();
  const bar = page.getByTestId("bulk-bar");
  await bar.filter({ hasText: "3 selected" }).waitFor();
  await bar.getByLabel("Bulk priority").selectOption("urgent");
  await bar.getByLabel("Bulk status").selectOption("pending");
  await bar.getByLabel("Bulk tag").fill(tag);
  const response = page.waitForResponse((r) => r.url().endsWith("/api/v1/tickets/bulk") && r.request().method() === "POST");
  await bar.getByRole("button", { name: "Apply" }).click();
  assert.equal((await response).status(), 200);
  await page.getByTestId("bulk-summary").filter({ hasText: "3 updated" }).waitFor();

  for (const id of ids) {
    const t = await agent.api("GET", `/tickets/${id}`);
    assert.equal(t.priority, "urgent", `#${id} priority`);
    assert.equal(t.status, "pending", `#${id} status`);
    assert.ok(t.tags.includes(tag), `#${id} tags ${JSON.stringify(t.tags)}`);
  }
  const other = await agent.api("GET", `/tickets/${untouched}`);
  assert.equal(other.priority, "low", "an unselected row is not changed");
  assert.ok(!other.tags.includes(tag));

  // The list (filtered on priority=low) refreshes: the changed tickets leave it.
  for (const id of ids) await page.locator(`tr[data-testid="ticket-row"][data-ticket-id="${id}"]`).waitFor({ state: "detached" });
  await page.locator(`tr[data-testid="ticket-row"][data-ticket-id="${untouched}"]`).waitFor();
  // And the selection was cleared, so the bar is gone.
  await bar.waitFor({ state: "detached" });
});

env.t("select all on page, then Assign to me", async () => {
  const agent = await signedIn(env, "bob", { next: "/agent/views/unassigned" });
  const page = agent.page;
  await page.waitForURL("**/agent/views/unassigned");
  const rows = page.locator('tr[data-testid="ticket-row"]');
  await rows.first().waitFor();
  const ids = await rows.evaluateAll((trs) => trs.map((tr) => Number(tr.getAttribute("data-ticket-id"))));
  assert.ok(ids.length >= 1);

  await page.getByLabel("Select all on page").check();
  const bar = page.getByTestId("bulk-bar");
  await bar.filter({ hasText: `${ids.length} selected` }).waitFor();
  await bar.getByRole("button", { name: "Assign to me" }).click();
  await page.getByTestId("bulk-summary").filter({ hasText: `${ids.length} updated` }).waitFor();
  for (const id of ids) {
    const t = await agent.api("GET", `/tickets/${id}`);
    assert.equal(t.assignee?.id, agent.user.id, `#${id} assigned to Bob`);
  }
  // No longer unassigned: the list empties and the view's count drops to 0.
  await page.getByText("No tickets in this view").waitFor();
  await page.getByTestId("view-count-unassigned").filter({ hasText: /^0$/ }).waitFor();
});
