// Scenario 6: sessions and routing.
import assert from "node:assert/strict";
import { addUser, newPerson, PASSWORD, setup, signedIn, signInForm, USERS } from "./harness.mjs";

const env = setup();

env.t("sign-in survives a reload; sign-out returns to the sign-in page and ends the session", async () => {
  const requester = await signedIn(env, "priya");
  const page = requester.page;
  await page.waitForURL("**/portal");
  await page.locator('[data-testid="portal-ticket"]').first().waitFor();

  await page.reload();
  await page.getByTestId("current-user").filter({ hasText: USERS.priya.name }).waitFor();
  assert.ok(new URL(page.url()).pathname === "/portal", "still on the portal after reload");
  await page.locator('[data-testid="portal-ticket"]').first().waitFor();

  await page.getByRole("button", { name: "Sign out" }).click();
  await page.waitForURL("**/login");
  await page.getByRole("button", { name: "Sign in" }).waitFor();
  await page.getByTestId("current-user").waitFor({ state: "detached" });
  // The session is gone on the server too.
  const me = await requester.context.request.get("/api/v1/me");
  assert.equal(me.status(), 401);
  // A signed-out visit to a page goes to sign-in and comes back after it.
  await page.goto("/portal/new");
  await page.waitForURL(/\/login\?next=%2Fportal%2Fnew$/);
  await signInForm(page, USERS.priya.email, PASSWORD);
  await page.waitForURL("**/portal/new");
  await page.getByRole("button", { name: "Submit ticket" }).waitFor();
});

env.t("wrong password is refused on the sign-in page", async () => {
  const { page } = await newPerson(env);
  await page.goto("/login");
  await signInForm(page, USERS.alice.email, "not-the-password");
  await page.getByTestId("signin-error").filter({ hasText: "Wrong email or password." }).waitFor();
  assert.ok(page.url().endsWith("/login"));
  assert.equal(await page.getByLabel("Password").inputValue(), "");
});

env.t("a requester does not get the agent workspace", async () => {
  const requester = await signedIn(env, "priya");
  const page = requester.page;
  await page.goto("/agent/views/mine");
  await page.getByRole("heading", { name: "Page not found" }).waitFor();
  assert.equal(await page.locator('[data-testid="view-mine"], tr[data-testid="ticket-row"], [data-testid="bulk-bar"]').count(), 0);
  assert.equal(await page.getByRole("link", { name: "Workspace" }).count(), 0);
  const someTicket = (await requester.api("GET", "/tickets?requester=me&limit=1")).items[0];
  await page.goto(`/agent/tickets/${someTicket.id}`);
  await page.getByRole("heading", { name: "Page not found" }).waitFor();
  assert.equal(await page.getByLabel("Assignee").count(), 0);
  // And the API agrees: a requester only lists their own tickets.
  const all = await requester.api("GET", "/tickets?limit=200");
  assert.ok(all.items.every((t) => t.requester.id === requester.user.id));
});

env.t("an unknown URL shows the 404 page", async () => {
  const agent = await signedIn(env, "alice");
  await agent.page.goto("/no/such/page");
  await agent.page.getByRole("heading", { name: "Page not found" }).waitFor();
  await agent.page.getByRole("link", { name: "Go to the home page" }).click();
  await agent.page.waitForURL("**/agent/views/mine");
});

env.t("a user added with `opsdesk user add` while the server runs can sign in", async () => {
  const email = `e2e-${Date.now().toString(36)}@example.com`;
  const id = await addUser(env, { email, name: "Erika Example" });
  assert.ok(id > 0);
  const person = await signedIn(env, { email, name: "Erika Example" });
  assert.equal(person.user.id, id);
  await person.page.waitForURL("**/portal");
  await person.page.getByText("You have no open tickets").waitFor();
});
