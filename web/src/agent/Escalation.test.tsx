import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { ReactNode } from "react";
import { MemoryRouter } from "react-router";
import type { Escalation, EscalationState, TicketEvent } from "../api/types";
import { allowedActions, ComponentPanel, EscalateDialog, EscalationPanel, pagesOf } from "./Escalation";
import { bob, me, mockApi, renderAgent, ticket, withBasics, type Handler } from "./test-utils";

afterEach(() => vi.unstubAllGlobals());

const ago = (min: number) => new Date(Date.now() - min * 60_000).toISOString();

function escalation(over: Partial<Escalation> = {}): Escalation {
  return {
    id: 5,
    ticket_id: 7,
    policy_id: 3,
    tier: "engineering",
    severity: "sev2",
    reason: "Ingestion is down for everyone",
    state: "triggered",
    open: true,
    level: 0,
    step: 0,
    created_by: me.id,
    created_at: ago(10),
    updated_at: ago(10),
    acknowledged_by: null,
    acknowledged_at: null,
    resolved_by: null,
    resolved_at: null,
    cancelled_by: null,
    cancelled_at: null,
    ...over,
  };
}

const err = (status: number, code: string, message: string, fields?: Record<string, string>) => ({
  status,
  body: { error: { code, message, ...(fields ? { fields } : {}) } },
});

function wrap(ui: ReactNode) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } });
  return render(
    <QueryClientProvider client={client}>
      <MemoryRouter>{ui}</MemoryRouter>
    </QueryClientProvider>,
  );
}

const pathOf = (url: URL) => url.pathname.replace(/^\/api\/v1/, "");

