// Search and the knowledge base at work, in the browser against a real server:
// a requester filing a ticket is shown the public article that answers it (and
// not the internal SOP), opens it without losing the draft; the header search
// box finds a ticket by a word of its body with the keyboard alone; the agent
// sees both articles on the ticket page, inserts them into a reply or a note,
// and the links, usage, votes, gaps and deflection follow.
import assert from "node:assert/strict";
import { setup, signedIn } from "./harness.mjs";

const env = setup();

// Words no demo ticket or article has, so the suggestions are ours.
const PUBLIC_TITLE = "Zorblat imports: fix the quibbleframe error";
const SOP_TITLE = "SOP: reset the zorblat quibbleframe cache";
const state = {};

async function publish(lead, input) {
  const article = await lead.api("POST", "/articles", input);
  await lead.api("POST", `/articles/${article.id}/state`, { state: "published" });
  return article.id;
}

env.t("a requester is shown the public article (not the SOP) while filing, opens it and keeps the draft", async () => {
  const lead = await signedIn(env, "lead");
  state.lead = lead;
  state.publicId = await publish(lead, {
    title: PUBLIC_TITLE,
    body: "Save the zorblat file as UTF-8 and upload it again; the quibbleframe error goes away.",
    audience: "public",
  });
  state.sopId = await publish(lead, {
    title: SOP_TITLE,
    body: "1. Drain the zorblat queue\n2. Clear the quibbleframe cache\n",
    audience: "internal",
  });
  // Staff would be offered both: what the portal leaves out is the SOP alone.
  const question = "Zorblat import fails The upload says quibbleframe error";
  const forStaff = await lead.api("GET", `/search/suggestions?q=${encodeURIComponent(question)}&limit=5`);
  assert.ok(forStaff.items.some((a) => a.id === state.sopId), "the SOP matches the question");
  const before = await lead.api("GET", "/deflection?days=30");

  const requester = await signedIn(env, "priya", { next: "/portal/new" });
  state.requester = requester;
  const page = requester.page;
  await page.waitForURL("**/portal/new");
  await page.getByLabel("Subject").fill("Zorblat import fails");
  await page.getByLabel("Description").fill("The upload says quibbleframe error");
  const suggestions = page.getByTestId("article-suggestions");
  await suggestions.getByText("These articles may answer your question").waitFor();
  const suggested = suggestions.getByRole("link", { name: new RegExp(PUBLIC_TITLE) });
  await suggested.waitFor();
  assert.equal(await suggestions.getByText(SOP_TITLE).count(), 0, "internal SOPs are never suggested to requesters");

  const viewed = page.waitForResponse((r) => r.url().endsWith("/api/v1/deflection/views"));
  await suggested.click();
  const article = page.getByTestId("portal-article");
  await article.getByRole("heading", { name: PUBLIC_TITLE }).waitFor();
  await article.getByText("goes away").waitFor();
  assert.equal((await viewed).status(), 204);
  assert.equal(await page.getByLabel("Subject").inputValue(), "Zorblat import fails");
  assert.equal(await page.getByLabel("Description").inputValue(), "The upload says quibbleframe error");

  // Still stuck: the requester files the ticket, with the draft as typed.
  const filed = page.waitForResponse((r) => r.url().endsWith("/api/v1/deflection/filed"));
  await page.getByRole("button", { name: "Submit ticket" }).click();
  await page.waitForURL(/\/portal\/tickets\/\d+$/);
  state.ticketId = Number(page.url().split("/").pop());
  assert.equal((await filed).status(), 204);
  const ticket = await requester.api("GET", `/tickets/${state.ticketId}`);
  assert.equal(ticket.subject, "Zorblat import fails");
  const after = await lead.api("GET", "/deflection?days=30");
  assert.equal(after.filed, before.filed + 1, "the session counts as one that filed a ticket");
});

