import { act, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Comment, Ticket, TicketEvent } from "../api/types";
import { bob, carol, me, mockApi, renderAgent, ticket, withBasics, type Call, type Handler } from "./test-utils";

// A stand-in for the browser's EventSource so LiveProvider connects and the
// test can push `presence` / `ticket` events.
class FakeEventSource {
  static last: FakeEventSource | null = null;
  listeners = new Map<string, ((e: MessageEvent) => void)[]>();
  onopen: (() => void) | null = null;
  onerror: (() => void) | null = null;
  constructor(public url: string) {
    FakeEventSource.last = this;
  }
  addEventListener(type: string, fn: (e: MessageEvent) => void) {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), fn]);
  }
  close() {}
  emit(type: string, data: unknown) {
    for (const fn of this.listeners.get(type) ?? []) fn(new MessageEvent(type, { data: JSON.stringify(data) }));
  }
}

const ago = (min: number) => new Date(Date.now() - min * 60_000).toISOString();

function comment(id: number, extra: Partial<Comment> = {}): Comment {
  return {
    id,
    ticket_id: 7,
    author: { id: me.id, email: me.email, display_name: me.display_name },
    body: `comment ${id}`,
    body_html: `<p>comment ${id}</p>`,
    internal: false,
    created_at: ago(10),
    moved_from_ticket_id: null,
    ...extra,
  };
}

const EVENTS: TicketEvent[] = [
  { id: 1, ticket_id: 7, actor_id: carol.id, at: ago(60), kind: "created", field: null, before: null, after: null, internal: false },
  { id: 2, ticket_id: 7, actor_id: me.id, at: ago(3), kind: "field_changed", field: "status", before: "new", after: "open", internal: false },
  { id: 3, ticket_id: 7, actor_id: bob.id, at: ago(2), kind: "field_changed", field: "assignee_id", before: null, after: "1", internal: false },
  { id: 4, ticket_id: 7, actor_id: bob.id, at: ago(1), kind: "field_changed", field: "queue_id", before: "1", after: "2", internal: false },
];

let current: Ticket;

function ticketApi(extra?: Handler): Call[] {
  return mockApi(
    withBasics((call) => {
      const fromExtra = extra?.(call);
      if (fromExtra) return fromExtra;
      const path = call.url.pathname.replace(/^\/api\/v1/, "");
      if (call.method === "GET" && path === `/tickets/${current.id}`) return { body: current };
      if (path === `/tickets/${current.id}/comments` && call.method === "GET") {
        return {
          body: {
            items: [
              comment(1, { author: { id: carol.id, email: carol.email, display_name: carol.display_name } }),
              comment(2, { internal: true, body_html: "<p>customer is VIP</p>" }),
              comment(3, { body_html: "<p>We are on it</p>" }),
            ],
            next_cursor: null,
          },
        };
      }
      if (path === `/tickets/${current.id}/events`) return { body: { items: EVENTS, next_cursor: null } };
      if (call.method === "GET" && /^\/tickets\/\d+$/.test(path)) return { body: ticket(Number(path.split("/")[2])) };
      return undefined;
    }),
  );
}

// Records every PATCH and answers it with `answer` (by default: applies it and
// bumps the version, as the server would).
function patchApi(answer: (call: Call, n: number) => ReturnType<Handler> = applyPatch): Call[] {
  const patches: Call[] = [];
  ticketApi((call) => {
    if (call.method !== "PATCH") return undefined;
    patches.push(call);
    return answer(call, patches.length);
  });
  return patches;
}

function applyPatch(call: Call) {
  current = { ...current, ...(call.body as Partial<Ticket>), version: current.version + 1 };
  return { body: current };
}

// Opens ticket 7 and waits for it to show.
async function openTicket() {
  const user = userEvent.setup();
  renderAgent("/agent/tickets/7");
  await screen.findByTestId("ticket-subject");
  return user;
}

beforeEach(() => {
  sessionStorage.clear();
  current = ticket(7, { subject: "Printer on fire", body_html: "<p>Smoke everywhere</p>", status: "new", tags: ["hardware"], links: [{ kind: "related", ticket_id: 9 }] });
});
afterEach(() => vi.unstubAllGlobals());

