import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import PortalTicket from "./PortalTicket";
import { makeComment, makeTicket, QUEUES } from "./fixtures";
import { apiError, mockApi, renderPage } from "./testing";
import type { Comment, Ticket } from "../api/types";

afterEach(() => vi.unstubAllGlobals());

const route = { path: "/portal/tickets/:id", url: "/portal/tickets/42" };

function conversationApi(ticket: Ticket, initial: Comment[]) {
  let comments = [...initial];
  let current = ticket;
  const api = mockApi({
    "GET /queues": { body: { items: QUEUES, next_cursor: null } },
    "GET /tickets/42": () => ({ body: current }),
    "GET /tickets/42/comments": () => ({ body: { items: comments, next_cursor: null } }),
    "POST /tickets/42/comments": (call) => {
      const c = makeComment({
        id: 900,
        author: { id: 9, email: "priya@example.com", display_name: "Priya Patel" },
        body: (call.body as { body: string }).body,
        body_html: `<p>${(call.body as { body: string }).body}</p>`,
        created_at: "2026-11-22T10:00:00Z",
      });
      comments = [...comments, c];
      if (current.status === "solved" || current.status === "pending") current = { ...current, status: "open", version: current.version + 1 };
      return { status: 201, body: c };
    },
    "PATCH /tickets/42": (call) => {
      if (call.headers["If-Match"] !== String(current.version)) return apiError(412, "precondition_failed", "stale");
      current = { ...current, ...(call.body as object), version: current.version + 1 };
      return { body: current };
    },
  });
  return api;
}

describe("PortalTicket", () => {
  it("shows the subject, status, component and the public conversation", async () => {
    conversationApi(makeTicket(), [
      makeComment({ id: 1, body_html: "<p>Looking into it.</p>" }),
      makeComment({ id: 2, internal: true, body_html: "<p>secret note</p>" }),
      makeComment({ id: 3, author: { id: 9, email: "priya@example.com", display_name: "Priya Patel" }, body_html: "<p>Thanks!</p>" }),
    ]);
    renderPage(<PortalTicket />, route);
    expect(await screen.findByTestId("ticket-subject")).toHaveTextContent("CSV upload fails");
    expect(screen.getByTestId("ticket-status")).toHaveTextContent("Open");
    expect(screen.getByText("ingestion")).toBeInTheDocument();

    await waitFor(() => expect(screen.getAllByTestId("comment")).toHaveLength(3));
    const entries = screen.getAllByTestId("comment");
    expect(entries[0]).toHaveTextContent("unexpected delimiter");
    expect(entries[0]).toHaveTextContent("Priya Patel");
    expect(entries[1]).toHaveTextContent("Dan Agent");
    expect(entries[1]).toHaveTextContent("Looking into it.");
    expect(entries[2]).toHaveTextContent("Thanks!");
    expect(screen.queryByText("secret note")).toBeNull();
  });

  it("posts a reply and shows it", async () => {
    const api = conversationApi(makeTicket(), [makeComment({ id: 1 })]);
    renderPage(<PortalTicket />, route);
    await waitFor(() => expect(screen.getAllByTestId("comment")).toHaveLength(2));
    const user = userEvent.setup();
    await user.type(screen.getByLabelText("Your reply"), "It happened again today");
    await user.click(screen.getByRole("button", { name: "Send reply" }));

    await waitFor(() => expect(screen.getAllByTestId("comment")).toHaveLength(3));
    expect(screen.getAllByTestId("comment")[2]).toHaveTextContent("It happened again today");
    expect(api.find("POST", "/tickets/42/comments")[0].body).toEqual({ body: "It happened again today" });
    expect(screen.getByLabelText("Your reply")).toHaveValue("");
  });

  it("marks the ticket solved with If-Match", async () => {
    const api = conversationApi(makeTicket({ version: 3 }), []);
    renderPage(<PortalTicket />, route);
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Mark as solved" }));
    await waitFor(() => expect(screen.getByTestId("ticket-status")).toHaveTextContent("Solved"));
    const call = api.find("PATCH", "/tickets/42")[0];
    expect(call.body).toEqual({ status: "solved" });
    expect(call.headers["If-Match"]).toBe("3");
    expect(screen.queryByRole("button", { name: "Mark as solved" })).toBeNull();
    // Replying to a solved ticket reopens it; the page says so.
    expect(screen.getByText(/reopen/)).toBeInTheDocument();
  });

  it("hides the reply box on a closed ticket", async () => {
    conversationApi(makeTicket({ status: "closed" }), []);
    renderPage(<PortalTicket />, route);
    expect(await screen.findByText(/This ticket is closed/)).toBeInTheDocument();
    expect(screen.queryByLabelText("Your reply")).toBeNull();
    expect(screen.queryByRole("button", { name: "Mark as solved" })).toBeNull();
  });

  it("shows Ticket not found on 404", async () => {
    mockApi({ "GET /tickets/42": apiError(404, "not_found", "ticket 42 not found") });
    renderPage(<PortalTicket />, route);
    expect(await screen.findByText("Ticket not found")).toBeInTheDocument();
  });
});
