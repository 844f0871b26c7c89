import { act, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Ticket } from "../api/types";
import { bob, me, mockApi, renderAgent, ticket, withBasics, type Call } from "./test-utils";

const VIEWS = [
  { id: "mine", name: "My open tickets", count: 3, query: { assignee: "me", status: "new,open,pending,on_hold" } },
  { id: "unassigned", name: "Unassigned", count: 1234, query: { assignee: "none", status: "new,open,pending,on_hold" } },
  { id: "all_open", name: "All open", count: 2000, query: { status: "new,open,pending,on_hold" } },
  { id: "pending", name: "Pending", count: 5, query: { status: "pending" } },
  {
    id: "breaching_soon",
    name: "Breaching soon",
    count: 2,
    query: { status: "new,open,pending,on_hold", sla: "at_risk", sort: "sla_due_at" },
  },
  { id: "queue:ingestion", name: "ingestion", count: 7, query: { queue: "ingestion", status: "new,open,pending,on_hold" } },
];

const ticketsCalls = (calls: Call[]) => calls.filter((c) => c.method === "GET" && c.url.pathname === "/api/v1/tickets");

function listApi(pages: Record<string, { items: Ticket[]; next_cursor: string | null }>, extra?: (c: Call) => { status?: number; body?: unknown } | undefined) {
  return mockApi(
    withBasics((call) => {
      const fromExtra = extra?.(call);
      if (fromExtra) return fromExtra;
      if (call.url.pathname === "/api/v1/views") return { body: { items: VIEWS, next_cursor: null } };
      if (call.method === "GET" && call.url.pathname === "/api/v1/tickets") {
        return { body: pages[call.url.searchParams.get("cursor") ?? ""] ?? { items: [], next_cursor: null } };
      }
      return undefined;
    }),
  );
}

beforeEach(() => sessionStorage.clear());
afterEach(() => vi.unstubAllGlobals());

