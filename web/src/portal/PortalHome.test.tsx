import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import PortalHome from "./PortalHome";
import { makeTicket } from "./fixtures";
import { mockApi, renderPage } from "./testing";

afterEach(() => vi.unstubAllGlobals());

describe("PortalHome", () => {
  it("lists my open tickets, then filters by status tab", async () => {
    const api = mockApi({
      "GET /tickets": (call) => {
        const status = call.query.get("status");
        if (status === "solved,closed") return { body: { items: [makeTicket({ id: 7, subject: "Old one", status: "solved" })], next_cursor: null } };
        return {
          body: {
            items: [
              makeTicket({ id: 42, subject: "CSV upload fails" }),
              makeTicket({ id: 43, subject: "Billing question", status: "pending", queue: { id: 5, name: "billing" } }),
            ],
            next_cursor: null,
          },
        };
      },
    });
    renderPage(<PortalHome />, { path: "/portal", url: "/portal" });

    const rows = await screen.findAllByTestId("portal-ticket");
    expect(rows.map((r) => r.getAttribute("data-ticket-id"))).toEqual(["42", "43"]);
    expect(within(rows[1]).getByRole("link", { name: "Billing question" })).toHaveAttribute("href", "/portal/tickets/43");
    expect(within(rows[1]).getByText("Pending")).toBeInTheDocument();
    expect(within(rows[1]).getByText("billing")).toBeInTheDocument();

    const first = api.find("GET", "/tickets")[0].query;
    expect(first.get("requester")).toBe("me");
    expect(first.get("status")).toBe("new,open,pending,on_hold");
    expect(first.get("sort")).toBe("-updated_at");

    const user = userEvent.setup();
    await user.click(screen.getByRole("tab", { name: "Solved" }));
    await waitFor(() => expect(screen.getAllByTestId("portal-ticket").map((r) => r.dataset.ticketId)).toEqual(["7"]));
    expect(api.find("GET", "/tickets").at(-1)!.query.get("status")).toBe("solved,closed");
    expect(api.find("GET", "/tickets").at(-1)!.query.get("requester")).toBe("me");

    await user.click(screen.getByRole("tab", { name: "All" }));
    await waitFor(() => expect(api.find("GET", "/tickets").at(-1)!.query.has("status")).toBe(false));
    expect(api.find("GET", "/tickets").at(-1)!.query.get("requester")).toBe("me");
  });

  it("loads more with the cursor", async () => {
    const api = mockApi({
      "GET /tickets": (call) =>
        call.query.get("cursor") === "c2"
          ? { body: { items: [makeTicket({ id: 2, subject: "Second page" })], next_cursor: null } }
          : { body: { items: [makeTicket({ id: 1, subject: "First page" })], next_cursor: "c2" } },
    });
    renderPage(<PortalHome />, { path: "/portal", url: "/portal" });
    expect(await screen.findByText("First page")).toBeInTheDocument();
    await userEvent.setup().click(screen.getByRole("button", { name: "Load more" }));
    expect(await screen.findByText("Second page")).toBeInTheDocument();
    expect(screen.getAllByTestId("portal-ticket")).toHaveLength(2);
    expect(screen.queryByRole("button", { name: "Load more" })).toBeNull();
    expect(api.find("GET", "/tickets")[1].query.get("status")).toBe("new,open,pending,on_hold");
  });

  it("shows an empty state with a call to action", async () => {
    mockApi({ "GET /tickets": { body: { items: [], next_cursor: null } } });
    renderPage(<PortalHome />, { path: "/portal", url: "/portal" });
    expect(await screen.findByText("You have no open tickets")).toBeInTheDocument();
    const ctas = screen.getAllByRole("link", { name: "File a ticket" });
    expect(ctas.length).toBeGreaterThan(0);
    ctas.forEach((a) => expect(a).toHaveAttribute("href", "/portal/new"));
  });
});