env.t("the header search box finds a ticket by a word of its body, with the keyboard alone", async () => {
  const created = await state.requester.api(
    "POST",
    "/tickets",
    { subject: "Nightly job missing", body: "The wombatexport job did not run last night.", priority: "normal" },
    { "Idempotency-Key": `e2e-search-${Date.now()}` },
  );
  const agent = await signedIn(env, "alice", { next: "/agent/views/all_open" });
  state.agent = agent;
  const page = agent.page;
  await page.waitForURL("**/agent/views/all_open");
  await page.locator('tr[data-testid="ticket-row"]').first().waitFor();
  await page.keyboard.press("/");
  const box = page.getByRole("combobox", { name: "Search" });
  assert.equal(await box.evaluate((el) => el === document.activeElement), true, "/ focuses the search box");
  await page.keyboard.type("wombatexport");
  await page.getByRole("option", { name: /Nightly job missing/ }).waitFor();
  await page.keyboard.press("ArrowDown");
  await page.getByRole("option", { name: /Nightly job missing/, selected: true }).waitFor();
  await page.keyboard.press("Enter");
  await page.waitForURL(`**/agent/tickets/${created.id}`);
  await page.getByTestId("ticket-subject").filter({ hasText: "Nightly job missing" }).waitFor();

  // Enter with nothing highlighted: the full results page, snippet marked.
  await page.keyboard.press("/");
  await page.keyboard.type("wombatexport");
  await page.getByRole("option", { name: /Nightly job missing/ }).waitFor();
  await page.keyboard.press("Enter");
  await page.waitForURL("**/search?q=wombatexport");
  const result = page.getByTestId("search-result").filter({ hasText: "Nightly job missing" });
  await result.locator("mark", { hasText: /wombatexport/i }).waitFor();
});

env.t("the agent inserts the suggested articles into a reply and a note; links, usage and votes follow", async () => {
  const page = state.agent.page;
  await page.goto(`/agent/tickets/${state.ticketId}`);
  const panel = page.getByTestId("suggested-articles");
  const pub = panel.getByTestId("suggested-article").filter({ hasText: PUBLIC_TITLE });
  const sop = panel.getByTestId("suggested-article").filter({ hasText: SOP_TITLE });
  await pub.waitFor();
  await sop.getByText("Internal SOP").waitFor();
  await pub.getByText("Public", { exact: true }).waitFor();

  const composer = page.getByLabel("Message");
  await composer.fill("Hi Priya, this should help:");
  await pub.getByRole("button", { name: "Insert link" }).click();
  assert.equal(await composer.inputValue(), `Hi Priya, this should help:\n\n[${PUBLIC_TITLE}](/kb/${state.publicId})`);
  // The SOP cannot go into a reply.
  assert.equal(await sop.getByRole("button", { name: "Insert link" }).isDisabled(), true);

  const linked = page.waitForResponse((r) => r.url().endsWith(`/api/v1/tickets/${state.ticketId}/articles`) && r.request().method() === "POST");
  await page.getByRole("button", { name: "Send reply" }).click();
  assert.equal((await linked).status(), 201);
  const links = page.getByTestId("linked-articles");
  await links.getByTestId("linked-article").filter({ hasText: PUBLIC_TITLE }).filter({ hasText: "Sent to requester" }).waitFor();
  assert.match(await links.innerText(), /v1/);

  // Into an internal note it goes.
  await page.getByRole("button", { name: "Internal note" }).click();
  await sop.getByRole("button", { name: "Insert link" }).click();
  assert.equal(await composer.inputValue(), `[${SOP_TITLE}](/kb/${state.sopId})`);
  await sop.getByRole("button", { name: "Resolved with this" }).click();
  await links.getByTestId("linked-article").filter({ hasText: SOP_TITLE }).filter({ hasText: "Resolved with" }).waitFor();
  const recorded = await state.agent.api("GET", `/tickets/${state.ticketId}/articles`);
  assert.deepEqual(recorded.items.map((l) => [l.article_id, l.kind]).sort(), [
    [state.publicId, "sent_to_requester"],
    [state.sopId, "resolved_with"],
  ].sort());

  // The requester follows the link in the reply and votes.
  const portal = state.requester.page;
  await portal.goto(`/portal/tickets/${state.ticketId}`);
  await portal.getByRole("link", { name: PUBLIC_TITLE }).click();
  await portal.waitForURL(`**/portal/kb/${state.publicId}`);
  const article = portal.getByTestId("portal-article");
  await article.getByRole("heading", { name: PUBLIC_TITLE }).waitFor();
  await article.getByRole("button", { name: "No" }).click();
  await article.getByRole("status").filter({ hasText: "Thanks for your feedback." }).waitFor();
  await article.getByLabel(/What was missing or wrong/).fill("Which encoding exactly?");
  await article.getByRole("button", { name: "Send comment" }).click();
  await article.getByRole("status").filter({ hasText: "Thanks, your comment was sent." }).waitFor();

  // The lead's article page: used on the ticket, the vote and its comment.
  const lead = state.lead.page;
  await lead.goto(`/kb/${state.publicId}`);
  await lead.getByTestId("article-usage").filter({ hasText: "Used on 1 ticket" }).waitFor();
  await lead.getByTestId("usage-ticket").filter({ hasText: "Zorblat import fails" }).getByRole("link", { name: `#${state.ticketId}` }).waitFor();
  await lead.getByTestId("feedback-counts").filter({ hasText: "0 helpful" }).filter({ hasText: "1 not helpful" }).waitFor();
  await lead.getByTestId("feedback-comment").filter({ hasText: "Which encoding exactly?" }).waitFor();
});

