// Automation in the browser: a lead creates an automatic escalation rule and
// sees it listed (and an agent sees it read-only); the escalations list shows
// an escalation's two clocks; the component catalog lists a queue with its
// team; a notification preference persists across a reload.
import assert from "node:assert/strict";
import { settled, setup, signedIn } from "./harness.mjs";

const env = setup();

env.t("a lead creates an escalation rule through the UI and sees it listed", async () => {
  const lead = await signedIn(env, "lead", { next: "/oncall/rules" });
  const page = lead.page;
  await page.waitForURL("**/oncall/rules");
  const queue = (await lead.api("GET", "/queues")).items[0];
  assert.ok(queue, "a demo queue");

  await page.getByRole("button", { name: "New rule" }).click();
  const form = page.getByRole("form", { name: "New escalation rule" });
  await form.getByLabel("Name").fill("E2E urgent unanswered");
  // An invalid minute count is refused next to its field.
  await form.getByLabel(/Business minutes/).fill("0");
  await form.getByRole("button", { name: "Create rule" }).click();
  await form.locator('.field-error[data-field="minutes"]').waitFor();

  await form.getByLabel(/Business minutes/).fill("20");
  await form.getByLabel("Urgent", { exact: true }).check();
  await form.getByLabel(queue.name, { exact: true }).check();
  await form.getByLabel("Escalate to").selectOption("engineering");
  await form.getByLabel("Severity").selectOption("sev2");
  await form.getByRole("button", { name: "Create rule" }).click();
  await form.waitFor({ state: "detached" });

  const row = page.getByTestId("escalation-rule").filter({ hasText: "E2E urgent unanswered" });
  await row.waitFor();
  const text = await row.innerText();
  assert.match(text, /Unanswered for 20 min/);
  assert.match(text, new RegExp(`Urgent · queue ${queue.name}`));
  assert.match(text, /Engineering · SEV2/);

  const stored = (await lead.api("GET", "/escalation-rules")).items.find((r) => r.name === "E2E urgent unanswered");
  assert.deepEqual(
    { trigger: stored.trigger, minutes: stored.minutes, priorities: stored.priorities, queue_ids: stored.queue_ids, tier: stored.tier, severity: stored.severity, enabled: stored.enabled },
    { trigger: "unanswered", minutes: 20, priorities: ["urgent"], queue_ids: [queue.id], tier: "engineering", severity: "sev2", enabled: true },
  );

  // Disable it from the list; the server keeps it.
  await row.getByLabel("E2E urgent unanswered enabled").uncheck();
  await page.locator('[data-testid="escalation-rule"][data-enabled="false"]').filter({ hasText: "E2E urgent unanswered" }).waitFor();
  assert.equal((await lead.api("GET", `/escalation-rules/${stored.id}`)).enabled, false);

  // The clocks' targets per severity: a lead changes SEV1's.
  const sev1 = page.locator('[data-testid="escalation-targets"][data-severity="sev1"]');
  await sev1.getByLabel("SEV1 acknowledge within (min)").fill("12");
  await sev1.getByRole("button", { name: "Save SEV1 targets" }).click();
  await sev1.getByText("Saved.").waitFor();
  const targets = (await lead.api("GET", "/escalation-targets")).items.find((t) => t.severity === "sev1");
  assert.equal(targets.ack_minutes, 12);

  // An agent reads both, without controls.
  const alice = await signedIn(env, "alice", { next: "/oncall/rules" });
  await alice.page.getByTestId("escalation-rule").filter({ hasText: "E2E urgent unanswered" }).waitFor();
  await settled(alice.page);
  assert.equal(await alice.page.getByRole("button", { name: "New rule" }).count(), 0);
  assert.equal(await alice.page.getByRole("spinbutton").count(), 0);
  assert.match(await alice.page.locator('[data-testid="escalation-targets"][data-severity="sev1"]').innerText(), /12 min/);
});

