import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { apiError, mockApi, renderPage } from "../portal/testing";
import { ArticleFeedback } from "./ArticleFeedback";

afterEach(() => vi.unstubAllGlobals());

const feedback = (fail = false) =>
  mockApi({
    "POST /articles/4/feedback": fail ? apiError(404, "not_found", "article not found") : { status: 201, body: { helpful_count: 3, not_helpful_count: 1 } },
  });

describe("Was this helpful?", () => {
  it("votes at once, then sends an optional comment with the vote", async () => {
    const api = feedback();
    renderPage(<ArticleFeedback articleId={4} />, { path: "/portal/kb/4", url: "/portal/kb/4" });
    const user = userEvent.setup();
    await user.click(screen.getByRole("button", { name: "No" }));
    expect(await screen.findByRole("status")).toHaveTextContent("Thanks for your feedback.");
    expect(api.find("POST", "/articles/4/feedback")[0]!.body).toEqual({ helpful: false });
    expect(screen.getByRole("button", { name: "No" })).toHaveAttribute("aria-pressed", "true");
    expect(screen.getByRole("button", { name: "Yes" })).toHaveAttribute("aria-pressed", "false");

    const send = screen.getByRole("button", { name: "Send comment" });
    expect(send).toBeDisabled();
    await user.type(screen.getByLabelText(/What was missing or wrong/), "  Step 2 needs the admin role  ");
    await user.click(send);
    await waitFor(() => expect(screen.getByRole("status")).toHaveTextContent("Thanks, your comment was sent."));
    expect(api.find("POST", "/articles/4/feedback")[1]!.body).toEqual({ helpful: false, comment: "Step 2 needs the admin role" });
    expect(screen.queryByRole("button", { name: "Send comment" })).toBeNull();

    // Changing one's mind replaces the vote.
    await user.click(screen.getByRole("button", { name: "Yes" }));
    await waitFor(() => expect(api.find("POST", "/articles/4/feedback")).toHaveLength(3));
    expect((api.find("POST", "/articles/4/feedback")[2]!.body as { helpful: boolean }).helpful).toBe(true);
  });

  it("says when the vote could not be recorded", async () => {
    feedback(true);
    renderPage(<ArticleFeedback articleId={4} />, { path: "/kb/4", url: "/kb/4" });
    await userEvent.setup().click(screen.getByRole("button", { name: "Yes" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("article not found");
    expect(screen.queryByText("Thanks for your feedback.")).toBeNull();
  });
});