env.t("a lead sees the gaps and the deflection rate, and drafts an article from a gap", async () => {
  const created = await state.requester.api(
    "POST",
    "/tickets",
    { subject: "Grommetfeed dashboard blank", body: "The grommetfeed dashboard shows nothing since noon.", priority: "normal" },
    { "Idempotency-Key": `e2e-gap-${Date.now()}` },
  );
  await state.agent.api("PATCH", `/tickets/${created.id}`, { status: "solved" }, { "If-Match": String(created.version) });
  const resolved = await state.agent.api("GET", `/tickets/${state.ticketId}`);
  await state.agent.api("PATCH", `/tickets/${state.ticketId}`, { status: "solved" }, { "If-Match": String(resolved.version) });
  const gaps = await state.lead.api("GET", "/kb/gaps?days=7");
  assert.ok(gaps.groups.some((g) => g.ticket_ids.includes(created.id)), "a solved ticket without an article is a gap");
  assert.ok(!gaps.groups.some((g) => g.ticket_ids.includes(state.ticketId)), "a ticket resolved with an article is not");
  const deflection = await state.lead.api("GET", "/deflection?days=7");

  const page = state.lead.page;
  await page.goto("/kb");
  await page.getByRole("link", { name: "Gaps" }).click();
  await page.waitForURL("**/kb/gaps");
  await page.getByLabel(/Solved in the last/).selectOption("7");
  await page.waitForURL("**/kb/gaps?days=7");
  const rate = deflection.rate === null ? "no portal session" : `${Math.round(deflection.rate * 100)} % — ${deflection.deflected} of ${deflection.sessions}`;
  await page.getByTestId("deflection").filter({ hasText: `Deflection (7 days): ${rate}` }).waitFor();
  await page.getByTestId("gaps-total").filter({ hasText: `${gaps.total} solved ticket` }).waitFor();
  await page.getByRole("link", { name: `#${created.id}`, exact: true }).click();
  await page.waitForURL(`**/agent/tickets/${created.id}`);
  await page.getByRole("button", { name: "Draft an article from this ticket" }).click();
  await page.waitForURL(/\/kb\/\d+\/edit$/);
  const form = page.getByRole("form", { name: /^Edit / });
  assert.equal(await form.getByLabel("Title").inputValue(), "Grommetfeed dashboard blank");
  assert.match(await form.getByLabel("Body").inputValue(), /grommetfeed dashboard shows nothing/);
});