describe("EscalateDialog", () => {
  it("posts reason, severity and tier", async () => {
    const onClose = vi.fn();
    const calls = mockApi(
      withBasics((c) => (c.method === "POST" && pathOf(c.url) === "/tickets/7/escalations" ? { status: 201, body: escalation() } : undefined)),
    );
    const user = userEvent.setup();
    wrap(<EscalateDialog ticketId={7} onClose={onClose} />);
    const dialog = screen.getByRole("dialog", { name: "Escalate ticket" });
    await user.type(within(dialog).getByLabelText("Reason"), "  Ingestion is down  ");
    await user.selectOptions(within(dialog).getByLabelText("Severity"), "sev1");
    await user.selectOptions(within(dialog).getByLabelText("Tier"), "l2");
    await user.click(within(dialog).getByRole("button", { name: "Escalate" }));
    await waitFor(() => expect(onClose).toHaveBeenCalled());
    const post = calls.filter((c) => c.method === "POST");
    expect(post).toHaveLength(1);
    expect(post[0]!.body).toEqual({ reason: "Ingestion is down", severity: "sev1", tier: "l2" });
  });

  it("defaults to the engineering tier and requires a reason", async () => {
    const calls = mockApi(withBasics((c) => (c.method === "POST" ? { status: 201, body: escalation() } : undefined)));
    const user = userEvent.setup();
    wrap(<EscalateDialog ticketId={7} onClose={() => undefined} />);
    expect(screen.getByLabelText("Tier")).toHaveValue("engineering");
    await user.click(screen.getByRole("button", { name: "Escalate" }));
    expect(await screen.findByText(/Say why/)).toBeInTheDocument();
    expect(calls.filter((c) => c.method === "POST")).toHaveLength(0);
    await user.type(screen.getByLabelText("Reason"), "help");
    await user.click(screen.getByRole("button", { name: "Escalate" }));
    await waitFor(() => expect(calls.filter((c) => c.method === "POST")).toHaveLength(1));
    expect(calls.find((c) => c.method === "POST")!.body).toMatchObject({ tier: "engineering", severity: "sev3" });
  });

  it("shows a 409's message", async () => {
    const onClose = vi.fn();
    mockApi(withBasics((c) => (c.method === "POST" ? err(409, "conflict", "ticket 7 already has an open escalation") : undefined)));
    const user = userEvent.setup();
    wrap(<EscalateDialog ticketId={7} onClose={onClose} />);
    await user.type(screen.getByLabelText("Reason"), "again");
    await user.click(screen.getByRole("button", { name: "Escalate" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("ticket 7 already has an open escalation");
    expect(onClose).not.toHaveBeenCalled();
    expect(screen.getByRole("dialog", { name: "Escalate ticket" })).toBeInTheDocument();
  });

  it("shows 422 field errors under their fields", async () => {
    mockApi(
      withBasics((c) => (c.method === "POST" ? err(422, "invalid_argument", "invalid fields", { reason: "at most 2000 characters" }) : undefined)),
    );
    const user = userEvent.setup();
    wrap(<EscalateDialog ticketId={7} onClose={() => undefined} />);
    await user.type(screen.getByLabelText("Reason"), "x");
    await user.click(screen.getByRole("button", { name: "Escalate" }));
    const message = await screen.findByText("at most 2000 characters");
    expect(message).toHaveAttribute("data-field", "reason");
    // Under the reason's control, inside its field.
    expect(message.parentElement).toContainElement(screen.getByLabelText("Reason"));
    expect(screen.getByLabelText("Reason")).toHaveAttribute("aria-invalid", "true");
  });
});

describe("EscalationPanel", () => {
  const paged: TicketEvent = {
    id: 9,
    ticket_id: 7,
    actor_id: 0,
    at: ago(9),
    kind: "escalation_paged",
    field: "escalation",
    before: null,
    after: JSON.stringify({ escalation_id: 5, user_id: bob.id, level: 0, step: 0, channel: "email" }),
    internal: true,
  };

  function panel(state: EscalationState, extra?: Handler, over: Partial<Escalation> = {}) {
    const open = !["resolved", "cancelled"].includes(state);
    const calls = mockApi(
      withBasics((c) => {
        const fromExtra = extra?.(c);
        if (fromExtra) return fromExtra;
        if (c.method === "GET" && pathOf(c.url) === "/tickets/7/escalations") {
          return { body: { items: [escalation({ state, open, ...over })], next_cursor: null } };
        }
        return undefined;
      }),
    );
    wrap(<EscalationPanel ticketId={7} events={[paged]} />);
    return calls;
  }

  const buttons = async () => {
    const p = await screen.findByTestId("escalation-panel");
    await within(p).findByTestId("escalation-state");
    return within(p)
      .queryAllByRole("button")
      .map((b) => b.textContent);
  };

  it("offers what the state allows", () => {
    expect(allowedActions("triggered")).toEqual(["ack", "resolve", "cancel"]);
    expect(allowedActions("unacknowledged")).toEqual(["ack", "resolve", "cancel"]);
    expect(allowedActions("acknowledged")).toEqual(["resolve", "cancel"]);
    expect(allowedActions("resolved")).toEqual([]);
    expect(allowedActions("cancelled")).toEqual([]);
  });

  it("shows a triggered escalation with who was paged, and acknowledges it", async () => {
    const calls = panel("triggered", (c) => (c.method === "POST" ? { body: escalation({ state: "acknowledged" }) } : undefined));
    expect(await buttons()).toEqual(["Acknowledge", "Resolve", "De-escalate"]);
    const p = screen.getByTestId("escalation-panel");
    expect(p).toHaveAttribute("data-state", "triggered");
    expect(within(p).getByText("SEV2")).toBeInTheDocument();
    expect(within(p).getByText("Level 1")).toBeInTheDocument();
    expect(within(p).getByText("Triggered")).toBeInTheDocument();
    expect(await within(p).findByText(/Bob Builder/)).toBeInTheDocument();
    await userEvent.setup().click(within(p).getByRole("button", { name: "Acknowledge" }));
    await waitFor(() => expect(calls.some((c) => c.method === "POST" && pathOf(c.url) === "/escalations/5/ack")).toBe(true));
  });

  it("offers resolve and de-escalate once acknowledged", async () => {
    const calls = panel("acknowledged", (c) => (c.method === "POST" ? { body: escalation({ state: "cancelled", open: false }) } : undefined), {
      acknowledged_by: bob.id,
      acknowledged_at: ago(2),
    });
    expect(await buttons()).toEqual(["Resolve", "De-escalate"]);
    expect(await screen.findByText(/Acknowledged by Bob Builder/)).toBeInTheDocument();
    await userEvent.setup().click(screen.getByRole("button", { name: "De-escalate" }));
    await waitFor(() => expect(calls.some((c) => c.method === "POST" && pathOf(c.url) === "/escalations/5/cancel")).toBe(true));
  });

  it("offers acknowledge again when nobody acknowledged", async () => {
    panel("unacknowledged");
    expect(await buttons()).toEqual(["Acknowledge", "Resolve", "De-escalate"]);
  });

  it("has nothing to do without an open escalation", async () => {
    panel("resolved");
    const p = await screen.findByTestId("escalation-panel");
    expect(await within(p).findByText("No open escalation")).toBeInTheDocument();
    expect(within(p).queryAllByRole("button")).toHaveLength(0);
  });

  it("reads who was paged from the ticket's events", () => {
    expect(pagesOf([paged, { ...paged, id: 10, after: JSON.stringify({ escalation_id: 6, user_id: 1, level: 0 }) }], 5)).toEqual([
      { user_id: bob.id, level: 0, at: paged.at },
    ]);
  });
});

describe("ComponentPanel", () => {
  const policy = (id: number, name: string, queue_ids: number[]) => ({ id, team_id: 1, name, description: "", levels: [], repeat: 0, notify_lead_when_exhausted: true, queue_ids, created_at: ago(100), updated_at: ago(100) });

  const sop = (id: number, title: string) => ({ id, title, category: "runbook", audience: "internal", updated_at: ago(60) });

  function component(queueId: number | null, policies: unknown[], sops: unknown[] = []) {
    const calls = mockApi(
      withBasics((c) => {
        const path = pathOf(c.url);
        if (path === `/components/${queueId}`) {
          return { body: { id: queueId, name: "billing", description: "", team: null, escalation_policy: null, on_call: [], open_tickets: 0, open_escalations: 0, sops } };
        }
        if (path === "/teams") return { body: { items: [{ id: 1, name: "Platform", description: "", member_ids: [1, 2], created_at: ago(100) }], next_cursor: null } };
        if (path === "/escalation-policies") return { body: { items: policies, next_cursor: null } };
        if (path === "/teams/1/on-call") {
          return {
            body: { team_id: 1, at: ago(0), schedules: [{ schedule_id: 4, schedule_name: "Primary", user_id: bob.id, until: null }] },
          };
        }
        return undefined;
      }),
    );
    wrap(<ComponentPanel queueId={queueId} />);
    return calls;
  }

  it("shows the queue's team, policy and who is on call", async () => {
    const calls = component(2, [policy(1, "Other", [1]), policy(2, "Billing escalation", [2, 3])]);
    const p = await screen.findByTestId("component-panel");
    expect(await within(p).findByText("Platform")).toBeInTheDocument();
    expect(await within(p).findByText("Billing escalation")).toBeInTheDocument();
    await waitFor(() => expect(within(p).getByTestId("component-oncall")).toHaveTextContent("Bob Builder (Primary)"));
    expect(calls.some((c) => pathOf(c.url) === "/teams/1/on-call")).toBe(true);
  });

  it('says "No escalation policy" when no policy covers the queue', async () => {
    component(2, [policy(1, "Other", [1])]);
    expect(await screen.findByText("No escalation policy")).toBeInTheDocument();
    await waitFor(() => expect(screen.getByTestId("component-sops")).toHaveTextContent("None published"));
  });

  it("links the component's three newest SOPs and the rest on the component page", async () => {
    component(2, [], [sop(11, "Refund a charge"), sop(12, "Replay invoices"), sop(13, "Rotate the API key"), sop(14, "Old one")]);
    const sops = await screen.findByTestId("component-sops");
    await waitFor(() => expect(within(sops).getAllByRole("link")).toHaveLength(4));
    expect(within(sops).getByRole("link", { name: "Refund a charge" })).toHaveAttribute("href", "/kb/11");
    expect(within(sops).getByRole("link", { name: "Rotate the API key" })).toHaveAttribute("href", "/kb/13");
    expect(within(sops).queryByRole("link", { name: "Old one" })).toBeNull();
    expect(within(sops).getByRole("link", { name: "All SOPs" })).toHaveAttribute("href", "/components/2");
  });
});

describe("on the ticket page", () => {
  it("opens the dialog with the button and with e, and lists e in the help", async () => {
    mockApi(
      withBasics((c) => {
        const path = pathOf(c.url);
        if (path === "/tickets/7") return { body: ticket(7) };
        if (path === "/tickets/7/comments" || path === "/tickets/7/events" || path === "/tickets/7/escalations") return { body: { items: [], next_cursor: null } };
        return undefined;
      }),
    );
    const user = userEvent.setup();
    renderAgent("/agent/tickets/7");
    await screen.findByTestId("ticket-subject");
    expect(await screen.findByTestId("escalation-panel")).toBeInTheDocument();
    expect(screen.getByTestId("component-panel")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Escalate" }));
    expect(screen.getByRole("dialog", { name: "Escalate ticket" })).toBeInTheDocument();
    await user.keyboard("{Escape}");
    expect(screen.queryByRole("dialog", { name: "Escalate ticket" })).toBeNull();
    await user.keyboard("e");
    expect(screen.getByRole("dialog", { name: "Escalate ticket" })).toBeInTheDocument();
    await user.keyboard("{Escape}");
    await user.keyboard("?");
    expect(within(screen.getByRole("dialog", { name: "Keyboard shortcuts" })).getByText("Escalate the ticket")).toBeInTheDocument();
  });
});
