import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { ArticleVersion } from "../api/kb";
import { makeUser, mockApi, renderPage } from "../portal/testing";
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

function articleApi(me = agent, state: "draft" | "in_review" | "published" = "in_review") {
  let article = makeArticle({ state, body_html: "<h2>Steps</h2><p>Drain the queue</p>" });
  return mockApi(
    {
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
});