env.t("the escalations list shows an escalation's acknowledge and response clocks", async () => {
  const lead = await signedIn(env, "lead");
  const open = (await lead.api("GET", "/tickets?status=open&limit=1")).items[0];
  assert.ok(open, "an open ticket");
  // Tier l2 pages the leads: no escalation policy needed.
  await lead.api("POST", `/tickets/${open.id}/escalations`, { reason: "E2E clocks", severity: "sev3", tier: "l2" });

  await lead.page.goto(`${env.server.url}/oncall/escalations`);
  const row = lead.page.getByTestId("escalation-row").filter({ has: lead.page.getByRole("link", { name: `#${open.id}` }) });
  await row.waitFor();
  assert.equal(await row.getAttribute("data-automatic"), "false");
  const ack = row.getByTestId("clock-ack");
  assert.equal(await ack.getAttribute("data-state"), "running");
  assert.match(await ack.innerText(), /Running\s+due in/);
  assert.equal(await row.getByTestId("clock-response").getAttribute("data-state"), "running");
});

env.t("the component catalog lists a queue with its team and the component's SOPs", async () => {
  const alice = await signedIn(env, "alice");
  const queue = (await alice.api("GET", "/queues")).items.find((q) => q.team_id);
  const team = (await alice.api("GET", "/teams")).items.find((t) => t.id === queue.team_id);
  // A published SOP related to the component, and a draft that must not show.
  const lead = await signedIn(env, "lead");
  const sop = await lead.api("POST", "/articles", { title: "E2E component SOP", body: "1. Restart the consumer.", category: "Runbooks", queue_ids: [queue.id] });
  await lead.api("POST", `/articles/${sop.id}/state`, { state: "published" });
  await lead.api("POST", "/articles", { title: "E2E component draft", body: "Not yet.", queue_ids: [queue.id] });
  const page = alice.page;
  await page.getByRole("link", { name: "Components" }).click();
  await page.waitForURL("**/components");
  const row = page.locator(`[data-testid="component-row"][data-component-id="${queue.id}"]`);
  await row.waitFor();
  assert.equal((await row.getByTestId("component-team").innerText()).trim(), team.name);
  assert.match(await row.getByRole("link").first().innerText(), new RegExp(queue.name));

  await row.getByRole("link", { name: queue.name, exact: true }).click();
  await page.waitForURL(`**/components/${queue.id}`);
  const detail = page.getByTestId("component-detail");
  await detail.getByRole("heading", { name: queue.name, level: 1 }).waitFor();
  assert.equal((await detail.getByTestId("component-team").innerText()).trim(), team.name);
  const sops = detail.getByRole("region", { name: "SOPs" });
  await sops.getByText(/Known problems for .* arrive with the insights work/).waitFor();
  const link = sops.getByRole("link", { name: "E2E component SOP" });
  await link.waitFor();
  assert.equal(await sops.getByRole("link", { name: "E2E component draft" }).count(), 0);
  await link.click();
  await page.waitForURL(`**/kb/${sop.id}`);
  await page.getByRole("heading", { name: "E2E component SOP" }).waitFor();
});

env.t("a notification preference stays changed after a reload", async () => {
  const alice = await signedIn(env, "alice");
  const page = alice.page;
  await page.getByRole("link", { name: "Notifications" }).click();
  await page.waitForURL("**/settings/notifications");
  const box = page.getByLabel("SLA about to breach");
  await box.waitFor();
  assert.equal(await box.isChecked(), true);
  await box.uncheck();
  await page.getByRole("button", { name: "Save preferences" }).click();
  await page.getByText("Saved.").waitFor();

  await page.reload();
  await page.getByLabel("SLA about to breach").waitFor();
  assert.equal(await page.getByLabel("SLA about to breach").isChecked(), false);
  assert.equal(await page.getByLabel("Replies to my tickets").isChecked(), true);
  const prefs = (await alice.api("GET", "/me/notification-preferences")).preferences;
  assert.equal(prefs.find((p) => p.event_type === "sla.warning").enabled, false);
});
