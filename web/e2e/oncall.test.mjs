// On-call and SLA in the browser: a lead creates a schedule and sees today's
// on-call person in the week view, then covers a few hours with an override;
// an agent sees a ticket's SLA clocks once a policy applies.
import assert from "node:assert/strict";
import { screenshot, setup, signedIn } from "./harness.mjs";

const env = setup();

const pad = (n) => String(n).padStart(2, "0");
const localInput = (d) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;

env.t("a lead creates a schedule and sees who is on call today in the week view", async () => {
  const lead = await signedIn(env, "lead", { next: "/oncall" });
  const page = lead.page;
  await page.waitForURL("**/oncall");
  await page.getByRole("link", { name: "On-call" }).waitFor();
  const users = (await lead.api("GET", "/users?limit=200")).items;
  const alice = users.find((u) => u.email === "alice@example.com");
  const bob = users.find((u) => u.email === "bob@example.com");

  await page.getByRole("button", { name: "New schedule" }).click();
  const form = page.getByRole("form", { name: "New schedule" });
  await form.getByLabel("Schedule name").fill("E2E Primary");
  await form.getByLabel("Time zone").fill("UTC");
  await form.getByLabel("Rotation", { exact: true }).selectOption("daily");
  // The rotation started a week ago, so someone is on call now.
  const started = new Date(Date.now() - 7 * 86400_000).toISOString().slice(0, 10);
  await form.getByLabel("First handoff date").fill(started);
  await form.getByLabel(/Participants/).selectOption(String(alice.id));
  await form.getByRole("button", { name: "Create schedule" }).click();

  await page.getByRole("heading", { name: "E2E Primary" }).waitFor();
  const now = page.getByTestId("on-call-now");
  await now.filter({ hasText: "Alice Agent" }).waitFor();
  // Today's column holds Alice's shift, and the "now" line.
  const today = page.locator(".wk-day.wk-today");
  await today.locator(`[data-testid="shift-block"][data-user-id="${alice.id}"]`).first().waitFor();
  assert.equal(await today.getByTestId("now-marker").count(), 1);

  // Bob covers the next two hours: an override block, drawn distinctly.
  const from = new Date();
  from.setMinutes(0, 0, 0);
  const until = new Date(from.getTime() + 2 * 3600_000);
  const override = page.getByRole("form", { name: "Add an override" });
  await override.getByLabel("Who covers").selectOption(String(bob.id));
  await override.getByLabel("From").fill(localInput(from));
  await override.getByLabel("Until").fill(localInput(until));
  await override.getByRole("button", { name: "Add override" }).click();
  const block = page.locator(`[data-testid="shift-block"][data-user-id="${bob.id}"][data-override="true"]`).first();
  await block.waitFor();
  assert.match(await block.getAttribute("class"), /wk-override/);
  await now.filter({ hasText: "Bob Agent" }).waitFor();
  await screenshot(page, "oncall-week.png");

  // Next week and back.
  const label = await page.getByTestId("week-label").innerText();
  await page.getByRole("button", { name: "Next week" }).click();
  await page.getByTestId("week-label").filter({ hasNotText: label }).waitFor();
  assert.equal(await page.getByTestId("now-marker").count(), 0);
  await page.getByRole("button", { name: "This week" }).click();
  await page.getByTestId("now-marker").waitFor();
});

env.t("the agent ticket page shows the SLA panel once a policy applies", async () => {
  const lead = await signedIn(env, "lead");
  const calendar = await lead.api("POST", "/calendars", {
    name: "Always",
    time_zone: "UTC",
    hours: Object.fromEntries(["mon", "tue", "wed", "thu", "fri", "sat", "sun"].map((d) => [d, [{ start: "00:00", end: "24:00" }]])),
  });
  const open = (await lead.api("GET", "/tickets?status=open&limit=1")).items[0];
  assert.ok(open, "an open ticket");

  const alice = await signedIn(env, "alice", { next: `/agent/tickets/${open.id}` });
  const page = alice.page;
  await page.getByTestId("ticket-subject").waitFor();
  assert.equal(await page.getByTestId("sla-panel").count(), 0, "no panel without a policy");

  await lead.api("POST", "/sla-policies", { name: "Everything", calendar_id: calendar.id, targets: { first_response: 60, resolution: 480 } });
  await page.reload();
  const panel = page.getByTestId("sla-panel");
  await panel.waitFor();
  assert.match(await panel.innerText(), /Everything/);
  const rows = panel.getByTestId("sla-target");
  assert.equal(await rows.count(), 2);
  assert.match(await rows.first().innerText(), /First response/);
  assert.match(await rows.first().innerText(), /(left|breached|met)/);
  await screenshot(page, "ticket-sla.png");
});
