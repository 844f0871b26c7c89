import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import NewTicket from "./NewTicket";
import { makeTicket, QUEUES } from "./fixtures";
import { apiError, mockApi, renderPage, type Handler } from "./testing";

afterEach(() => vi.unstubAllGlobals());

// Answers GET /queues and POST /tickets (with `post`), then opens the form.
function openForm(post: Handler) {
  const api = mockApi({ "GET /queues": { body: { items: QUEUES, next_cursor: null } }, "POST /tickets": post });
  renderPage(<NewTicket />, { path: "/portal/new", url: "/portal/new" });
  return { api, user: userEvent.setup() };
}

describe("NewTicket", () => {
  it("shows the API's subject error next to Subject and keeps what was typed", async () => {
    const { user } = openForm(apiError(422, "invalid_argument", "ticket is not valid", { subject: "must not be empty" }));
    await user.type(screen.getByLabelText("Description"), "The upload fails every time.");
    await user.click(screen.getByRole("button", { name: "Submit ticket" }));

    const message = await screen.findByText("must not be empty");
    // Under the Subject input, in the same field.
    const subject = screen.getByLabelText("Subject");
    expect(subject.closest(".field")).toContainElement(message);
    expect(subject).toHaveAttribute("aria-invalid", "true");
    expect(screen.getByLabelText("Description")).toHaveValue("The upload fails every time.");
    expect(screen.queryByTestId("location")).toBeNull();
  });

  it("submits subject, body, priority and component, then opens the ticket", async () => {
    const { api, user } = openForm((call) => ({ status: 201, body: makeTicket({ id: 77, ...(call.body as object) }) }));

    expect(screen.getByLabelText("Priority")).toHaveValue("normal");
    await user.type(screen.getByLabelText("Subject"), "Invoice looks wrong");
    await user.type(screen.getByLabelText("Description"), "We were billed **twice**.");
    await user.selectOptions(screen.getByLabelText("Priority"), "high");
    await screen.findByRole("option", { name: "billing" });
    await user.selectOptions(screen.getByLabelText("Component"), "billing");
    expect(screen.getByText("Cost reports, quotas and chargeback")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Submit ticket" }));

    await waitFor(() => expect(screen.getByTestId("location")).toHaveTextContent("/portal/tickets/77"));
    const posts = api.find("POST", "/tickets");
    expect(posts).toHaveLength(1);
    expect(posts[0].body).toEqual({
      subject: "Invoice looks wrong",
      body: "We were billed **twice**.",
      priority: "high",
      queue: "billing",
    });
    expect(posts[0].headers["Idempotency-Key"]).toBeTruthy();
  });

  it("leaves the component out when not chosen and shows a queue error", async () => {
    const { api, user } = openForm(apiError(422, "invalid_argument", "ticket is not valid", { body: "must be at most 64 KiB" }));
    await user.type(screen.getByLabelText("Subject"), "Hello");
    await user.click(screen.getByRole("button", { name: "Submit ticket" }));
    const message = await screen.findByText("must be at most 64 KiB");
    expect(screen.getByLabelText("Description").closest(".field")).toContainElement(message);
    expect(api.find("POST", "/tickets")[0].body).toEqual({ subject: "Hello", body: "", priority: "normal" });
    expect(screen.getByLabelText("Subject")).toHaveValue("Hello");
  });
});
