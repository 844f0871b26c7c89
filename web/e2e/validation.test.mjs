// Scenario 4: the server's field errors show under the field they are about,
// and what the requester typed is kept.
import assert from "node:assert/strict";
import { setup, signedIn } from "./harness.mjs";

const env = setup();

env.t("a subject the server rejects shows the error on Subject and keeps the description", async () => {
  const requester = await signedIn(env, "priya", { next: "/portal/new" });
  const page = requester.page;
  await page.waitForURL("**/portal/new");
  const before = (await requester.api("GET", "/tickets?requester=me&limit=200")).items.length;

  // The form limits the subject to 250 characters itself (maxlength), so the
  // case the server has to catch is an empty subject.
  const subject = page.getByLabel("Subject");
  await subject.fill("x".repeat(300));
  assert.equal((await subject.inputValue()).length, 250, "the input stops at 250 characters");
  await subject.fill("");
  const description = "The **nightly export** fails:\n\n```\nERROR 42\n```";
  await page.locator("textarea#description").fill(description);
  await page.getByLabel("Priority").selectOption("urgent");
  const response = page.waitForResponse((r) => r.url().endsWith("/api/v1/tickets") && r.request().method() === "POST");
  await page.getByRole("button", { name: "Submit ticket" }).click();
  assert.equal((await response).status(), 422);

  const error = page.locator('[data-field="subject"][role="alert"]');
  await error.waitFor();
  assert.match(await error.innerText(), /must not be empty/);
  // Next to Subject: in the same field block as the Subject input.
  assert.equal(await error.evaluate((el) => !!el.closest(".field")?.querySelector("#subject")), true);
  assert.equal(await subject.getAttribute("aria-invalid"), "true");
  assert.equal(await page.locator('[data-field="body"]').count(), 0, "no error on the description");
  assert.equal(await page.locator("textarea#description").inputValue(), description);
  assert.equal(await page.getByLabel("Priority").inputValue(), "urgent");
  assert.ok(page.url().endsWith("/portal/new"));
  assert.equal((await requester.api("GET", "/tickets?requester=me&limit=200")).items.length, before, "nothing was filed");

  // Fixing it files the ticket.
  await subject.fill("Nightly export fails with ERROR 42");
  await page.getByRole("button", { name: "Submit ticket" }).click();
  await page.waitForURL(/\/portal\/tickets\/\d+$/);
  await page.locator('h1[data-testid="ticket-subject"]').filter({ hasText: "Nightly export fails with ERROR 42" }).waitFor();
});

env.t("an empty description shows the error on Description and keeps the subject", async () => {
  const requester = await signedIn(env, "tom", { next: "/portal/new" });
  const page = requester.page;
  await page.waitForURL("**/portal/new");
  await page.getByLabel("Subject").fill("Dashboard is empty");
  await page.locator("textarea#description").fill("   \n  ");
  await page.getByRole("button", { name: "Submit ticket" }).click();
  const error = page.locator('[data-field="body"][role="alert"]');
  await error.waitFor();
  assert.match(await error.innerText(), /must not be empty/);
  assert.equal(await page.locator('[data-field="subject"]').count(), 0);
  assert.equal(await page.getByLabel("Subject").inputValue(), "Dashboard is empty");
  assert.equal(await page.locator("textarea#description").getAttribute("aria-invalid"), "true");
});
