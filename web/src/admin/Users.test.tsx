import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import Users from "./Users";
import { apiError, makeUser, mockApi, renderPage } from "../portal/testing";
import type { User } from "../api/types";

afterEach(() => vi.unstubAllGlobals());

const admin = makeUser({ id: 1, email: "admin@example.com", display_name: "Ada Admin", role: "admin" });
const lead = makeUser({ id: 2, email: "lead@example.com", display_name: "Lena Lead", role: "lead" });
const alice = makeUser({ id: 3, email: "alice@example.com", display_name: "Alice Agent", role: "agent" });
const route = { path: "/admin/users", url: "/admin/users" };

function usersApi(me: User, extra: Parameters<typeof mockApi>[0] = {}) {
  let users = [admin, lead, alice];
  return mockApi(
    {
      "GET /users": () => ({ body: { items: users, next_cursor: null } }),
      "POST /users": (call) => {
        const body = call.body as Partial<User>;
        const created = makeUser({ id: 30, ...body });
        users = [...users, created];
        return { status: 201, body: created };
      },
      "PATCH /users/3": (call) => {
        users = users.map((u) => (u.id === 3 ? { ...u, ...(call.body as object) } : u));
        return { body: users.find((u) => u.id === 3) };
      },
      ...extra,
    },
    me,
  );
}

