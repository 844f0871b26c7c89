import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { apiError, makeUser, mockApi, renderPage } from "../portal/testing";
import SearchPage, { lastPlainWord } from "./SearchPage";
import { articleHit, makeHit } from "./testing";

afterEach(() => vi.unstubAllGlobals());

const agent = makeUser({ id: 3, display_name: "Alice Agent", role: "agent" });

function searchApi() {
  return mockApi(
    {
      "GET /search": (call) => {
        const q = call.query.get("q");
        if (q === "kafka status:bogus") {
          return apiError(422, "invalid_argument", "search query is not valid", { q: "status: must be a ticket status (at character 14)" });
        }
        if (q !== "kafka") return { body: { items: [], next_cursor: null } };
        return call.query.get("cursor") === "c2"
          ? { body: { items: [makeHit({ id: 96, title: "Older kafka ticket", status: "closed" })], next_cursor: null } }
          : {
              body: {
                items: [
                  makeHit({ id: 230, snippet: "orders <mark>Kafka</mark> &lt;topic&gt; stuck" }),
                  articleHit({ id: 4, title: "Kafka consumer lag runbook", audience: "internal", snippet: "Check <mark>kafka</mark> lag" }),
                ],
                next_cursor: "c2",
              },
            };
      },
    },
    agent,
  );
}

describe("Search results page", () => {
  it("shows each result's type, title, status, queue and snippet, and loads more by cursor", async () => {
    const api = searchApi();
    renderPage(<SearchPage />, { path: "/search", url: "/search?q=kafka" });
    await waitFor(() => expect(screen.getAllByTestId("search-result")).toHaveLength(2));
    expect(screen.getByLabelText("Query")).toHaveValue("kafka");
    const [ticket, article] = screen.getAllByTestId("search-result");
    expect(within(ticket!).getByRole("link", { name: "Kafka connector for orders topic stuck at offset" })).toHaveAttribute("href", "/agent/tickets/230");
    expect(ticket).toHaveTextContent("Ticket");
    expect(ticket).toHaveTextContent("Open");
    expect(ticket).toHaveTextContent("ingestion");
    // The snippet is rendered as HTML: a <mark>, and escaped text shown as text.
    expect(within(ticket!).getByText("Kafka", { selector: "mark" })).toBeInTheDocument();
    expect(ticket).toHaveTextContent("orders Kafka <topic> stuck");
    expect(within(article!).getByRole("link", { name: "Kafka consumer lag runbook" })).toHaveAttribute("href", "/kb/4");
    expect(article).toHaveTextContent("Article");
    expect(article).toHaveTextContent("Internal SOP");
    expect(screen.getByTestId("search-help")).toHaveTextContent('"exact phrase"');
    expect(api.find("GET", "/search")[0]!.query.get("as_you_type")).toBeNull();

    await userEvent.setup().click(screen.getByRole("button", { name: "Load more" }));
    await waitFor(() => expect(screen.getAllByTestId("search-result")).toHaveLength(3));
    expect(screen.getAllByTestId("search-result")[2]).toHaveTextContent("Older kafka ticket");
    expect(api.find("GET", "/search")[1]!.query.get("cursor")).toBe("c2");
    expect(screen.queryByRole("button", { name: "Load more" })).toBeNull();
  });

  it("shows the query's error under the input", async () => {
    const api = searchApi();
    renderPage(<SearchPage />, { path: "/search", url: "/search?q=kafka" });
    await waitFor(() => expect(screen.getAllByTestId("search-result")).toHaveLength(2));
    const input = screen.getByLabelText("Query");
    const user = userEvent.setup();
    await user.type(input, " status:bogus");
    await user.keyboard("{Enter}");
    const message = await screen.findByText("status: must be a ticket status (at character 14)");
    expect(input.closest(".field")).toContainElement(message);
    expect(input).toHaveAttribute("aria-invalid", "true");
    expect(screen.queryAllByTestId("search-result")).toHaveLength(0);
    expect(api.find("GET", "/search").at(-1)!.query.get("q")).toBe("kafka status:bogus");
  });

  it("offers the last word as a prefix when nothing matches", async () => {
    searchApi();
    renderPage(<SearchPage />, { path: "/search", url: "/search?q=kafka%20conn" });
    const link = await screen.findByRole("link", { name: "kafka conn*" });
    expect(link).toHaveAttribute("href", "/search?q=kafka%20conn*");
    expect(lastPlainWord('"consumer group" lag')).toBe("lag");
    expect(lastPlainWord("status:open")).toBeNull();
    expect(lastPlainWord("kafka -flink")).toBeNull();
    expect(lastPlainWord('"consumer gr')).toBeNull();
  });
});