describe("AgentTicket", () => {
  it("renders the conversation with internal notes marked, history and side panel", async () => {
    ticketApi();
    await openTicket();
    expect(screen.getByTestId("ticket-subject")).toHaveTextContent("Printer on fire");

    const entries = await screen.findAllByTestId("comment");
    expect(entries).toHaveLength(4); // the ticket body, then three comments
    expect(entries[0]).toHaveTextContent("Smoke everywhere");
    expect(entries.map((e) => e.getAttribute("data-internal"))).toEqual(["false", "false", "true", "false"]);
    expect(within(entries[2]).getByText("Internal note")).toBeInTheDocument();
    expect(entries[2]).toHaveClass("is-note");
    expect(within(entries[3]).queryByText("Internal note")).not.toBeInTheDocument();
    expect(entries[3]).not.toHaveClass("is-note");

    const history = screen.getByRole("heading", { name: "History" }).closest("section")!;
    await waitFor(() => expect(history).toHaveTextContent("Bob Builder assigned the ticket to Alice Agent"));
    expect(history).toHaveTextContent("Alice Agent changed status from New to Open · 3 min ago");
    expect(history).toHaveTextContent("Carol Customer created the ticket");
    await waitFor(() => expect(history).toHaveTextContent("Bob Builder moved the ticket from ingestion to billing"));

    expect(screen.getByLabelText("Status")).toHaveValue("new");
    expect(screen.getByLabelText("Priority")).toHaveValue("normal");
    await waitFor(() => expect(screen.getByLabelText("Queue")).toHaveValue("1"));
    expect(screen.getByLabelText("Assignee")).toHaveValue("");
    expect(screen.getByRole("link", { name: "#9" })).toHaveAttribute("href", "/agent/tickets/9");
    expect(screen.getByText("hardware")).toBeInTheDocument();
  });

  it("shows the SLA due state in the header and SLA events as sentences in the history", async () => {
    current = { ...current, sla_due_at: new Date(Date.now() + 12 * 60_000).toISOString(), sla_warn_at: ago(5) };
    const slaEvents: TicketEvent[] = [
      ...EVENTS,
      {
        id: 5,
        ticket_id: 7,
        actor_id: null as unknown as number, // the SLA watcher writes without an actor
        at: ago(5),
        kind: "sla_warning",
        field: "first_response",
        before: null,
        after: JSON.stringify({ target: "first_response", policy: "Standard", due_at: current.sla_due_at, started_at: 1, target_minutes: 60 }),
        internal: true,
      },
    ];
    ticketApi((call) =>
      call.url.pathname === "/api/v1/tickets/7/events" ? { body: { items: slaEvents, next_cursor: null } } : undefined,
    );
    await openTicket();
    const badge = screen.getByTestId("sla-due");
    expect(badge).toHaveAttribute("data-sla-state", "at_risk");
    expect(badge).toHaveTextContent(/^SLA at risk: due in 1[12] min$/);

    const history = screen.getByRole("heading", { name: "History" }).closest("section")!;
    const line = await within(history).findByText(/SLA first response at risk: due/);
    expect(line.closest("li")).toHaveTextContent(/^SLA first response at risk: due \S.* \(policy Standard\) · 5 min ago$/);
    expect(line.closest("li")).toHaveClass("is-internal");
  });

  it("saves a field change with If-Match and reports a stale version", async () => {
    const patches = patchApi((call, n) =>
      n === 1 ? applyPatch(call) : { status: 412, body: { error: { code: "precondition_failed", message: "ticket was changed by someone else" } } },
    );
    const user = await openTicket();

    await user.selectOptions(screen.getByLabelText("Status"), "pending");
    await waitFor(() => expect(patches).toHaveLength(1));
    expect(patches[0].body).toEqual({ status: "pending" });
    expect(patches[0].headers["If-Match"]).toBe("1");
    await waitFor(() => expect(screen.getByLabelText("Status")).toHaveValue("pending"));

    await user.selectOptions(screen.getByLabelText("Priority"), "urgent");
    await waitFor(() => expect(patches).toHaveLength(2));
    expect(patches[1].headers["If-Match"]).toBe("2");
    expect(patches[1].body).toEqual({ priority: "urgent" });
    expect(await screen.findByText(/Someone else changed this ticket/)).toBeInTheDocument();
    expect(screen.getByLabelText("Priority")).toHaveValue("normal");
  });

  it("assigns to me and edits tags", async () => {
    const patches = patchApi();
    const user = await openTicket();
    await waitFor(() => expect(screen.getByRole("button", { name: "Assign to me" })).toBeEnabled());
    await user.click(screen.getByRole("button", { name: "Assign to me" }));
    await waitFor(() => expect(patches[0]?.body).toEqual({ assignee_id: me.id }));

    await user.type(screen.getByLabelText("Tags"), "printer{Enter}");
    await waitFor(() => expect(patches[1]?.body).toEqual({ tags: ["hardware", "printer"] }));
    await user.click(screen.getByRole("button", { name: "Remove tag hardware" }));
    await waitFor(() => expect(patches[2]?.body).toEqual({ tags: ["printer"] }));
  });

  it("edits the subject in place", async () => {
    const patches = patchApi(() => ({
      status: 422,
      body: { error: { code: "invalid", message: "ticket is not valid", fields: { subject: "must not be empty" } } },
    }));
    const user = await openTicket();
    await user.click(await screen.findByText("Printer on fire"));
    const input = screen.getByLabelText("Subject");
    await user.clear(input);
    await user.type(input, "Printer smoking{Enter}");
    await waitFor(() => expect(patches[0]?.body).toEqual({ subject: "Printer smoking" }));
    expect(await screen.findByText("must not be empty")).toBeInTheDocument();
    expect(screen.getByLabelText("Subject")).toHaveValue("Printer smoking"); // the draft is kept
  });

  it("sends a reply and an internal note; shows a 422 field error under the editor", async () => {
    const posts: Call[] = [];
    ticketApi((call) => {
      if (call.method !== "POST" || !call.url.pathname.endsWith("/comments")) return undefined;
      posts.push(call);
      const body = call.body as { body: string };
      if (body.body.includes("bad")) {
        return { status: 422, body: { error: { code: "invalid_argument", message: "comment is not valid", fields: { body: "must be at most 20000 characters" } } } };
      }
      return { status: 201, body: comment(99) };
    });
    const user = await openTicket();

    const editor = screen.getByLabelText("Message");
    await user.type(editor, "Hello there");
    await user.click(screen.getByRole("button", { name: "Send reply" }));
    await waitFor(() => expect(posts).toHaveLength(1));
    expect(posts[0].body).toEqual({ body: "Hello there", internal: false });
    await waitFor(() => expect(screen.getByLabelText("Message")).toHaveValue(""));

    await user.click(screen.getByRole("button", { name: "Internal note" }));
    await user.type(screen.getByLabelText("Message"), "a bad note");
    await user.keyboard("{Control>}{Enter}{/Control}");
    await waitFor(() => expect(posts).toHaveLength(2));
    expect(posts[1].body).toEqual({ body: "a bad note", internal: true });
    const error = await screen.findByText("must be at most 20000 characters");
    expect(error).toHaveAttribute("data-field", "body");
    // Under the editor, and the draft is still there.
    expect(screen.getByLabelText("Message").closest(".md-editor")!.nextElementSibling).toBe(error);
    expect(screen.getByLabelText("Message")).toHaveValue("a bad note");
    expect(screen.getByRole("button", { name: "Add note" })).toBeInTheDocument();
  });

  it("keeps the draft across a reload of the page", async () => {
    ticketApi();
    const user = userEvent.setup();
    const first = renderAgent("/agent/tickets/7");
    await user.type(await screen.findByLabelText("Message"), "half written");
    first.unmount();
    renderAgent("/agent/tickets/7");
    expect(await screen.findByLabelText("Message")).toHaveValue("half written");
  });

  it("has keyboard shortcuts: ?, r, n, a, s, j/k through the last list, g l", async () => {
    sessionStorage.setItem("opsdesk.agent.list", JSON.stringify({ url: "/agent/views/unassigned?priority=high", ids: [5, 7, 8], current: 7 }));
    const patches = patchApi();
    const user = await openTicket();
    await waitFor(() => expect(screen.getByTestId("location")).toBeInTheDocument());

    await user.keyboard("?");
    expect(screen.getByRole("dialog", { name: "Keyboard shortcuts" })).toBeInTheDocument();
    await user.keyboard("{Escape}");
    expect(screen.queryByRole("dialog")).not.toBeInTheDocument();

    await user.keyboard("r");
    await waitFor(() => expect(screen.getByLabelText("Message")).toHaveFocus());
    expect(screen.getByRole("button", { name: "Send reply" })).toBeInTheDocument();
    await user.keyboard("s"); // typed into the composer, not a shortcut
    expect(screen.getByLabelText("Message")).toHaveValue("s");
    expect(patches).toHaveLength(0);
    await user.keyboard("{Escape}");
    expect(screen.getByLabelText("Message")).not.toHaveFocus();

    await user.keyboard("n");
    await waitFor(() => expect(screen.getByLabelText("Message")).toHaveFocus());
    expect(screen.getByRole("button", { name: "Add note" })).toBeInTheDocument();
    await user.keyboard("{Escape}");

    await waitFor(() => expect(screen.getByLabelText("Assignee")).toBeInTheDocument());
    await user.keyboard("a");
    await waitFor(() => expect(patches[0]?.body).toEqual({ assignee_id: me.id }));
    await user.keyboard("s");
    await waitFor(() => expect(patches[1]?.body).toEqual({ status: "solved" }));

    await user.keyboard("j");
    await waitFor(() => expect(screen.getByTestId("location")).toHaveTextContent("/agent/tickets/8"));
    await user.keyboard("k");
    await waitFor(() => expect(screen.getByTestId("location")).toHaveTextContent("/agent/tickets/7"));
    await user.keyboard("gl");
    await waitFor(() => expect(screen.getByTestId("location")).toHaveTextContent("/agent/views/unassigned?priority=high"));
  });

  it("shows who else is viewing or typing", async () => {
    vi.stubGlobal("EventSource", FakeEventSource);
    const calls = ticketApi();
    const user = await openTicket();
    await waitFor(() => expect(FakeEventSource.last).not.toBeNull());
    // The page announces the agent.
    await waitFor(() => expect(calls.some((c) => c.method === "PUT" && c.url.pathname === "/api/v1/tickets/7/presence")).toBe(true));

    act(() =>
      FakeEventSource.last!.emit("presence", {
        ticket_id: 7,
        viewers: [
          { user_id: me.id, display_name: me.display_name, state: "viewing" },
          { user_id: bob.id, display_name: "Bob", state: "viewing" },
        ],
      }),
    );
    await waitFor(() => expect(screen.getByTestId("presence")).toHaveTextContent("Bob is viewing"));
    expect(screen.getByTestId("presence")).not.toHaveTextContent("Alice");

    act(() =>
      FakeEventSource.last!.emit("presence", { ticket_id: 7, viewers: [{ user_id: bob.id, display_name: "Bob", state: "typing" }] }),
    );
    expect(screen.getByTestId("presence")).toHaveTextContent("Bob is typing…");

    // Typing in the composer tells the others.
    await user.type(screen.getByLabelText("Message"), "hi");
    expect(calls.some((c) => c.method === "PUT" && (c.body as { state?: string })?.state === "typing")).toBe(true);

    // Someone else changes the ticket while we write: the draft stays and we are told.
    act(() => FakeEventSource.last!.emit("ticket", { ticket_id: 7, kind: "updated", actor_id: bob.id, version: 2 }));
    expect(await screen.findByText(/just updated by someone else/)).toBeInTheDocument();
    expect(screen.getByLabelText("Message")).toHaveValue("hi");
  });
});
