import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { apiError, makeUser, mockApi, renderPage } from "../portal/testing";
import { SearchBox } from "./SearchBox";
import { articleHit, makeHit } from "./testing";

afterEach(() => vi.unstubAllGlobals());

const agent = makeUser({ id: 3, display_name: "Alice Agent", role: "agent" });
const hits = [makeHit({ id: 284 }), makeHit({ id: 230, status: "solved" }), articleHit({ id: 7 })];

function openBox({ staff = true, route = "/agent/views/mine" } = {}) {
  const api = mockApi(
    {
      "GET /search": (call) =>
        call.query.get("q") === '"kafka' ? apiError(422, "invalid_argument", "search query is not valid", { q: "unterminated quote (at character 1)" }) : { body: { items: hits, next_cursor: null } },
    },
    staff ? agent : makeUser(),
  );
  renderPage(
    <>
      <SearchBox staff={staff} />
      <h1>The page</h1>
      <textarea aria-label="Notes" />
    </>,
    { path: route, url: route },
  );
  return { api, user: userEvent.setup(), box: screen.getByRole("combobox", { name: "Search" }) };
}

const searches = (api: ReturnType<typeof mockApi>) => api.find("GET", "/search");

describe("Header search box", () => {
  it("waits until typing pauses: one request for a burst of keys, as one types", async () => {
    const { api, box } = openBox();
    box.focus();
    for (const text of ["k", "ka", "kaf", "kafk", "kafka"]) fireEvent.change(box, { target: { value: text } });
    expect(searches(api)).toHaveLength(0); // nothing yet: the debounce is still running
    const list = await screen.findByRole("listbox", { name: "Search results" });
    expect(searches(api)).toHaveLength(1);
    const query = searches(api)[0]!.query;
    expect(query.get("q")).toBe("kafka");
    expect(query.get("as_you_type")).toBe("true");
    expect(within(list).getAllByRole("option")).toHaveLength(3);
    // The snippet is the server's HTML: the match is a <mark>.
    expect(within(list).getAllByText("Kafka", { selector: "mark" })).toHaveLength(2);
  });

  it("moves with the arrow keys and opens the highlighted ticket with Enter", async () => {
    const { user, box } = openBox();
    await user.click(box);
    await user.type(box, "kafka");
    const options = await screen.findAllByRole("option");
    expect(options.every((o) => o.getAttribute("aria-selected") === "false")).toBe(true);
    await user.keyboard("{ArrowDown}{ArrowDown}{ArrowDown}{ArrowUp}");
    expect(options[1]).toHaveAttribute("aria-selected", "true");
    expect(box).toHaveAttribute("aria-activedescendant", options[1]!.id);
    await user.keyboard("{Enter}");
    await waitFor(() => expect(screen.getByTestId("location")).toHaveTextContent("/agent/tickets/230"));
  });

  it("opens the full results page with Enter when nothing is highlighted", async () => {
    const { user, box } = openBox();
    await user.click(box);
    await user.type(box, "kafka lag");
    await screen.findAllByRole("option");
    await user.keyboard("{Enter}");
    await waitFor(() => expect(screen.getByTestId("location")).toHaveTextContent("/search?q=kafka%20lag"));
  });

  it("opens articles and tickets in the portal for requesters", async () => {
    const { user, box } = openBox({ staff: false, route: "/portal" });
    await user.click(box);
    await user.type(box, "csv");
    await screen.findAllByRole("option");
    await user.keyboard("{ArrowDown}{ArrowDown}{ArrowDown}{Enter}");
    await waitFor(() => expect(screen.getByTestId("location")).toHaveTextContent("/portal/kb/7"));
  });

  it("is focused by / from the page but not from a text field, and left with Escape", async () => {
    const { user, box } = openBox();
    await user.click(screen.getByRole("heading", { name: "The page" }));
    await user.keyboard("/");
    expect(box).toHaveFocus();
    expect(box).toHaveValue(""); // the slash is not typed into the box
    await user.type(box, "kafka");
    expect(await screen.findByRole("listbox")).toBeInTheDocument();
    await user.keyboard("{Escape}");
    expect(box).not.toHaveFocus();
    expect(screen.queryByRole("listbox")).toBeNull();

    const notes = screen.getByRole("textbox", { name: "Notes" });
    await user.click(notes);
    await user.keyboard("/");
    expect(notes).toHaveFocus();
    expect(notes).toHaveValue("/");
  });

  it("shows what is wrong with a malformed query", async () => {
    const { user, box } = openBox();
    await user.click(box);
    await user.type(box, '"kafka');
    expect(await screen.findByRole("alert")).toHaveTextContent("unterminated quote (at character 1)");
    expect(box).toHaveAttribute("aria-invalid", "true");
    expect(screen.queryByRole("option")).toBeNull();
  });
});
