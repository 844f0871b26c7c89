import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Schedule, Team } from "../api/types";
import { apiError, makeUser, mockApi, renderPage } from "../portal/testing";
import Schedules from "./Schedules";

afterEach(() => vi.unstubAllGlobals());

const lead = makeUser({ id: 2, display_name: "Lena Lead", role: "lead" });
const alice = makeUser({ id: 3, display_name: "Alice Agent", role: "agent" });
const users = [lead, alice, makeUser({ id: 9, display_name: "Priya Patel", role: "requester" })];
const teams: Team[] = [{ id: 5, name: "ingestion-eng", description: "", member_ids: [3], created_at: "2026-10-01T00:00:00Z" }];
const primary: Schedule = {
  id: 1,
  team_id: 5,
  name: "Primary",
  description: "",
  time_zone: "UTC",
  layers: [{ name: "Layer 1", participant_ids: [3, 2], rotation: "weekly", rotation_hours: 168, start_date: "2026-11-23", handoff_time: "09:00" }],
  overrides: [],
  version: 1,
  created_at: "2026-11-01T00:00:00Z",
  updated_at: "2026-11-01T00:00:00Z",
};
const route = { path: "/oncall", url: "/oncall" };

function schedulesApi(list: Schedule[]) {
  const now = Date.now();
  return mockApi(
    {
      "GET /users": { body: { items: users, next_cursor: null } },
      "GET /teams": { body: { items: teams, next_cursor: null } },
      "GET /schedules": { body: { items: list, next_cursor: null } },
      "GET /schedules/1/on-call": { body: { schedule_id: 1, at: new Date(now).toISOString(), user_id: 3, until: new Date(now + 3600_000).toISOString() } },
      "GET /schedules/1/shifts": (call) => ({
        body: { items: [{ user_id: 3, start_at: call.query.get("from"), end_at: call.query.get("to") }], next_cursor: null },
      }),
      "POST /schedules": (call) => {
        const body = call.body as Schedule;
        if (body.layers[0]!.handoff_time !== "09:30") {
          return apiError(422, "invalid_argument", "schedule is not valid", { "layers[0].handoff_time": "must be a time of day HH:MM (00:00-23:59)" });
        }
        return { status: 201, body: { ...primary, id: 2, name: body.name } };
      },
    },
    lead,
  );
}

describe("Schedules", () => {
  it("shows who is on call now and the week", async () => {
    schedulesApi([primary]);
    renderPage(<Schedules />, route);
    expect(await screen.findByRole("heading", { name: "Primary" })).toBeInTheDocument();
    expect(await screen.findByTestId("on-call-now")).toHaveTextContent("Alice Agent");
    await waitFor(() => expect(screen.getAllByTestId("shift-block").length).toBe(7));
    expect(screen.getByRole("navigation", { name: "Schedules" })).toHaveTextContent("ingestion-eng");
  });

  it("shows the API's error next to the layer field it is about", async () => {
    const api = schedulesApi([]);
    renderPage(<Schedules />, route);
    expect(await screen.findByText("No on-call schedules yet")).toBeInTheDocument();
    const user = userEvent.setup();
    await user.click(screen.getByRole("button", { name: "New schedule" }));
    const form = await screen.findByRole("form", { name: "New schedule" });
    await user.type(within(form).getByLabelText("Schedule name"), "Primary");
    await user.selectOptions(within(form).getByLabelText(/Participants/), "3");
    expect(within(form).getByText(/1\. Alice Agent/)).toBeInTheDocument();
    expect(within(form).queryByRole("option", { name: "Priya Patel" })).toBeNull();
    await user.click(within(form).getByRole("button", { name: "Create schedule" }));

    const message = await within(form).findByText(/must be a time of day/, { selector: '.field-error[data-field="layers[0].handoff_time"]' });
    const handoff = within(form).getByLabelText("Handoff time");
    expect(handoff.closest(".field")).toContainElement(message);
    expect(handoff).toHaveAttribute("aria-invalid", "true");
    expect(api.find("POST", "/schedules")[0]!.body).toMatchObject({ team_id: 5, name: "Primary", layers: [{ participant_ids: [3], rotation: "weekly" }] });

    // The name stays; fixing the field creates the schedule.
    expect(within(form).getByLabelText("Schedule name")).toHaveValue("Primary");
    const field = within(form).getByLabelText("Handoff time");
    await user.clear(field);
    await user.type(field, "09:30");
    await user.click(within(form).getByRole("button", { name: "Create schedule" }));
    await waitFor(() => expect(screen.queryByRole("form", { name: "New schedule" })).toBeNull());
    expect(api.find("POST", "/schedules")).toHaveLength(2);
  });
});