describe("Users", () => {
  it("makes an agent a knowledge base editor with one click", async () => {
    const api = usersApi(admin);
    renderPage(<Users />, route);
    const box = await screen.findByRole("checkbox", { name: "KB editor" });
    expect(box).not.toBeChecked();
    expect(screen.getAllByRole("checkbox", { name: "KB editor" })).toHaveLength(1); // agents only
    await userEvent.setup().click(box);
    await waitFor(() => expect(api.find("PATCH", "/users/3")).toHaveLength(1));
    expect(api.find("PATCH", "/users/3")[0].body).toEqual({ kb_editor: true });
    await waitFor(() => expect(screen.getByRole("checkbox", { name: "KB editor" })).toBeChecked());
  });

  it("makes an agent a senior specialist (paged for L2) with one click", async () => {
    const api = usersApi(admin);
    renderPage(<Users />, route);
    const box = await screen.findByRole("checkbox", { name: "Senior (L2)" });
    expect(box).not.toBeChecked();
    expect(screen.getAllByRole("checkbox", { name: "Senior (L2)" })).toHaveLength(1); // agents only
    await userEvent.setup().click(box);
    await waitFor(() => expect(api.find("PATCH", "/users/3")).toHaveLength(1));
    expect(api.find("PATCH", "/users/3")[0].body).toEqual({ senior: true });
    await waitFor(() => expect(screen.getByRole("checkbox", { name: "Senior (L2)" })).toBeChecked());
  });

  it("creates a user with the typed values", async () => {
    const api = usersApi(admin);
    renderPage(<Users />, route);
    const form = await screen.findByRole("form", { name: "New user" });
    const user = userEvent.setup();
    await user.type(within(form).getByLabelText("Email"), "new@example.com");
    await user.type(within(form).getByLabelText("Display name"), "New Person");
    await user.selectOptions(within(form).getByLabelText("Role"), "agent");
    await user.type(within(form).getByLabelText(/Initial password/), "long-enough-pw");
    await user.click(within(form).getByRole("button", { name: "Create user" }));

    await waitFor(() => expect(api.find("POST", "/users")).toHaveLength(1));
    expect(api.find("POST", "/users")[0].body).toEqual({
      email: "new@example.com",
      display_name: "New Person",
      role: "agent",
      password: "long-enough-pw",
    });
    expect(await screen.findByText("New Person")).toBeInTheDocument();
    expect(within(form).getByLabelText("Email")).toHaveValue("");
  });

  it("shows fields.email next to Email and keeps the input", async () => {
    usersApi(admin, {
      "POST /users": apiError(422, "invalid_argument", "user is not valid", {
        email: "must be a valid e-mail address",
        display_name: "must not be empty",
      }),
    });
    renderPage(<Users />, route);
    const form = await screen.findByRole("form", { name: "New user" });
    const user = userEvent.setup();
    await user.type(within(form).getByLabelText("Email"), "not-an-email");
    await user.click(within(form).getByRole("button", { name: "Create user" }));

    const message = await within(form).findByText("must be a valid e-mail address");
    const email = within(form).getByLabelText("Email");
    expect(email.closest(".field")).toContainElement(message);
    expect(email).toHaveValue("not-an-email");
    expect(within(form).getByLabelText("Display name").closest(".field")).toHaveTextContent("must not be empty");
  });

  it("shows a taken e-mail (409) under Email", async () => {
    usersApi(admin, { "POST /users": apiError(409, "conflict", "a user with this e-mail already exists") });
    renderPage(<Users />, route);
    const form = await screen.findByRole("form", { name: "New user" });
    const user = userEvent.setup();
    await user.type(within(form).getByLabelText("Email"), "alice@example.com");
    await user.type(within(form).getByLabelText("Display name"), "Alice");
    await user.click(within(form).getByRole("button", { name: "Create user" }));
    await waitFor(() =>
      expect(within(form).getByLabelText("Email").closest(".field")).toHaveTextContent("a user with this e-mail already exists"),
    );
  });

  it("creates a user with a group and shows it in the table", async () => {
    const api = usersApi(admin);
    renderPage(<Users />, route);
    const form = await screen.findByRole("form", { name: "New user" });
    const user = userEvent.setup();
    await user.type(within(form).getByLabelText("Email"), "fin@example.com");
    await user.type(within(form).getByLabelText("Display name"), "Fiona Finance");
    await user.type(within(form).getByLabelText(/^Group/), " finance ");
    await user.click(within(form).getByRole("button", { name: "Create user" }));

    await waitFor(() => expect(api.find("POST", "/users")).toHaveLength(1));
    expect(api.find("POST", "/users")[0]!.body).toEqual({
      email: "fin@example.com",
      display_name: "Fiona Finance",
      role: "requester",
      group: "finance",
    });
    expect(await screen.findByLabelText("Group of Fiona Finance")).toHaveValue("finance");
    expect(within(form).getByLabelText(/^Group/)).toHaveValue("");
  });

  it("shows fields.group next to Group on create", async () => {
    usersApi(admin, {
      "POST /users": apiError(422, "invalid_argument", "user is not valid", {
        group: "must be at most 64 letters, digits, '-', '_' or '.' (no spaces)",
      }),
    });
    renderPage(<Users />, route);
    const form = await screen.findByRole("form", { name: "New user" });
    const user = userEvent.setup();
    await user.type(within(form).getByLabelText("Email"), "fin@example.com");
    await user.type(within(form).getByLabelText("Display name"), "Fiona Finance");
    await user.type(within(form).getByLabelText(/^Group/), "fin/ance");
    await user.click(within(form).getByRole("button", { name: "Create user" }));

    const message = await within(form).findByText(/must be at most 64 letters/);
    const group = within(form).getByLabelText(/^Group/);
    expect(group.closest(".field")).toContainElement(message);
    expect(group).toHaveAttribute("aria-invalid", "true");
    expect(group).toHaveValue("fin/ance");
    expect(within(form).getByLabelText("Email")).not.toHaveAttribute("aria-invalid");
  });

  it("sets, changes and removes a user's group", async () => {
    const api = usersApi(admin);
    renderPage(<Users />, route);
    const user = userEvent.setup();
    const row = await screen.findByText("Alice Agent").then((el) => el.closest("tr")!);
    const input = within(row).getByLabelText("Group of Alice Agent");
    const save = within(row).getByRole("button", { name: "Save group of Alice Agent" });
    expect(input).toHaveValue("");
    expect(save).toBeDisabled();

    await user.type(input, "finance");
    await user.click(save);
    await waitFor(() => expect(api.find("PATCH", "/users/3")[0]?.body).toEqual({ group: "finance" }));
    await waitFor(() => expect(save).toBeDisabled());
    expect(input).toHaveValue("finance");

    // Enter saves too; an emptied field removes the group (null).
    await user.clear(input);
    await user.type(input, "{Enter}");
    await waitFor(() => expect(api.find("PATCH", "/users/3")[1]?.body).toEqual({ group: null }));
    await waitFor(() => expect(save).toBeDisabled());
    expect(input).toHaveValue("");
  });

  it("shows fields.group under the row's group and keeps the input", async () => {
    usersApi(admin, {
      "PATCH /users/3": apiError(422, "invalid_argument", "user change is not valid", {
        group: "must be at most 64 letters, digits, '-', '_' or '.' (no spaces)",
      }),
    });
    renderPage(<Users />, route);
    const user = userEvent.setup();
    const row = await screen.findByText("Alice Agent").then((el) => el.closest("tr")!);
    const input = within(row).getByLabelText("Group of Alice Agent");
    await user.type(input, "two words");
    await user.click(within(row).getByRole("button", { name: "Save group of Alice Agent" }));

    const message = await within(row).findByText(/must be at most 64 letters/);
    expect(input.closest("td")).toContainElement(message);
    expect(input).toHaveAttribute("aria-invalid", "true");
    expect(input).toHaveValue("two words");
    // Shown once, by the field, not again by the row's buttons.
    expect(within(row).getAllByText(/must be at most 64 letters/)).toHaveLength(1);
  });

  it("changes a role and deactivates a user", async () => {
    const api = usersApi(admin);
    renderPage(<Users />, route);
    const user = userEvent.setup();
    const row = await screen.findByText("Alice Agent").then((el) => el.closest("tr")!);
    await user.selectOptions(within(row).getByLabelText("Role of Alice Agent"), "lead");
    await waitFor(() => expect(api.find("PATCH", "/users/3")[0]?.body).toEqual({ role: "lead" }));
    await user.click(within(row).getByRole("button", { name: "Deactivate" }));
    await waitFor(() => expect(api.find("PATCH", "/users/3")[1]?.body).toEqual({ is_active: false }));
    expect(await within(row).findByRole("button", { name: "Reactivate" })).toBeInTheDocument();
    // You cannot deactivate yourself.
    const mine = screen.getByText("Ada Admin").closest("tr")!;
    expect(within(mine).getByRole("button", { name: "Deactivate" })).toBeDisabled();
  });

  it("lets a lead look but not change", async () => {
    const api = usersApi(lead);
    renderPage(<Users />, route);
    expect(await screen.findByText("Alice Agent")).toBeInTheDocument();
    expect(await screen.findByText("Only admins can change users.")).toBeInTheDocument();
    expect(screen.queryByRole("form", { name: "New user" })).toBeNull();
    const row = screen.getByText("Alice Agent").closest("tr")!;
    expect(within(row).getByLabelText("Role of Alice Agent")).toBeDisabled();
    expect(within(row).getByRole("button", { name: "Deactivate" })).toBeDisabled();
    expect(within(row).getByLabelText("Group of Alice Agent")).toBeDisabled();
    expect(within(row).queryByRole("button", { name: "Save group of Alice Agent" })).toBeNull();
    expect(api.find("PATCH", "/users/3")).toHaveLength(0);
  });
});
