import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import Teams from "./Teams";
import { apiError, makeUser, mockApi, renderPage } from "../portal/testing";
import type { Team } from "../api/types";

afterEach(() => vi.unstubAllGlobals());

const lead = makeUser({ id: 2, display_name: "Lena Lead", role: "lead" });
const users = [
  makeUser({ id: 1, display_name: "Ada Admin", role: "admin" }),
  lead,
  makeUser({ id: 3, display_name: "Alice Agent", role: "agent" }),
  makeUser({ id: 9, display_name: "Priya Patel", role: "requester" }),
];
const route = { path: "/admin/teams", url: "/admin/teams" };

function teamsApi(initial: Team[]) {
  let teams = initial;
  const member = (add: boolean) => (call: { path: string }) => {
    const [, , teamId, , userId] = call.path.split("/");
    teams = teams.map((t) =>
      t.id === Number(teamId)
        ? { ...t, member_ids: add ? [...t.member_ids, Number(userId)] : t.member_ids.filter((m) => m !== Number(userId)) }
        : t,
    );
    return { body: teams.find((t) => t.id === Number(teamId)) };
  };
  return mockApi(
    {
      "GET /users": { body: { items: users, next_cursor: null } },
      "GET /teams": () => ({ body: { items: teams, next_cursor: null } }),
      "POST /teams": (call) => {
        const body = call.body as { name: string; description?: string };
        if (body.name !== body.name.toLowerCase()) return apiError(422, "invalid_argument", "team is not valid", { name: "may contain only lower-case letters" });
        const t = { id: 10, name: body.name, description: body.description ?? "", member_ids: [], created_at: "2026-11-25T00:00:00Z" };
        teams = [...teams, t];
        return { status: 201, body: t };
      },
      "PUT /teams/1/members/3": member(true),
      "DELETE /teams/1/members/2": member(false),
    },
    lead,
  );
}

const userOps: Team = { id: 1, name: "user-ops", description: "Platform user operations", member_ids: [2], created_at: "2026-10-01T00:00:00Z" };

describe("Teams", () => {
  it("adds and removes members, offering only staff", async () => {
    const api = teamsApi([userOps]);
    renderPage(<Teams />, route);
    const card = await screen.findByTestId("team");
    expect(await within(card).findByText("Lena Lead")).toBeInTheDocument();
    const picker = within(card).getByLabelText("Add a member to user-ops");
    await within(card).findByRole("option", { name: /Alice Agent/ });
    expect(within(card).queryByRole("option", { name: /Priya Patel/ })).toBeNull();
    expect(within(card).queryByRole("option", { name: /Lena Lead/ })).toBeNull();

    const user = userEvent.setup();
    await user.selectOptions(picker, "3");
    await user.click(within(card).getByRole("button", { name: "Add" }));
    expect(await within(card).findByText("Alice Agent")).toBeInTheDocument();
    expect(api.find("PUT", "/teams/1/members/3")).toHaveLength(1);

    await user.click(within(card).getByRole("button", { name: "Remove Lena Lead from user-ops" }));
    await waitFor(() => expect(within(card).queryByText("Lena Lead")).toBeNull());
    expect(api.find("DELETE", "/teams/1/members/2")).toHaveLength(1);
  });

  it("creates a team and shows field errors", async () => {
    const api = teamsApi([]);
    renderPage(<Teams />, route);
    expect(await screen.findByText("No teams yet")).toBeInTheDocument();
    const form = screen.getByRole("form", { name: "New team" });
    const user = userEvent.setup();
    await user.type(within(form).getByLabelText("Name"), "Night Shift");
    await user.click(within(form).getByRole("button", { name: "Create team" }));
    const message = await within(form).findByText(/lower-case/, { selector: ".field-error" });
    expect(within(form).getByLabelText("Name").closest(".field")).toContainElement(message);

    await user.clear(within(form).getByLabelText("Name"));
    await user.type(within(form).getByLabelText("Name"), "night-shift");
    await user.type(within(form).getByLabelText("Description"), "After hours");
    await user.click(within(form).getByRole("button", { name: "Create team" }));
    expect(await screen.findByRole("heading", { name: "night-shift" })).toBeInTheDocument();
    expect(api.find("POST", "/teams").at(-1)!.body).toEqual({ name: "night-shift", description: "After hours" });
  });
});
