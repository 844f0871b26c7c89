// SLA due times in the agent workspace against a real server: a ticket whose
// first-response clock is already past its warning instant shows up in the
// "Breaching soon" view with the at-risk badge; a ticket with a long target
// sits after it, neutral, when "All open" is sorted by due; the ticket page
// shows the same badge and the watcher's sla_warning event as a sentence.
//
// The policies match on tags unique to this file, so the demo tickets keep no
// SLA (and sort last by due).
import assert from "node:assert/strict";
import { setup, signedIn, TIMEOUT, until } from "./harness.mjs";

const env = setup();

const ALL_DAY = [{ start: "00:00", end: "24:00" }];
const WEEK = Object.fromEntries(["mon", "tue", "wed", "thu", "fri", "sat", "sun"].map((d) => [d, ALL_DAY]));

env.t("an at-risk ticket is in Breaching soon with an amber badge and sorts first by due", async () => {
  const suffix = Date.now().toString(36);
  const fastTag = `e2e-sla-fast-${suffix}`;
  const slowTag = `e2e-sla-slow-${suffix}`;
  const admin = await signedIn(env, "admin");

  const calendar = await admin.api("POST", "/calendars", { name: `E2E 24x7 ${suffix}`, time_zone: "UTC", hours: WEEK });
  // 1 business minute with a warning at 1 %: at risk ~0.6 s after filing,
  // breached after 60 s (which the test never waits for).
  await admin.api("POST", "/sla-policies", {
    name: `E2E fast ${suffix}`,
    calendar_id: calendar.id,
    conditions: { tags: [fastTag] },
    targets: { first_response: 1 },
    warn_at_percent: 1,
  });
  await admin.api("POST", "/sla-policies", {
    name: `E2E slow ${suffix}`,
    calendar_id: calendar.id,
    conditions: { tags: [slowTag] },
    targets: { first_response: 600 },
  });

  const fast = await admin.api("POST", "/tickets", { subject: `SLA fast ${suffix}`, body: "Needs an answer now", tags: [fastTag] });
  const slow = await admin.api("POST", "/tickets", { subject: `SLA slow ${suffix}`, body: "Can wait", tags: [slowTag] });

  // The warning instant passes (no fixed sleep: poll the ticket).
  const atRisk = await until(
    "the fast ticket's warning instant to pass",
    () => admin.api("GET", `/tickets/${fast.id}`),
    (t) => t.sla_warn_at && Date.parse(t.sla_warn_at) <= Date.now(),
  );
  assert.ok(Date.parse(atRisk.sla_due_at) > Date.now(), "not breached yet");
  const slowNow = await admin.api("GET", `/tickets/${slow.id}`);
  assert.ok(slowNow.sla_warn_at && Date.parse(slowNow.sla_warn_at) > Date.now(), `the slow ticket is not at risk: ${JSON.stringify(slowNow)}`);
  assert.ok(Date.parse(slowNow.sla_due_at) > Date.parse(atRisk.sla_due_at), "the slow ticket is due later");

  const page = admin.page;
  await page.goto("/agent/views/breaching_soon");
  await page.getByRole("heading", { name: "Breaching soon" }).waitFor();
  await page.getByTestId("view-count-breaching_soon").filter({ hasText: /^1$/ }).waitFor();
  assert.match((await page.getByTestId("view-count-breaching_soon").getAttribute("class")) ?? "", /is-alert/);
  const fastRow = page.locator(`tr[data-testid="ticket-row"][data-ticket-id="${fast.id}"]`);
  await fastRow.waitFor();
  const badge = fastRow.getByTestId("sla-due");
  assert.equal(await badge.getAttribute("data-sla-state"), "at_risk");
  // The state in words (for screen readers, visually hidden), then the time.
  assert.match(await badge.textContent(), /^At risk: in (< )?\d+ min$/);
  assert.match((await badge.getAttribute("title")) ?? "", /^At risk: due /);
  assert.equal(await page.locator(`tr[data-testid="ticket-row"][data-ticket-id="${slow.id}"]`).count(), 0, "on track: not in the view");
  assert.equal(await page.getByLabel("Sort").inputValue(), "sla_due_at");

  // All open, sorted by due through the sort control: fast, then slow, then the
  // demo tickets without a clock.
  await page.getByTestId("view-all_open").click();
  await page.waitForURL("**/agent/views/all_open");
  await page.locator('tr[data-testid="ticket-row"]').first().waitFor();
  await page.getByLabel("Sort").selectOption({ label: "Due soonest" });
  await page.waitForURL("**/agent/views/all_open?sort=sla_due_at");
  const rows = page.locator('tr[data-testid="ticket-row"]');
  await page.waitForFunction(
    ([a, b]) => {
      const ids = [...document.querySelectorAll('tr[data-testid="ticket-row"]')].map((tr) => Number(tr.getAttribute("data-ticket-id")));
      return ids[0] === a && ids[1] === b;
    },
    [fast.id, slow.id],
    { timeout: TIMEOUT },
  );
  assert.equal(await rows.nth(0).getByTestId("sla-due").getAttribute("data-sla-state"), "at_risk");
  assert.equal(await rows.nth(1).getByTestId("sla-due").getAttribute("data-sla-state"), "on_track");
  assert.equal(await rows.nth(1).getByTestId("sla-due").textContent(), "On track: in 10 h");
  assert.equal(await rows.nth(2).getByTestId("sla-due").getAttribute("data-sla-state"), "none");

  // The ticket page: the same state in the header, and the watcher's warning
  // (written by the server's job worker) in the history once it has run.
  await rows.nth(0).getByRole("link", { name: `SLA fast ${suffix}` }).click();
  await page.getByTestId("ticket-subject").filter({ hasText: `SLA fast ${suffix}` }).waitFor();
  const header = page.getByTestId("sla-due");
  assert.equal(await header.getAttribute("data-sla-state"), "at_risk");
  assert.match(await header.innerText(), /^SLA at risk: due in/);
  await until(
    "the sla_warning event",
    async () => (await admin.api("GET", `/tickets/${fast.id}/events`)).items.map((e) => e.kind),
    (kinds) => kinds.includes("sla_warning"),
  );
  await page.reload();
  await page
    .locator(".ag-events li")
    .filter({ hasText: new RegExp(`^SLA first response at risk: due .+ \\(policy E2E fast ${suffix}\\)`) })
    .waitFor();
});
