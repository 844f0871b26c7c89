// Escalations in the browser: the Component section names the queue's team,
// policy and who is on call; an agent escalates from the ticket page, sees the
// Escalation section, acknowledges, finds it on /oncall/escalations and
// de-escalates.
import assert from "node:assert/strict";
import { screenshot, setup, signedIn } from "./harness.mjs";

const env = setup();

env.t("an agent escalates a ticket, acknowledges and de-escalates it", async () => {
  const lead = await signedIn(env, "lead");
  const users = (await lead.api("GET", "/users?limit=200")).items;
  const alice = users.find((u) => u.email === "alice@example.com");
  const queues = (await lead.api("GET", "/queues")).items.filter((q) => q.team_id);
  const tickets = (await lead.api("GET", "/tickets?status=open&limit=100")).items;
  const open = tickets.find((t) => t.queue && queues.some((q) => q.id === t.queue.id));
  assert.ok(open, "an open ticket in a queue with a team");
  const queue = queues.find((q) => q.id === open.queue.id);

  const started = new Date(Date.now() - 7 * 86400_000).toISOString().slice(0, 10);
  const schedule = await lead.api("POST", "/schedules", {
    team_id: queue.team_id,
    name: "E2E Escalation rota",
    time_zone: "UTC",
    layers: [{ participant_ids: [alice.id], rotation: "daily", start_date: started, handoff_time: "09:00" }],
  });
  const policy = await lead.api("POST", "/escalation-policies", {
    team_id: queue.team_id,
    name: "E2E Engineering",
    levels: [{ targets: [{ type: "schedule", id: schedule.id }], ack_timeout_minutes: 15 }],
  });
  await lead.api("PUT", `/queues/${queue.id}/escalation-policy`, { escalation_policy_id: policy.id });

  const agent = await signedIn(env, "alice", { next: `/agent/tickets/${open.id}` });
  const page = agent.page;
  await page.getByTestId("ticket-subject").waitFor();
  const component = page.getByTestId("component-panel");
  await component.getByText("E2E Engineering").waitFor();
  await component.getByTestId("component-oncall").filter({ hasText: "Alice Agent" }).waitFor();

  const panel = page.getByTestId("escalation-panel");
  await panel.getByText("No open escalation").waitFor();
  await page.getByRole("button", { name: "Escalate", exact: true }).click();
  const dialog = page.getByRole("dialog", { name: "Escalate ticket" });
  await dialog.getByLabel("Reason").fill("Ingestion stalled for every customer");
  await dialog.getByLabel("Severity").selectOption("sev1");
  await dialog.getByRole("button", { name: "Escalate", exact: true }).click();
  await dialog.waitFor({ state: "detached" });
  await panel.getByTestId("escalation-state").filter({ hasText: "Triggered" }).waitFor();
  assert.match(await panel.innerText(), /SEV1/);

  // A second escalation is refused with the API's message.
  await page.keyboard.press("e");
  await dialog.getByLabel("Reason").fill("again");
  await dialog.getByRole("button", { name: "Escalate", exact: true }).click();
  await dialog.getByRole("alert").waitFor();
  await page.keyboard.press("Escape");
  await dialog.waitFor({ state: "detached" });

  await panel.getByRole("button", { name: "Acknowledge" }).click();
  await panel.getByTestId("escalation-state").filter({ hasText: "Acknowledged" }).waitFor();
  assert.equal(await panel.getByRole("button", { name: "Acknowledge" }).count(), 0);
  await screenshot(page, "ticket-escalation.png");

  await page.goto(`${env.server.url}/oncall/escalations`);
  const row = page.getByTestId("escalation-row").filter({ has: page.getByRole("link", { name: `#${open.id}` }) });
  await row.waitFor();
  assert.match(await row.innerText(), /Acknowledged/);
  assert.match(await row.innerText(), /Alice Agent/);

  await row.getByRole("link", { name: `#${open.id}` }).click();
  await panel.getByRole("button", { name: "De-escalate" }).click();
  await panel.getByText("No open escalation").waitFor();
});
