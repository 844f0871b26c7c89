import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { ArticleLink } from "../api/search";
import type { Ticket } from "../api/types";
import { makeArticle } from "../kb/testing";
import { articleHit } from "../search/testing";
import { articleLink } from "./KbPanel";
import { me, mockApi, renderAgent, ticket, withBasics, type Call } from "./test-utils";

const PUBLIC = articleHit({ id: 1, title: "Fix CSV [upload] errors", audience: "public", snippet: "Save as UTF-8 <mark>CSV</mark>" });
const SOP = articleHit({ id: 2, title: "SOP: reprocess a failed upload", audience: "internal", snippet: "Find the <mark>batch</mark> id" });

let current: Ticket;
let links: ArticleLink[];

function kbApi(): Call[] {
  return mockApi(
    withBasics((call) => {
      const path = call.url.pathname.replace(/^\/api\/v1/, "");
      if (call.method === "GET" && path === "/tickets/7") return { body: current };
      if (path === "/tickets/7/comments" && call.method === "GET") return { body: { items: [], next_cursor: null } };
      if (path === "/tickets/7/comments" && call.method === "POST") {
        const input = call.body as { body: string; internal: boolean };
        return { status: 201, body: { id: 50, ticket_id: 7, author: me, body: input.body, body_html: "", internal: input.internal, created_at: current.created_at, moved_from_ticket_id: null } };
      }
      if (path === "/tickets/7/events") return { body: { items: [], next_cursor: null } };
      if (path === "/tickets/7/suggested-articles") return { body: { items: [PUBLIC, SOP], next_cursor: null } };
      if (path === "/articles/1") return { body: makeArticle({ id: 1, audience: "public", body: "1. Save as UTF-8\n2. Upload again" }) };
      if (path === "/tickets/7/articles" && call.method === "GET") return { body: { items: links, next_cursor: null } };
      if (path === "/tickets/7/articles" && call.method === "POST") {
        const input = call.body as { article_id: number; kind: ArticleLink["kind"] };
        const title = input.article_id === 1 ? PUBLIC.title : SOP.title;
        const link = { ticket_id: 7, article_id: input.article_id, article_title: title, article_version: 3, kind: input.kind, linked_by: me.id, linked_at: current.created_at };
        links = [...links, link];
        return { status: 201, body: link };
      }
      if (path.startsWith("/tickets/7/articles/") && call.method === "DELETE") {
        const id = Number(path.split("/").pop());
        links = links.filter((l) => l.article_id !== id);
        return { status: 204 };
      }
      if (path === "/tickets/7/draft-article" && call.method === "POST") return { status: 201, body: makeArticle({ id: 12, title: "Printer on fire" }) };
      return undefined;
    }),
  );
}

async function openTicket() {
  const user = userEvent.setup();
  renderAgent("/agent/tickets/7");
  const panel = await screen.findByTestId("suggested-articles");
  await waitFor(() => expect(within(panel).getAllByTestId("suggested-article")).toHaveLength(2));
  const [pub, sop] = within(panel).getAllByTestId("suggested-article");
  return { user, pub: pub!, sop: sop! };
}

const posts = (calls: Call[], path: string) => calls.filter((c) => c.method === "POST" && c.url.pathname === `/api/v1${path}`);

beforeEach(() => {
  sessionStorage.clear();
  current = ticket(7, { subject: "Printer on fire", status: "open" });
  links = [];
});
afterEach(() => vi.unstubAllGlobals());

