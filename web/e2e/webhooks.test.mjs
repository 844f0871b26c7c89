// Webhooks in the browser against a real server: an admin adds a webhook that
// points at a receiver in this test (127.0.0.1, allow-listed) answering 500;
// a new ticket's delivery runs out of its attempts and shows in the dead list;
// once the receiver answers 200, Retry takes it out of the list and it is
// done. An agent gets no webhooks page.
//
// The server runs with 3 attempts, a 100 ms retry base and a 50 ms job poll (as
// tests/e2e/notify_test.cc), so a delivery is dead within about a second.
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { createServer } from "node:http";
import { after, before } from "node:test";
import { setup, signedIn, until } from "./harness.mjs";

const env = setup({
  serverEnv: {
    OPSDESK_WEBHOOK_ALLOW_HOSTS: "127.0.0.1",
    OPSDESK_JOBS_MAX_ATTEMPTS: "3",
    OPSDESK_JOBS_RETRY_BASE_MS: "100",
    OPSDESK_JOBS_POLL_MS: "50",
    OPSDESK_WEBHOOK_TIMEOUT_MS: "3000",
  },
});

const SECRET = "e2e-webhook-secret-0123456789";

// The receiver: answers `receiver.status` to every POST and keeps what came.
const receiver = { status: 500, received: [], server: null, url: "" };
before(async () => {
  receiver.server = createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      receiver.received.push({ headers: req.headers, body, answered: receiver.status });
      res.writeHead(receiver.status, { "Content-Type": "text/plain" });
      res.end(receiver.status === 200 ? "ok" : "receiver is down");
    });
  });
  await new Promise((res) => receiver.server.listen(0, "127.0.0.1", res));
  receiver.url = `http://127.0.0.1:${receiver.server.address().port}/opsdesk-hook`;
});
after(() => new Promise((res) => receiver.server.close(res)));

env.t("an admin adds a webhook, sees its dead delivery, retries it and sees it done", async () => {
  const admin = await signedIn(env, "admin");
  const page = admin.page;
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Webhooks" }).click();
  await page.waitForURL("**/admin/webhooks");
  await page.getByRole("heading", { name: "Webhooks", level: 1 }).waitFor();
  await page.getByText("No dead deliveries").waitFor();

  // A loopback URL is refused unless allow-listed; this one is (OPSDESK_WEBHOOK_ALLOW_HOSTS).
  const form = page.getByRole("form", { name: "New webhook" });
  await form.getByLabel("URL").fill(receiver.url);
  await form.getByLabel("Secret (optional)").fill(SECRET);
  assert.equal(await form.getByLabel("ticket.created").isChecked(), true, "ticket.created is ticked by default");
  await form.getByRole("button", { name: "Add webhook" }).click();
  await form.getByRole("status").filter({ hasText: `Added the webhook for ${receiver.url}` }).waitFor();
  const hookRow = page.getByTestId("webhook-row").filter({ hasText: receiver.url });
  await hookRow.filter({ hasText: "Active" }).waitFor();
  assert.match(await hookRow.innerText(), /ticket\.created/);
  const hook = (await admin.api("GET", "/webhooks")).items.find((h) => h.url === receiver.url);
  assert.ok(hook, "the webhook exists in the API");

  // A new ticket: one delivery, refused three times, then dead.
  const ticket = await admin.api("POST", "/tickets", { subject: `Webhook e2e ${Date.now().toString(36)}`, body: "Deliver me" });
  const dead = await until(
    "the delivery to be dead",
    async () => (await admin.api("GET", "/webhooks/deliveries?state=dead")).items.filter((d) => d.webhook_id === hook.id),
    (items) => items.length === 1,
  );
  const delivery = dead[0];
  assert.equal(delivery.event_type, "ticket.created");
  assert.equal(delivery.attempts, 3);
  assert.equal(receiver.received.length, 3);
  for (const r of receiver.received) {
    assert.equal(r.headers["x-opsdesk-delivery"], delivery.delivery_id);
    assert.equal(r.headers["x-opsdesk-signature"], "sha256=" + createHmac("sha256", SECRET).update(r.body).digest("hex"));
    assert.equal(JSON.parse(r.body).data.ticket.id, ticket.id);
  }

  // The dead list (the page's default filter) shows it.
  await page.reload();
  const row = page.locator(`[data-testid="delivery-row"][data-delivery-id="${delivery.id}"]`);
  await row.waitFor();
  assert.equal(await row.getAttribute("data-state"), "dead");
  assert.equal(await row.getByTestId("delivery-attempts").innerText(), "3/3");
  const text = await row.innerText();
  assert.match(text, /ticket\.created/);
  assert.ok(text.includes(receiver.url), "the row names the webhook's URL");
  assert.match(text, /webhook answered 500/);

  // The receiver recovers; Retry queues the delivery again.
  receiver.status = 200;
  await row.getByRole("button", { name: `Retry delivery ${delivery.id}` }).click();
  await page.getByTestId("retry-notice").filter({ hasText: `Delivery ${delivery.id} (ticket.created) was queued again.` }).waitFor();
  await row.waitFor({ state: "detached" });

  await until(
    "the retried delivery to be done",
    async () => (await admin.api("GET", "/webhooks/deliveries?state=done")).items.find((d) => d.id === delivery.id),
    (d) => d !== undefined,
  );
  await page.getByLabel("State").selectOption("done");
  await page.waitForURL("**/admin/webhooks?state=done");
  const doneRow = page.locator(`[data-testid="delivery-row"][data-delivery-id="${delivery.id}"]`);
  await doneRow.waitFor();
  assert.equal(await doneRow.getAttribute("data-state"), "done");
  assert.equal(await doneRow.getByTestId("delivery-attempts").innerText(), "1/3");
  assert.equal(await doneRow.getByRole("button", { name: /Retry/ }).count(), 0);
  assert.equal(receiver.received.length, 4);
  assert.equal(receiver.received[3].answered, 200);
  assert.equal(receiver.received[3].headers["x-opsdesk-delivery"], delivery.delivery_id, "the retry carries the same delivery id");

  // Deactivated, the webhook gets no more deliveries.
  await hookRow.getByRole("button", { name: `Deactivate ${receiver.url}` }).click();
  await hookRow.filter({ hasText: "Inactive" }).waitFor();
  assert.equal((await admin.api("GET", `/webhooks/${hook.id}`)).active, false);
});

env.t("an agent gets no webhooks page, link or API", async () => {
  const agent = await signedIn(env, "alice");
  const page = agent.page;
  assert.equal(await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Webhooks" }).count(), 0);
  await page.goto("/admin/webhooks");
  await page.getByRole("heading", { name: "Page not found" }).waitFor();
  assert.equal(await page.getByRole("form", { name: "New webhook" }).count(), 0);
  assert.equal(await page.getByTestId("delivery-row").count(), 0);
  await assert.rejects(agent.api("GET", "/webhooks/deliveries?state=dead"), /403/);
  await assert.rejects(agent.api("POST", "/webhooks", { url: receiver.url, event_types: ["ticket.created"] }), /403/);
});
