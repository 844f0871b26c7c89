import { screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { makeArticle } from "../kb/testing";
import PortalArticle from "./PortalArticle";
import { apiError, mockApi, renderPage } from "./testing";

afterEach(() => vi.unstubAllGlobals());

const route = { path: "/portal/kb/:id", url: "/portal/kb/5" };

describe("PortalArticle", () => {
  it("shows a published article's body with Was this helpful?", async () => {
    mockApi({
      "GET /articles/5": {
        body: makeArticle({ id: 5, title: "Connect to the VPN", audience: "public", state: "published", body_html: "<p>Install the <em>client</em></p>" }),
      },
    });
    renderPage(<PortalArticle />, route);
    expect(await screen.findByRole("heading", { name: "Connect to the VPN" })).toBeInTheDocument();
    expect(screen.getByText("client", { selector: "em" })).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Yes" })).toBeInTheDocument();
  });

  it("says not found for an article the requester may not read", async () => {
    mockApi({ "GET /articles/5": apiError(404, "not_found", "article not found") });
    renderPage(<PortalArticle />, route);
    expect(await screen.findByText("Article not found")).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Yes" })).toBeNull();
  });
});