describe("Workspace", () => {
  it("shows views with counts and the rows of the selected view, filters layered on its query", async () => {
    const calls = listApi({
      "": { items: [ticket(11, { subject: "Disk full" }), ticket(12, { assignee: { id: 2, email: bob.email, display_name: bob.display_name } })], next_cursor: null },
    });
    renderAgent("/agent/views/unassigned?status=new,open&priority=high&tag=vip");

    const rows = await screen.findAllByTestId("ticket-row");
    expect(rows).toHaveLength(2);
    expect(rows[0]).toHaveAttribute("data-ticket-id", "11");
    expect(within(rows[0]).getByRole("link", { name: "Disk full" })).toHaveAttribute("href", "/agent/tickets/11");
    expect(within(rows[1]).getByText("Bob Builder")).toBeInTheDocument();
    expect(within(rows[0]).getByText("ingestion")).toBeInTheDocument();
    expect(within(rows[0]).getByText("3 min ago")).toBeInTheDocument();

    expect(screen.getByTestId("view-count-unassigned")).toHaveTextContent("1,234");
    expect(screen.getByTestId("view-queue:ingestion")).toHaveAttribute("href", "/agent/views/queue:ingestion");

    const q = ticketsCalls(calls).at(-1)!.url.searchParams;
    expect(q.get("assignee")).toBe("none"); // from the view
    expect(q.get("status")).toBe("new,open"); // the filter replaces the view's statuses
    expect(q.get("priority")).toBe("high");
    expect(q.get("tag")).toBe("vip");
    expect(q.get("sort")).toBe("-updated_at");
    expect(q.get("limit")).toBe("50");
    expect(q.has("cursor")).toBe(false);
  });

  it("changes filters and sort through the URL", async () => {
    const calls = listApi({ "": { items: [ticket(1)], next_cursor: null } });
    const user = userEvent.setup();
    renderAgent("/agent/views/mine");
    await screen.findAllByTestId("ticket-row");

    await user.selectOptions(screen.getByLabelText("Priority filter"), "urgent");
    await user.click(screen.getByRole("button", { name: "Pending" }));
    await user.selectOptions(screen.getByLabelText("Sort"), "id");
    await waitFor(() => expect(screen.getByTestId("location")).toHaveTextContent("sort=id"));
    expect(screen.getByTestId("location")).toHaveTextContent("/agent/views/mine?priority=urgent&status=pending&sort=id");
    await waitFor(() => {
      const q = ticketsCalls(calls).at(-1)!.url.searchParams;
      expect([q.get("assignee"), q.get("status"), q.get("priority"), q.get("sort")]).toEqual(["me", "pending", "urgent", "id"]);
    });
  });

  it("falls back to the standard views when GET /views fails", async () => {
    const calls = mockApi(
      withBasics((call) => (call.url.pathname === "/api/v1/tickets" ? { body: { items: [ticket(5)], next_cursor: null } } : undefined)),
    );
    renderAgent("/agent/views/queue:billing");
    await screen.findAllByTestId("ticket-row");
    expect(screen.getByTestId("view-mine")).toBeInTheDocument();
    expect(screen.getByTestId("view-unassigned")).toBeInTheDocument();
    expect(await screen.findByTestId("view-queue:billing")).toBeInTheDocument();
    expect(screen.getByTestId("view-count-mine")).toHaveTextContent("–");
    const q = ticketsCalls(calls).at(-1)!.url.searchParams;
    expect(q.get("queue")).toBe("billing");
  });

  it("shows each row's SLA due time as a badge coloured by state", async () => {
    const fromNow = (min: number) => new Date(Date.now() + min * 60_000).toISOString();
    listApi({
      "": {
        items: [
          ticket(1, { sla_due_at: fromNow(-90), sla_warn_at: fromNow(-120) }),
          ticket(2, { sla_due_at: fromNow(12), sla_warn_at: fromNow(-3) }),
          ticket(3, { sla_due_at: fromNow(240), sla_warn_at: fromNow(180) }),
          ticket(4, { sla_due_at: null, sla_warn_at: null }),
        ],
        next_cursor: null,
      },
    });
    renderAgent("/agent/views/all_open");
    const rows = await screen.findAllByTestId("ticket-row");
    expect(screen.getByRole("columnheader", { name: "Due" })).toBeInTheDocument();
    const badges = rows.map((r) => within(r).getByTestId("sla-due"));
    expect(badges.map((b) => b.getAttribute("data-sla-state"))).toEqual(["breached", "at_risk", "on_track", "none"]);
    expect(badges[0]).toHaveTextContent("Breached: 2 h ago");
    expect(badges[1]).toHaveTextContent(/At risk: in 1[12] min/);
    expect(badges[1]).toHaveClass("sla-due-at_risk");
    expect(badges[1].getAttribute("title")).toMatch(/^At risk: due /);
    expect(badges[2]).toHaveTextContent("On track: in 4 h");
    expect(badges[3]).toHaveTextContent("—");
  });

  it("lists the Breaching soon view with a red count, nearest due first, and sorts any view by due", async () => {
    const calls = listApi({ "": { items: [ticket(1)], next_cursor: null } });
    const user = userEvent.setup();
    renderAgent("/agent/views/breaching_soon");
    await screen.findAllByTestId("ticket-row");
    expect(screen.getByTestId("view-breaching_soon")).toHaveTextContent("Breaching soon");
    await waitFor(() => expect(screen.getByTestId("view-count-breaching_soon")).toHaveTextContent("2"));
    expect(screen.getByTestId("view-count-breaching_soon")).toHaveClass("is-alert");
    expect(screen.getByTestId("view-count-pending")).not.toHaveClass("is-alert");
    let q = ticketsCalls(calls).at(-1)!.url.searchParams;
    expect([q.get("sla"), q.get("sort"), q.get("status")]).toEqual(["at_risk", "sla_due_at", "new,open,pending,on_hold"]);
    expect(screen.getByLabelText("Sort")).toHaveValue("sla_due_at");

    await user.click(screen.getByTestId("view-all_open"));
    await user.selectOptions(screen.getByLabelText("Sort"), "Due soonest");
    await waitFor(() => expect(screen.getByTestId("location")).toHaveTextContent("/agent/views/all_open?sort=sla_due_at"));
    await waitFor(() => {
      q = ticketsCalls(calls).at(-1)!.url.searchParams;
      expect([q.get("sort"), q.has("sla")]).toEqual(["sla_due_at", false]);
    });
  });

  it("shows an empty state", async () => {
    listApi({ "": { items: [], next_cursor: null } });
    renderAgent("/agent/views/pending");
    expect(await screen.findByText("No tickets in this view")).toBeInTheDocument();
  });

  it("pages with cursors forwards and back", async () => {
    const page1 = Array.from({ length: 50 }, (_, i) => ticket(1000 - i));
    const page2 = [ticket(900), ticket(899)];
    const calls = listApi({ "": { items: page1, next_cursor: "c2" }, c2: { items: page2, next_cursor: null } });
    const user = userEvent.setup();
    renderAgent("/agent/views/all_open");
    expect(await screen.findAllByTestId("ticket-row")).toHaveLength(50);
    expect(screen.getByRole("button", { name: "Previous page" })).toBeDisabled();

    await user.click(screen.getByRole("button", { name: "Next page" }));
    await waitFor(() => expect(screen.getAllByTestId("ticket-row")).toHaveLength(2));
    expect(ticketsCalls(calls).at(-1)!.url.searchParams.get("cursor")).toBe("c2");
    expect(screen.getByText(/51–52 of 2,000/)).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Next page" })).toBeDisabled();

    await user.click(screen.getByRole("button", { name: "Previous page" }));
    await waitFor(() => expect(screen.getAllByTestId("ticket-row")).toHaveLength(50));
  });

  it("applies a bulk action to the selected rows and shows the summary", async () => {
    let bulkBody: unknown;
    const calls = listApi({ "": { items: [ticket(11), ticket(12), ticket(13), ticket(34)], next_cursor: null } }, (call) => {
      if (call.method === "POST" && call.url.pathname === "/api/v1/tickets/bulk") {
        bulkBody = call.body;
        return {
          body: {
            items: [
              { id: 11, ok: true, ticket: ticket(11, { status: "solved", version: 2 }) },
              { id: 12, ok: true, ticket: ticket(12, { status: "solved", version: 2 }) },
              { id: 13, ok: true, ticket: ticket(13, { status: "solved", version: 2 }) },
              { id: 34, ok: false, error: { code: "conflict", message: "closed tickets cannot change" } },
            ],
          },
        };
      }
      return undefined;
    });
    const user = userEvent.setup();
    renderAgent("/agent/views/all_open");
    await screen.findAllByTestId("ticket-row");
    expect(screen.queryByTestId("bulk-bar")).not.toBeInTheDocument();

    await user.click(screen.getByLabelText("Select ticket 11"));
    // Shift-click selects the range 11..34.
    await user.keyboard("{Shift>}");
    await user.click(screen.getByLabelText("Select ticket 34"));
    await user.keyboard("{/Shift}");
    const bar = screen.getByTestId("bulk-bar");
    expect(bar).toHaveTextContent("4 selected");

    await user.selectOptions(within(bar).getByLabelText("Bulk status"), "solved");
    await user.selectOptions(within(bar).getByLabelText("Bulk assignee"), String(bob.id));
    await user.type(within(bar).getByLabelText("Bulk tag"), "outage");
    const before = ticketsCalls(calls).length;
    await user.click(within(bar).getByRole("button", { name: "Apply" }));

    expect(await screen.findByTestId("bulk-summary")).toHaveTextContent("3 updated, 1 failed: #34 closed tickets cannot change");
    expect(bulkBody).toEqual({ ids: [11, 12, 13, 34], changes: { status: "solved", assignee_id: bob.id, add_tags: ["outage"] } });
    // The list and the view counts are fetched again.
    await waitFor(() => expect(ticketsCalls(calls).length).toBeGreaterThan(before));
    expect(calls.filter((c) => c.url.pathname === "/api/v1/views").length).toBeGreaterThan(1);
    // The failed ticket stays selected.
    expect(screen.getByTestId("bulk-bar")).toHaveTextContent("1 selected");
    expect(screen.getByLabelText("Select ticket 34")).toBeChecked();
  });

  it("assigns all rows on the page to me", async () => {
    let bulkBody: { ids: number[]; changes: unknown } | undefined;
    listApi({ "": { items: [ticket(1), ticket(2)], next_cursor: null } }, (call) => {
      if (call.method === "POST" && call.url.pathname === "/api/v1/tickets/bulk") {
        bulkBody = call.body as typeof bulkBody;
        return { body: { items: bulkBody!.ids.map((id) => ({ id, ok: true })) } };
      }
      return undefined;
    });
    const user = userEvent.setup();
    renderAgent("/agent/views/unassigned");
    await screen.findAllByTestId("ticket-row");
    await waitFor(() => expect(screen.getByTestId("view-count-mine")).toHaveTextContent("3"));
    await user.click(screen.getByLabelText("Select all on page"));
    await user.click(within(screen.getByTestId("bulk-bar")).getByRole("button", { name: "Assign to me" }));
    expect(await screen.findByTestId("bulk-summary")).toHaveTextContent("2 updated");
    expect(bulkBody).toEqual({ ids: [1, 2], changes: { assignee_id: me.id } });
  });

  it("reports a failed bulk request", async () => {
    listApi({ "": { items: [ticket(1)], next_cursor: null } }, (call) =>
      call.url.pathname === "/api/v1/tickets/bulk"
        ? { status: 422, body: { error: { code: "invalid", message: "bulk change is not valid", fields: { ids: "at most 200" } } } }
        : undefined,
    );
    const user = userEvent.setup();
    renderAgent("/agent/views/mine");
    await user.click(await screen.findByLabelText("Select ticket 1"));
    await user.selectOptions(screen.getByLabelText("Bulk priority"), "high");
    await user.click(screen.getByRole("button", { name: "Apply" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("bulk change is not valid");
  });

  it("has keyboard shortcuts: ? help, j/k highlight, x select, o open", async () => {
    listApi({ "": { items: [ticket(1), ticket(2), ticket(3)], next_cursor: null } }, (call) =>
      call.url.pathname.startsWith("/api/v1/tickets/") ? { body: ticket(2) } : undefined,
    );
    const user = userEvent.setup();
    renderAgent("/agent/views/mine");
    const rows = await screen.findAllByTestId("ticket-row");
    expect(rows[0]).toHaveAttribute("aria-current", "true");

    await user.keyboard("?");
    const dialog = screen.getByRole("dialog", { name: "Keyboard shortcuts" });
    expect(dialog).toHaveTextContent("Next / previous ticket");
    await user.keyboard("j"); // ignored while the help is open
    await user.keyboard("{Escape}");
    expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
    expect(rows[0]).toHaveAttribute("aria-current", "true");

    await user.keyboard("jj");
    expect(screen.getAllByTestId("ticket-row")[2]).toHaveAttribute("aria-current", "true");
    await user.keyboard("j"); // stays on the last row
    await user.keyboard("k");
    expect(screen.getAllByTestId("ticket-row")[1]).toHaveAttribute("aria-current", "true");

    await user.keyboard("x");
    expect(screen.getByLabelText("Select ticket 2")).toBeChecked();
    expect(screen.getByTestId("bulk-bar")).toHaveTextContent("1 selected");

    // Typing in an input does not trigger shortcuts.
    await user.type(screen.getByLabelText("Tag filter"), "jk");
    expect(screen.getAllByTestId("ticket-row")[1]).toHaveAttribute("aria-current", "true");
    act(() => (document.activeElement as HTMLElement).blur());

    await user.keyboard("o");
    await waitFor(() => expect(screen.getByTestId("location")).toHaveTextContent("/agent/tickets/2"));
    const saved = JSON.parse(sessionStorage.getItem("opsdesk.agent.list")!);
    expect(saved).toMatchObject({ url: "/agent/views/mine", ids: [1, 2, 3], current: 2 });
  });
});
