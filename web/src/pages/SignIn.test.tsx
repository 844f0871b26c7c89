import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import SignIn, { hardNavigation, safeNext } from "./SignIn";
import { apiError, makeUser, mockApi, renderPage } from "../portal/testing";

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

// After sign-in the page either routes to `target` in the SPA or, when the auth
// context has not picked the user up yet, does a full load of `target`.
async function expectWentTo(target: string, go: { mock: { calls: unknown[][] } }) {
  await waitFor(() => {
    const routed = screen.queryByTestId("location")?.textContent === target;
    const loaded = go.mock.calls.some((c) => c[0] === target);
    expect(routed || loaded).toBe(true);
  });
}

// Opens /login (at `url`) and signs in with the given credentials.
async function signIn(email: string, password: string, url = "/login") {
  renderPage(<SignIn />, { path: "/login", url });
  const user = userEvent.setup();
  await user.type(await screen.findByLabelText("Email"), email);
  await user.type(screen.getByLabelText("Password"), password);
  await user.click(screen.getByRole("button", { name: "Sign in" }));
}

describe("SignIn", () => {
  it("posts the typed credentials and goes to ?next", async () => {
    const api = mockApi(
      {
        "POST /auth/login": { body: { token: "odt_x", expires_at: "2026-12-01T00:00:00Z", user: makeUser() } },
      },
      null,
    );
    const go = vi.spyOn(hardNavigation, "go").mockImplementation(() => {});
    await signIn("priya@example.com", "opsdesk-demo", "/login?next=%2Fportal%2Fnew");

    await expectWentTo("/portal/new", go);
    const login = api.find("POST", "/auth/login");
    expect(login).toHaveLength(1);
    expect(login[0].body).toEqual({ email: "priya@example.com", password: "opsdesk-demo" });
  });

  it("goes to / when there is no next", async () => {
    mockApi({ "POST /auth/login": { body: { token: "t", expires_at: "", user: makeUser() } } }, null);
    const go = vi.spyOn(hardNavigation, "go").mockImplementation(() => {});
    await signIn("a@b.c", "secret-pw");
    await expectWentTo("/", go);
  });

  it("shows an error for wrong credentials and stays", async () => {
    const go = vi.spyOn(hardNavigation, "go").mockImplementation(() => {});
    mockApi({ "POST /auth/login": apiError(401, "unauthenticated", "e-mail or password is wrong") }, null);
    await signIn("priya@example.com", "nope-nope");

    expect(await screen.findByRole("alert")).toHaveTextContent("Wrong email or password");
    expect(screen.queryByTestId("location")).toBeNull();
    expect(go).not.toHaveBeenCalled();
    expect(screen.getByLabelText("Email")).toHaveValue("priya@example.com");
    expect(screen.getByRole("button", { name: "Sign in" })).toBeInTheDocument();
  });

  it("explains rate limiting (429)", async () => {
    mockApi(
      {
        "POST /auth/login": {
          ...apiError(429, "limit_exceeded", "too many failed sign-in attempts; try again later"),
          headers: { "Retry-After": "900" },
        },
      },
      null,
    );
    await signIn("priya@example.com", "whatever1");
    expect(await screen.findByRole("alert")).toHaveTextContent(/too many failed sign-in attempts/i);
  });

  it("sends a signed-in user home", async () => {
    mockApi({}, makeUser());
    renderPage(<SignIn />, { path: "/login", url: "/login" });
    await waitFor(() => expect(screen.getByTestId("location").textContent).toBe("/"));
  });

  it("only follows same-site next paths", () => {
    expect(safeNext("/portal/tickets/3")).toBe("/portal/tickets/3");
    expect(safeNext("//evil.example.com")).toBe("/");
    expect(safeNext("https://evil.example.com")).toBe("/");
    expect(safeNext(null)).toBe("/");
  });
});
