import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { makeUser, mockApi, renderPage } from "../portal/testing";
import Articles from "./Articles";
import { makeArticle } from "./testing";

afterEach(() => vi.unstubAllGlobals());

const agent = makeUser({ id: 3, display_name: "Alice Agent", role: "agent" });
const articles = [
  makeArticle({ id: 1, title: "Restart the ingestion workers", state: "draft" }),
  makeArticle({ id: 2, title: "Reset a password", state: "published", audience: "public", review_due_at: "2027-05-01T00:00:00Z" }),
];

describe("Knowledge base list", () => {
  it("lists articles and filters by state and staleness", async () => {
    const api = mockApi(
      {
        "GET /articles": (call) => {
          const state = call.query.get("state");
          return { body: { items: articles.filter((a) => !state || a.state === state), next_cursor: null } };
        },
      },
      agent,
    );
    renderPage(<Articles />, { path: "/kb", url: "/kb" });
    await waitFor(() => expect(screen.getAllByTestId("article-row")).toHaveLength(2));
    expect(screen.getByRole("link", { name: "Reset a password" })).toHaveAttribute("href", "/kb/2");
    expect(screen.getAllByTestId("article-row")[1]).toHaveTextContent("Published");

    const user = userEvent.setup();
    await user.selectOptions(screen.getByLabelText("State"), "published");
    await waitFor(() => expect(screen.getAllByTestId("article-row")).toHaveLength(1));
    expect(screen.getByTestId("article-row")).toHaveTextContent("Reset a password");
    expect(api.find("GET", "/articles").at(-1)!.query.get("state")).toBe("published");

    await user.click(screen.getByLabelText(/Stale/));
    await waitFor(() => expect(api.find("GET", "/articles").at(-1)!.query.get("stale")).toBe("true"));
    expect(api.find("GET", "/articles").at(-1)!.query.get("state")).toBe("published");

    await user.click(screen.getByRole("button", { name: "New article" }));
    expect(screen.getByTestId("location")).toHaveTextContent("/kb/new");
  });

  it("shows leads the deflection rate and the way to the gaps, and agents neither", async () => {
    const routes = {
      "GET /articles": { body: { items: articles, next_cursor: null } },
      "GET /deflection": { body: { days: 30, sessions: 50, filed: 29, deflected: 21, rate: 0.42, open: 2 } },
    };
    const api = mockApi(routes, makeUser({ id: 2, display_name: "Lena Lead", role: "lead" }));
    const { unmount } = renderPage(<Articles />, { path: "/kb", url: "/kb" });
    expect(await screen.findByTestId("deflection")).toHaveTextContent(
      "Deflection (30 days): 42 % — 21 of 50 portal sessions that viewed a suggestion filed no ticket (2 still open)",
    );
    expect(screen.getByRole("link", { name: "Gaps" })).toHaveAttribute("href", "/kb/gaps");
    expect(api.find("GET", "/deflection")[0]!.query.get("days")).toBe("30");
    unmount();

    const agentApi = mockApi(routes, agent);
    renderPage(<Articles />, { path: "/kb", url: "/kb" });
    await waitFor(() => expect(screen.getAllByTestId("article-row")).toHaveLength(2));
    expect(screen.queryByRole("link", { name: "Gaps" })).toBeNull();
    expect(screen.queryByTestId("deflection")).toBeNull();
    expect(agentApi.find("GET", "/deflection")).toHaveLength(0);
  });
});
