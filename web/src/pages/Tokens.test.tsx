import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import Tokens from "./Tokens";
import { apiError, mockApi, renderPage } from "../portal/testing";
import type { TokenInfo } from "../api/types";

afterEach(() => vi.unstubAllGlobals());

const existing: TokenInfo = {
  id: 3,
  name: "ci",
  kind: "personal",
  created_at: "2026-11-01T10:00:00Z",
  expires_at: null,
  revoked_at: null,
};

describe("Tokens", () => {
  it("creates a token and shows its secret once with a copy button", async () => {
    let items: TokenInfo[] = [existing];
    const api = mockApi({
      "GET /tokens": () => ({ body: { items, next_cursor: null } }),
      "POST /tokens": (call) => {
        const t = { id: 4, name: (call.body as { name: string }).name, kind: "personal", created_at: "2026-11-25T10:00:00Z", expires_at: "2026-12-25T10:00:00Z" };
        items = [...items, { ...t, revoked_at: null }];
        return { status: 201, body: { ...t, token: "odt_secret_123" } };
      },
    });
    renderPage(<Tokens />, { path: "/settings/tokens", url: "/settings/tokens" });
    expect(await screen.findByText("ci")).toBeInTheDocument();
    expect(screen.queryByTestId("new-token")).toBeNull();

    const user = userEvent.setup();
    await user.type(screen.getByLabelText("Name"), "nightly export");
    await user.clear(screen.getByLabelText(/Expires after/));
    await user.type(screen.getByLabelText(/Expires after/), "30");
    await user.click(screen.getByRole("button", { name: "Create token" }));

    const box = await screen.findByTestId("new-token");
    expect(box).toHaveTextContent("odt_secret_123");
    expect(box).toHaveTextContent(/not be shown again/);
    expect(api.find("POST", "/tokens")[0].body).toEqual({ name: "nightly export", expires_in_days: 30 });

    await user.click(within(box).getByRole("button", { name: "Copy" }));
    // user-event stubs navigator.clipboard; read back what was copied.
    expect(await navigator.clipboard.readText()).toBe("odt_secret_123");
    expect(within(box).getByRole("button", { name: "Copied" })).toBeInTheDocument();

    // The list refreshes; the secret is never part of it.
    await waitFor(() => expect(screen.getAllByTestId("token-row")).toHaveLength(2));
    await user.click(within(box).getByRole("button", { name: /copied it/ }));
    expect(screen.queryByText("odt_secret_123")).toBeNull();
  });

  it("shows a field error for a missing name", async () => {
    mockApi({
      "GET /tokens": { body: { items: [], next_cursor: null } },
      "POST /tokens": apiError(422, "invalid_argument", "token is not valid", { name: "must not be empty" }),
    });
    renderPage(<Tokens />, { path: "/settings/tokens", url: "/settings/tokens" });
    expect(await screen.findByText("No API tokens yet")).toBeInTheDocument();
    await userEvent.setup().click(screen.getByRole("button", { name: "Create token" }));
    expect(await screen.findByText("must not be empty")).toBeInTheDocument();
    expect(screen.queryByTestId("new-token")).toBeNull();
  });

  it("revokes after confirmation", async () => {
    let revoked: string | null = null as string | null;
    const api = mockApi({
      "GET /tokens": () => ({ body: { items: [{ ...existing, revoked_at: revoked }], next_cursor: null } }),
      "DELETE /tokens/3": () => {
        revoked = "2026-11-25T11:00:00Z";
        return { status: 204 };
      },
    });
    renderPage(<Tokens />, { path: "/settings/tokens", url: "/settings/tokens" });
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Revoke" }));
    expect(api.find("DELETE", "/tokens/3")).toHaveLength(0);
    await user.click(screen.getByRole("button", { name: "Yes, revoke" }));
    await waitFor(() => expect(api.find("DELETE", "/tokens/3")).toHaveLength(1));
    expect(await screen.findByText(/^Revoked/)).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Revoke" })).toBeNull();
  });
});
