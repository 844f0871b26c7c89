import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { makeArticle } from "../kb/testing";
import { articleHit } from "../search/testing";
import NewTicket from "./NewTicket";
import { makeTicket, QUEUES } from "./fixtures";
import { apiError, mockApi, renderPage, type Handler } from "./testing";

afterEach(() => vi.unstubAllGlobals());

const csv = articleHit({ id: 1, title: "Fix CSV upload delimiter errors", snippet: "Save the file as UTF-8 <mark>CSV</mark>" });
const vpn = articleHit({ id: 2, title: "Connect to the VPN", snippet: "Install the <mark>client</mark>" });

function openForm(deflection: Handler = { status: 204 }) {
  const api = mockApi({
    "GET /queues": { body: { items: QUEUES, next_cursor: null } },
    "GET /search/suggestions": (call) => ({
      body: { items: /csv/i.test(call.query.get("q") ?? "") ? [csv, vpn] : [], next_cursor: null },
    }),
    "GET /articles/1": {
      body: makeArticle({ id: 1, title: "Fix CSV upload delimiter errors", audience: "public", state: "published", body_html: "<p>Save it as <strong>UTF-8</strong></p>" }),
    },
    "POST /articles/1/feedback": { status: 201, body: { helpful_count: 4, not_helpful_count: 1 } },
    "POST /deflection/views": deflection,
    "POST /deflection/filed": deflection,
    "POST /tickets": (call) => ({ status: 201, body: makeTicket({ id: 77, ...(call.body as object) }) }),
  });
  renderPage(<NewTicket />, { path: "/portal/new", url: "/portal/new" });
  return { api, user: userEvent.setup() };
}

describe("Article suggestions in the new-ticket form", () => {
  it("suggests articles from the subject and description while typing", async () => {
    const { api, user } = openForm();
    await user.type(screen.getByLabelText("Subject"), "Upload fails");
    await user.type(screen.getByLabelText("Description"), "The CSV has a bad delimiter");
    const section = await screen.findByTestId("article-suggestions");
    expect(within(section).getByText("These articles may answer your question")).toBeInTheDocument();
    await waitFor(() => expect(within(section).getAllByTestId("suggestion")).toHaveLength(2));
    expect(within(section).getByText("CSV", { selector: "mark" })).toBeInTheDocument();
    const last = api.find("GET", "/search/suggestions").at(-1)!.query;
    expect(last.get("q")).toBe("Upload fails The CSV has a bad delimiter");
    expect(last.get("as_you_type")).toBe("true");
    expect(last.get("limit")).toBe("5");
  });

  it("opens a suggestion in the page, keeping the draft, and records the view and the filed ticket", async () => {
    const { api, user } = openForm();
    await user.type(screen.getByLabelText("Subject"), "CSV upload fails");
    await user.type(screen.getByLabelText("Description"), "Unexpected delimiter");
    await user.click(await screen.findByRole("link", { name: /Fix CSV upload delimiter errors/ }));

    const article = await screen.findByTestId("portal-article");
    expect(within(article).getByRole("heading", { name: "Fix CSV upload delimiter errors" })).toBeInTheDocument();
    expect(within(article).getByText("UTF-8")).toBeInTheDocument();
    // The draft is still there, untouched.
    expect(screen.getByLabelText("Subject")).toHaveValue("CSV upload fails");
    expect(screen.getByLabelText("Description")).toHaveValue("Unexpected delimiter");
    await waitFor(() => expect(api.find("POST", "/deflection/views")).toHaveLength(1));
    const view = api.find("POST", "/deflection/views")[0]!.body as { session: string; article_id: number };
    expect(view.article_id).toBe(1);
    expect(view.session).toMatch(/\S{8,}/);

    // Was this helpful?
    await user.click(within(article).getByRole("button", { name: "Yes" }));
    await waitFor(() => expect(api.find("POST", "/articles/1/feedback")[0]!.body).toEqual({ helpful: true }));

    await user.click(screen.getByRole("button", { name: /Back to the suggestions/ }));
    expect(screen.getAllByTestId("suggestion")).toHaveLength(2);
    // Opening it again records no second view.
    await user.click(screen.getByRole("link", { name: /Fix CSV upload delimiter errors/ }));
    await screen.findByTestId("portal-article");

    await user.click(screen.getByRole("button", { name: "Submit ticket" }));
    await waitFor(() => expect(screen.getByTestId("location")).toHaveTextContent("/portal/tickets/77"));
    expect(api.find("POST", "/tickets")[0]!.body).toEqual({ subject: "CSV upload fails", body: "Unexpected delimiter", priority: "normal" });
    await waitFor(() => expect(api.find("POST", "/deflection/filed")).toHaveLength(1));
    expect(api.find("POST", "/deflection/filed")[0]!.body).toEqual({ session: view.session, ticket_id: 77 });
    expect(api.find("POST", "/deflection/views")).toHaveLength(1);
  });

  it("works the same when recording deflection fails", async () => {
    const { api, user } = openForm(apiError(500, "internal", "boom"));
    await user.type(screen.getByLabelText("Subject"), "CSV upload fails");
    await user.click(await screen.findByRole("link", { name: /Fix CSV upload delimiter errors/ }));
    await screen.findByTestId("portal-article");
    await user.click(screen.getByRole("button", { name: "Submit ticket" }));
    await waitFor(() => expect(screen.getByTestId("location")).toHaveTextContent("/portal/tickets/77"));
    expect(api.find("POST", "/deflection/views")).toHaveLength(1);
    await waitFor(() => expect(api.find("POST", "/deflection/filed")).toHaveLength(1));
  });
});
