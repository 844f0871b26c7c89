import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { ArticleVersion } from "../api/kb";
import { makeUser, mockApi, renderPage, type Handler } from "../portal/testing";
import ArticlePage from "./ArticlePage";
import { makeArticle } from "./testing";

afterEach(() => vi.unstubAllGlobals());

const agent = makeUser({ id: 3, display_name: "Alice Agent", role: "agent" });
const lead = makeUser({ id: 2, display_name: "Lena Lead", role: "lead" });
const route = { path: "/kb/:id", url: "/kb/1" };
const version = (n: number, note = ""): ArticleVersion => ({
  article_id: 1,
  version: n,
  title: "Restart the ingestion workers",
  body: "",
  category: "Runbooks",
  audience: "internal",
  tags: [],
  queue_ids: [],
  author_id: 3,
  note,
  created_at: "2026-11-20T10:00:00Z",
});

function articleApi(me = agent, state: "draft" | "in_review" | "published" = "in_review", extra: Record<string, Handler> = {}) {
  let article = makeArticle({ state, body_html: "<h2>Steps</h2><p>Drain the queue</p>" });
  return mockApi(
    {
      ...extra,
      "GET /articles/1": () => ({ body: article }),
      "GET /articles/1/versions": { body: { items: [version(3, "restored from version 1"), version(2), version(1)], next_cursor: null } },
      "GET /articles/1/diff": (call) => ({
        body: {
          article_id: 1,
          from: Number(call.query.get("from")),
          to: Number(call.query.get("to")),
          fields: [{ field: "title", before: "Restart workers", after: "Restart the ingestion workers" }],
          body: [
            { op: "equal", text: "# Steps" },
            { op: "delete", text: "Kill the pods" },
            { op: "insert", text: "Drain the queue" },
          ],
        },
      }),
      "POST /articles/1/state": (call) => {
        article = { ...article, state: (call.body as { state: typeof state }).state };
        return { body: article };
      },
      "POST /articles/1/versions/2/restore": () => {
        article = { ...article, version: 4 };
        return { body: article };
      },
    },
    me,
  );
}

describe("Article page", () => {
  it("renders the body and hides Publish from agents", async () => {
    articleApi(agent);
    renderPage(<ArticlePage />, route);
    expect(await screen.findByRole("heading", { name: "Steps" })).toBeInTheDocument();
    expect(screen.getByTestId("article-meta")).toHaveTextContent("Version 3");
    expect(screen.getByTestId("article-meta")).toHaveTextContent("Runbooks");
    expect(screen.getByRole("button", { name: "Back to draft" })).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Publish" })).toBeNull();
    expect(screen.queryByRole("button", { name: "Archive" })).toBeNull();
  });

  it("lets a lead publish, then archive", async () => {
    const api = articleApi(lead);
    renderPage(<ArticlePage />, route);
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Publish" }));
    expect(api.find("POST", "/articles/1/state")[0]!.body).toEqual({ state: "published" });
    expect(await screen.findByRole("button", { name: "Archive" })).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Mark reviewed" })).toBeInTheDocument();
  });

  it("compares a version with the previous one as -/+ lines, and restores", async () => {
    const api = articleApi(agent);
    renderPage(<ArticlePage />, route);
    const user = userEvent.setup();
    await waitFor(() => expect(screen.getAllByTestId("version")).toHaveLength(3));
    const v2 = screen.getAllByTestId("version")[1]!;
    await user.click(within(v2).getByRole("button", { name: "Compare with previous" }));
    const diff = await within(v2).findByTestId("diff");
    expect(api.find("GET", "/articles/1/diff")[0]!.query.toString()).toBe("from=1&to=2");
    const deleted = within(diff).getByText(/Kill the pods/);
    expect(deleted).toHaveTextContent("- Kill the pods");
    expect(deleted).toHaveClass("kb-diff-delete");
    const inserted = within(diff).getByText(/Drain the queue/);
    expect(inserted).toHaveTextContent("+ Drain the queue");
    expect(inserted).toHaveClass("kb-diff-insert");
    expect(within(screen.getAllByTestId("version")[2]!).queryByRole("button", { name: "Compare with previous" })).toBeNull();

    await user.click(within(v2).getByRole("button", { name: "Restore" }));
    await waitFor(() => expect(screen.getByTestId("article-meta")).toHaveTextContent("Version 4"));
    expect(api.find("POST", "/articles/1/versions/2/restore")).toHaveLength(1);
  });

  it("shows the tickets it was used on and the readers' feedback, and takes a vote", async () => {
    let counts = { helpful_count: 2, not_helpful_count: 1 };
    const api = articleApi(agent, "published", {
      "GET /articles/1/usage": {
        body: {
          ticket_count: 14,
          recent: [
            { ticket_id: 150, subject: "Kafka lag on orders", status: "solved", kind: "resolved_with", article_version: 2, linked_at: "2026-11-20T10:00:00Z", linked_by: 3 },
            { ticket_id: 96, subject: "Consumer stuck", status: "closed", kind: "sent_to_requester", article_version: 3, linked_at: "2026-11-21T10:00:00Z", linked_by: 3 },
          ],
        },
      },
      "GET /articles/1/feedback": () => ({
        body: {
          ...counts,
          items: [
            { user_id: 9, helpful: false, comment: "Step 2 needs the admin role", at: "2026-11-22T10:00:00Z" },
            { user_id: 10, helpful: true, comment: "", at: "2026-11-22T11:00:00Z" },
          ],
          next_cursor: null,
        },
      }),
      "POST /articles/1/feedback": () => {
        counts = { ...counts, helpful_count: counts.helpful_count + 1 };
        return { status: 201, body: counts };
      },
    });
    renderPage(<ArticlePage />, route);
    expect(await screen.findByTestId("article-usage")).toHaveTextContent("Used on 14 tickets");
    const used = screen.getAllByTestId("usage-ticket");
    expect(used).toHaveLength(2);
    expect(within(used[0]!).getByRole("link", { name: "#150" })).toHaveAttribute("href", "/agent/tickets/150");
    expect(used[0]).toHaveTextContent("Kafka lag on orders");
    expect(used[0]).toHaveTextContent("Resolved with");
    expect(used[1]).toHaveTextContent("Sent to requester");
    expect(used[1]).toHaveTextContent("v3");

    expect(await screen.findByTestId("feedback-counts")).toHaveTextContent("2 helpful1 not helpful");
    const comments = screen.getAllByTestId("feedback-comment");
    expect(comments).toHaveLength(1); // votes without a comment are only counted
    expect(comments[0]).toHaveTextContent("Not helpful");
    expect(comments[0]).toHaveTextContent("Step 2 needs the admin role");

    await userEvent.setup().click(within(screen.getByTestId("article-feedback")).getByRole("button", { name: "Yes" }));
    await waitFor(() => expect(screen.getByTestId("feedback-counts")).toHaveTextContent("3 helpful"));
    expect(api.find("POST", "/articles/1/feedback")[0]!.body).toEqual({ helpful: true });
  });
});