describe("Suggested articles on the ticket page", () => {
  it("lists them with audience and snippet; Insert link appends to what was typed", async () => {
    kbApi();
    const { user, pub, sop } = await openTicket();
    expect(within(pub).getByRole("link", { name: "Fix CSV [upload] errors" })).toHaveAttribute("href", "/kb/1");
    expect(pub).toHaveTextContent("Public");
    expect(within(pub).getByText("CSV", { selector: "mark" })).toBeInTheDocument();
    expect(sop).toHaveTextContent("Internal SOP");

    const composer = screen.getByLabelText("Message");
    await user.type(composer, "Hello Carol,");
    await user.click(within(pub).getByRole("button", { name: "Insert link" }));
    expect(composer).toHaveValue("Hello Carol,\n\n[Fix CSV \\[upload\\] errors](/kb/1)");
    expect(articleLink("a]b", 3)).toBe("[a\\]b](/kb/3)");
  });

  it("inserts an article's body after the draft", async () => {
    const calls = kbApi();
    const { user, pub } = await openTicket();
    const composer = screen.getByLabelText("Message");
    await user.type(composer, "Try this:");
    await user.click(within(pub).getByRole("button", { name: "Insert article" }));
    await waitFor(() => expect(composer).toHaveValue("Try this:\n\n1. Save as UTF-8\n2. Upload again"));
    expect(calls.some((c) => c.method === "GET" && c.url.pathname === "/api/v1/articles/1")).toBe(true);
  });

  it("keeps internal SOPs out of replies: they go into internal notes", async () => {
    kbApi();
    const { user, sop } = await openTicket();
    const insert = within(sop).getByRole("button", { name: "Insert link" });
    expect(insert).toBeDisabled();
    expect(insert.getAttribute("title")).toMatch(/requesters cannot open it/);
    expect(within(sop).getByRole("button", { name: "Insert article" })).toBeDisabled();

    await user.click(screen.getByRole("button", { name: "Internal note" }));
    expect(insert).toBeEnabled();
    await user.click(insert);
    expect(screen.getByLabelText("Message")).toHaveValue("[SOP: reprocess a failed upload](/kb/2)");
  });

  it("records a public article sent in a reply, and only then", async () => {
    const calls = kbApi();
    const { user, pub } = await openTicket();
    await user.click(within(pub).getByRole("button", { name: "Insert link" }));
    expect(posts(calls, "/tickets/7/articles")).toHaveLength(0);
    await user.click(screen.getByRole("button", { name: "Send reply" }));
    await waitFor(() => expect(posts(calls, "/tickets/7/articles")).toHaveLength(1));
    expect(posts(calls, "/tickets/7/articles")[0]!.body).toEqual({ article_id: 1, kind: "sent_to_requester" });
    const linked = await screen.findByTestId("linked-article");
    expect(linked).toHaveTextContent("Sent to requester");

    // A link removed from the draft before sending is not recorded.
    await user.click(within(pub).getByRole("button", { name: "Insert link" }));
    const composer = screen.getByLabelText("Message");
    await user.clear(composer);
    await user.type(composer, "Never mind");
    await user.click(screen.getByRole("button", { name: "Send reply" }));
    await waitFor(() => expect(posts(calls, "/tickets/7/comments")).toHaveLength(2));
    expect(posts(calls, "/tickets/7/articles")).toHaveLength(1);
  });

  it("records Resolved with this, lists the link with its version and removes it", async () => {
    const calls = kbApi();
    const { user, sop } = await openTicket();
    expect(within(screen.getByTestId("linked-articles")).getByText("No articles linked yet")).toBeInTheDocument();
    await user.click(within(sop).getByRole("button", { name: "Resolved with this" }));
    expect(posts(calls, "/tickets/7/articles")[0]!.body).toEqual({ article_id: 2, kind: "resolved_with" });
    const linked = await screen.findByTestId("linked-article");
    expect(linked).toHaveTextContent("SOP: reprocess a failed upload");
    expect(linked).toHaveTextContent("v3");
    expect(linked).toHaveTextContent("Resolved with");
    expect(within(sop).getByRole("button", { name: "✓ Resolved with this" })).toBeDisabled();

    await user.click(within(linked).getByRole("button", { name: "Remove SOP: reprocess a failed upload" }));
    await waitFor(() => expect(screen.queryByTestId("linked-article")).toBeNull());
    expect(calls.some((c) => c.method === "DELETE" && c.url.pathname === "/api/v1/tickets/7/articles/2")).toBe(true);
  });

  it("drafts an article from a solved ticket and opens its editor", async () => {
    current = { ...current, status: "solved" };
    const calls = kbApi();
    const { user } = await openTicket();
    await user.click(screen.getByRole("button", { name: "Draft an article from this ticket" }));
    await waitFor(() => expect(screen.getByTestId("location")).toHaveTextContent("/kb/12/edit"));
    expect(posts(calls, "/tickets/7/draft-article")).toHaveLength(1);
  });

  it("offers no draft for a ticket still open", async () => {
    kbApi();
    await openTicket();
    expect(screen.queryByRole("button", { name: "Draft an article from this ticket" })).toBeNull();
  });
});
