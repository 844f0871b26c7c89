// Scenario 1: a requester files a ticket; an agent watching "Unassigned" sees
// it arrive live, takes it, writes an internal note and a reply; the requester
// sees the reply live and never the note.
import assert from "node:assert/strict";
import { assertNoReload, liveConnected, markDocument, setup, signedIn, TIMEOUT } from "./harness.mjs";

const env = setup();

env.t("new ticket reaches the agent live; reply reaches the requester live, the note never does", async () => {
  const stamp = Date.now().toString(36);
  const subject = `E2E orders topic lag ${stamp}`;
  const note = `E2E internal note ${stamp}: same root cause as INC-42`;
  const reply = `E2E public reply ${stamp}: we restarted the connector`;

  // The agent has the Unassigned view open before the ticket exists.
  const agent = await signedIn(env, "alice", { next: "/agent/views/unassigned" });
  await agent.page.waitForURL("**/agent/views/unassigned");
  const rows = agent.page.locator('tr[data-testid="ticket-row"]');
  await rows.first().waitFor();
  const count = agent.page.getByTestId("view-count-unassigned");
  const countBefore = Number((await count.textContent()).replace(/\D/g, ""));
  assert.ok(countBefore > 0, "demo data has unassigned tickets");
  await liveConnected(agent.page);
  await markDocument(agent.page);

  // The requester files it through the portal form.
  const requester = await signedIn(env, "priya", { next: "/portal/new" });
  const form = requester.page;
  await form.waitForURL("**/portal/new");
  await form.getByLabel("Subject").fill(subject);
  await form.locator("textarea#description").fill("Since **09:00 UTC** the `orders` topic lags.\n\n- consumer group: `etl`\n- lag: 2M");
  await form.getByLabel("Priority").selectOption("high");
  await form.getByLabel("Component").selectOption("ingestion");
  await form.getByRole("button", { name: "Submit ticket" }).click();
  await form.waitForURL(/\/portal\/tickets\/\d+$/);
  const id = Number(form.url().match(/(\d+)$/)[1]);
  await form.locator('h1[data-testid="ticket-subject"]').filter({ hasText: subject }).waitFor();
  // The Markdown description is rendered by the server.
  await form.locator('[data-testid="comment"] strong', { hasText: "09:00 UTC" }).waitFor();
  const created = await requester.api("GET", `/tickets/${id}`);
  assert.equal(created.priority, "high");
  assert.equal(created.queue?.name, "ingestion");
  assert.equal(created.assignee, null);

  // The agent's open list shows it and the count goes up, without a reload.
  await agent.page.locator(`tr[data-testid="ticket-row"][data-ticket-id="${id}"]`).waitFor({ timeout: TIMEOUT });
  await agent.page.waitForFunction(
    ([n]) => document.querySelector('[data-testid="view-count-unassigned"]')?.textContent?.replace(/\D/g, "") === String(n),
    [countBefore + 1],
    { timeout: TIMEOUT },
  );
  await assertNoReload(agent.page);

  // The requester stays on the ticket page from here on (no reload).
  await liveConnected(form);
  await markDocument(form);

  // The agent opens it and assigns it to herself.
  await agent.page.locator(`tr[data-testid="ticket-row"][data-ticket-id="${id}"] a`).click();
  await agent.page.waitForURL(`**/agent/tickets/${id}`);
  await agent.page.locator('h1[data-testid="ticket-subject"]').filter({ hasText: subject }).waitFor();
  const assigned = agent.page.waitForResponse((r) => r.url().endsWith(`/api/v1/tickets/${id}`) && r.request().method() === "PATCH");
  await agent.page.locator(".ag-side").getByRole("button", { name: "Assign to me" }).click();
  assert.equal((await assigned).status(), 200);
  await agent.page.waitForFunction(
    ([me]) => document.querySelector("#ag-assignee")?.value === String(me),
    [agent.user.id],
  );
  assert.equal((await agent.api("GET", `/tickets/${id}`)).assignee?.id, agent.user.id);

  // Internal note, then public reply.
  await agent.page.getByRole("button", { name: "Internal note", exact: true }).click();
  await agent.page.getByLabel("Message").fill(note);
  await agent.page.getByRole("button", { name: "Add note" }).click();
  await agent.page.locator('[data-testid="comment"][data-internal="true"]', { hasText: note }).waitFor();
  await agent.page.getByRole("button", { name: "Reply", exact: true }).click();
  await agent.page.getByLabel("Message").fill(reply);
  await agent.page.getByRole("button", { name: "Send reply" }).click();
  await agent.page.locator('[data-testid="comment"][data-internal="false"]', { hasText: reply }).waitFor();

  // The requester sees the reply arrive on the open page, and not the note.
  await form.locator('[data-testid="comment"]', { hasText: reply }).waitFor({ timeout: TIMEOUT });
  await assertNoReload(form);
  const pageText = await form.locator("body").innerText();
  assert.ok(!pageText.includes(note), "the internal note must not be on the requester's page");
  assert.ok(!pageText.includes("same root cause"), "no part of the note on the requester's page");

  const comments = await requester.api("GET", `/tickets/${id}/comments?limit=200`);
  const raw = JSON.stringify(comments);
  assert.ok(raw.includes(reply), "the requester's API view has the reply");
  assert.ok(!raw.includes(note), "the requester's API view must not contain the note");
  assert.ok(comments.items.every((c) => c.internal === false));
  // The agent's API view does have both (so the check above is meaningful).
  const staffView = JSON.stringify(await agent.api("GET", `/tickets/${id}/comments?limit=200`));
  assert.ok(staffView.includes(note) && staffView.includes(reply));
});
