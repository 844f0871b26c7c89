import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { apiError, makeUser, mockApi, renderPage } from "../portal/testing";
import Editor from "./Editor";
import { makeArticle } from "./testing";

afterEach(() => vi.unstubAllGlobals());

const agent = makeUser({ id: 3, display_name: "Alice Agent", role: "agent" });

describe("Article editor", () => {
  it("shows the API's field error next to the field and sends If-Match", async () => {
    let attempt = 0;
    const api = mockApi(
      {
        "GET /articles/1": { body: makeArticle(), headers: { ETag: '"3"' } },
        "PATCH /articles/1": () =>
          ++attempt === 1
            ? apiError(422, "invalid_argument", "article is not valid", { title: "must be 1 to 200 characters on one line" })
            : { body: makeArticle({ title: "Restart workers", version: 4 }) },
      },
      agent,
    );
    renderPage(<Editor />, { path: "/kb/:id/edit", url: "/kb/1/edit" });
    const title = await screen.findByLabelText("Title");
    expect(title).toHaveValue("Restart the ingestion workers");
    const user = userEvent.setup();
    await user.clear(title);
    await user.click(screen.getByRole("button", { name: "Save" }));

    const message = await screen.findByText(/must be 1 to 200 characters/);
    expect(title.closest(".field")).toContainElement(message);
    expect(title).toHaveAttribute("aria-invalid", "true");
    const call = api.find("PATCH", "/articles/1")[0]!;
    expect(call.headers["If-Match"]).toBe('"3"');
    expect(call.body).toEqual({ title: "", body: "Step one", category: "Runbooks", audience: "internal", tags: ["ingestion"] });

    await user.type(title, "Restart workers");
    await user.click(screen.getByRole("button", { name: "Save" }));
    await waitFor(() => expect(screen.getByTestId("location")).toHaveTextContent("/kb/1"));
  });

  it("explains a 412: someone saved in between", async () => {
    mockApi(
      {
        "GET /articles/1": { body: makeArticle() },
        "PATCH /articles/1": apiError(412, "failed_precondition", "the article changed since version 3"),
      },
      agent,
    );
    renderPage(<Editor />, { path: "/kb/:id/edit", url: "/kb/1/edit" });
    await screen.findByLabelText("Title");
    await userEvent.setup().click(screen.getByRole("button", { name: "Save" }));
    expect(await screen.findByRole("alert")).toHaveTextContent(/Someone else saved this article.*Nothing was saved/);
  });

  it("creates a draft without If-Match", async () => {
    const api = mockApi({ "POST /articles": { status: 201, body: makeArticle({ id: 5, version: 1 }) } }, agent);
    renderPage(<Editor />, { path: "/kb/new", url: "/kb/new" });
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText("Title"), "VPN setup");
    await user.type(screen.getByLabelText("Tags"), "vpn, Network");
    await user.selectOptions(screen.getByLabelText("Audience"), "public");
    await user.type(screen.getByLabelText("Body"), "Install the client");
    await user.click(screen.getByRole("button", { name: "Create article" }));
    await waitFor(() => expect(screen.getByTestId("location")).toHaveTextContent("/kb/5"));
    const call = api.find("POST", "/articles")[0]!;
    expect(call.headers["If-Match"]).toBeUndefined();
    expect(call.body).toEqual({ title: "VPN setup", body: "Install the client", category: "", audience: "public", tags: ["vpn", "Network"] });
  });

  it("relates a new article to the component it was started from", async () => {
    const api = mockApi({ "POST /articles": { status: 201, body: makeArticle({ id: 6, version: 1 }) } }, agent);
    renderPage(<Editor />, { path: "/kb/new", url: "/kb/new?component=7" });
    const user = userEvent.setup();
    expect(await screen.findByTestId("kb-form-component")).toHaveTextContent("component #7");
    await user.type(screen.getByLabelText("Title"), "Restart the consumer");
    await user.type(screen.getByLabelText("Body"), "Steps");
    await user.click(screen.getByRole("button", { name: "Create article" }));
    await waitFor(() => expect(screen.getByTestId("location")).toHaveTextContent("/kb/6"));
    expect(api.find("POST", "/articles")[0]!.body).toMatchObject({ title: "Restart the consumer", queue_ids: [7] });
  });
});
