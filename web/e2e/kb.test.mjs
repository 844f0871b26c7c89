// The knowledge base in the browser against a real server: a lead writes an
// article, saves a second version, compares the two, publishes it; a requester
// can read it through the API once published, and not before.
import assert from "node:assert/strict";
import { setup, signedIn } from "./harness.mjs";

const env = setup();

env.t("a lead writes, revises, compares and publishes an article", async () => {
  const lead = await signedIn(env, "lead", { next: "/kb/new" });
  const page = lead.page;
  await page.waitForURL("**/kb/new");
  const form = page.getByRole("form", { name: "New article" });
  await form.getByLabel("Title").fill("E2E: restart the ingestion consumer");
  await form.getByLabel("Category").fill("SOP");
  await form.getByLabel("Audience").selectOption("public");
  await form.getByLabel("Body").fill("1. Check the lag\n2. Restart the broker\n");
  await form.getByRole("button", { name: "Create article" }).click();
  await page.waitForURL(/\/kb\/\d+$/);
  const id = Number(page.url().split("/").pop());
  await page.getByRole("heading", { name: "E2E: restart the ingestion consumer" }).waitFor();

  // A requester cannot read the draft.
  const requester = await signedIn(env, "priya");  // a requester in the demo data
  await assert.rejects(requester.api("GET", `/articles/${id}`), /404|not found/i);

  await page.getByRole("button", { name: "Edit" }).click();
  const edit = page.getByRole("form", { name: /^Edit / });
  await edit.getByLabel("Body").fill("1. Check the lag\n2. Restart the consumer\n");
  await edit.getByRole("button", { name: "Save" }).click();
  await page.waitForURL(new RegExp(`/kb/${id}$`));
  await page.getByTestId("article-meta").filter({ hasText: /2/ }).waitFor();

  const v2 = page.getByTestId("version").filter({ hasText: "Version 2" });
  await v2.getByRole("button", { name: "Compare with previous" }).click();
  const diff = page.getByTestId("diff");
  await diff.getByText("2. Restart the broker").waitFor();
  const text = await diff.innerText();
  assert.match(text, /-\s*2\. Restart the broker/);
  assert.match(text, /\+\s*2\. Restart the consumer/);

  await page.getByRole("button", { name: "Publish" }).click();
  await page.getByRole("button", { name: "Archive" }).waitFor();
  const read = await requester.api("GET", `/articles/${id}`);
  assert.equal(read.state, "published");
  assert.match(read.body_html, /Restart the consumer/);
});
