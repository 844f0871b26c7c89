import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { SlaPolicyWithPause } from "../api/automation";
import type { Calendar } from "../api/types";
import { apiError, makeUser, mockApi, renderPage } from "../portal/testing";
import SlaSettings, { parseHolidays, parseIntervals } from "./Sla";

afterEach(() => vi.unstubAllGlobals());

const lead = makeUser({ id: 2, display_name: "Lena Lead", role: "lead" });
const route = { path: "/admin/sla", url: "/admin/sla" };

describe("SLA settings", () => {
  it("parses hours and holidays as typed", () => {
    expect(parseIntervals("09:00-12:00, 13:00 – 17:00")).toEqual([
      { start: "09:00", end: "12:00" },
      { start: "13:00", end: "17:00" },
    ]);
    expect(parseIntervals("  ")).toEqual([]);
    expect(parseHolidays("2026-12-25 Christmas (yearly)\n\n2026-05-01")).toEqual([
      { date: "2026-12-25", name: "Christmas", recurring: true },
      { date: "2026-05-01", recurring: false },
    ]);
  });

  it("shows the API's field errors next to the calendar fields", async () => {
    let calendars: Calendar[] = [];
    const api = mockApi(
      {
        "GET /calendars": () => ({ body: { items: calendars, next_cursor: null } }),
        "GET /sla-policies": { body: { items: [], next_cursor: null } },
        "GET /queues": { body: { items: [], next_cursor: null } },
        "POST /calendars": (call) => {
          const body = call.body as Calendar;
          if (body.time_zone !== "Europe/Berlin") {
            return apiError(422, "invalid_argument", "calendar is not valid", {
              time_zone: "is not a known IANA time zone, such as Europe/Berlin",
              "hours.mon[0].start": "must be a time HH:MM from 00:00 to 23:59",
            });
          }
          const c = { ...body, id: 1, created_at: "", updated_at: "" } as Calendar;
          calendars = [c];
          return { status: 201, body: c };
        },
      },
      lead,
    );
    renderPage(<SlaSettings />, route);
    expect(await screen.findByText("No business calendars yet")).toBeInTheDocument();
    const user = userEvent.setup();
    await user.click(screen.getByRole("button", { name: "New calendar" }));
    const form = screen.getByRole("form", { name: "New business calendar" });
    await user.type(within(form).getByLabelText("Name"), "Berlin office");
    await user.clear(within(form).getByLabelText("Time zone"));
    await user.type(within(form).getByLabelText("Time zone"), "Mars/Base");
    await user.clear(within(form).getByLabelText("Monday"));
    await user.type(within(form).getByLabelText("Monday"), "9-17:00");
    await user.type(within(form).getByLabelText("Holidays"), "2026-12-25 Christmas (yearly)");
    await user.click(within(form).getByRole("button", { name: "Create calendar" }));

    const zoneError = await within(form).findByText(/not a known IANA time zone/);
    expect(within(form).getByLabelText("Time zone").closest(".field")).toContainElement(zoneError);
    expect(within(form).getByLabelText("Time zone")).toHaveAttribute("aria-invalid", "true");
    const monError = within(form).getByText(/must be a time HH:MM/);
    expect(within(form).getByLabelText("Monday").parentElement).toContainElement(monError);
    expect(within(form).getByLabelText("Monday")).toHaveAttribute("aria-invalid", "true");
    expect(within(form).getByLabelText("Tuesday")).not.toHaveAttribute("aria-invalid");
    expect(api.find("POST", "/calendars")[0]!.body).toMatchObject({
      name: "Berlin office",
      hours: { mon: [{ start: "9", end: "17:00" }], tue: [{ start: "09:00", end: "17:00" }], sat: [] },
      holidays: [{ date: "2026-12-25", name: "Christmas", recurring: true }],
    });

    await user.clear(within(form).getByLabelText("Time zone"));
    await user.type(within(form).getByLabelText("Time zone"), "Europe/Berlin");
    await user.click(within(form).getByRole("button", { name: "Create calendar" }));
    await waitFor(() => expect(screen.queryByRole("form", { name: "New business calendar" })).toBeNull());
    expect(await screen.findByTestId("calendar")).toHaveTextContent("Berlin office");
  });

  it("sets and shows “Pause while waiting on engineering”", async () => {
    const calendar = { id: 1, name: "Berlin office", time_zone: "Europe/Berlin", hours: {}, holidays: [], created_at: "", updated_at: "" };
    let policies: SlaPolicyWithPause[] = [
      {
        id: 3,
        name: "Urgent incidents",
        position: 0,
        calendar_id: 1,
        conditions: { priorities: ["urgent"] },
        targets: { first_response: 30 },
        pause_on: ["pending"],
        warn_at_percent: 75,
        pause_while_escalated: true,
        created_at: "",
        updated_at: "",
      },
    ];
    const api = mockApi(
      {
        "GET /calendars": { body: { items: [calendar], next_cursor: null } },
        "GET /sla-policies": () => ({ body: { items: policies, next_cursor: null } }),
        "GET /queues": { body: { items: [], next_cursor: null } },
        "PATCH /sla-policies/3": (call) => {
          policies = policies.map((p) => ({ ...p, ...(call.body as Partial<SlaPolicyWithPause>) }));
          return { body: policies[0] };
        },
        "POST /sla-policies": (call) => {
          const p = { ...(call.body as SlaPolicyWithPause), id: 4, position: 1, created_at: "", updated_at: "" };
          policies = [...policies, p];
          return { status: 201, body: p };
        },
      },
      lead,
    );
    renderPage(<SlaSettings />, route);
    const row = await screen.findByTestId("sla-policy");
    expect(within(row).getByTestId("sla-policy-paused")).toHaveTextContent("Pending, waiting on engineering");

    const user = userEvent.setup();
    await user.click(within(row).getByRole("button", { name: "Edit" }));
    const form = screen.getByRole("form", { name: "Edit Urgent incidents" });
    const box = within(form).getByLabelText("Pause while waiting on engineering");
    expect(box).toBeChecked();
    await user.click(box);
    await user.click(within(form).getByRole("button", { name: "Save policy" }));
    await waitFor(() => expect(within(row).getByTestId("sla-policy-paused")).toHaveTextContent(/^Pending$/));
    expect(api.find("PATCH", "/sla-policies/3")[0]!.body).toMatchObject({ pause_while_escalated: false });

    await user.click(screen.getByRole("button", { name: "New policy" }));
    const create = screen.getByRole("form", { name: "New SLA policy" });
    expect(within(create).getByLabelText("Pause while waiting on engineering")).not.toBeChecked();
    await user.type(within(create).getByLabelText("Name"), "Engineering tickets");
    await user.click(within(create).getByLabelText("Pause while waiting on engineering"));
    await user.click(within(create).getByRole("button", { name: "Create policy" }));
    await waitFor(() => expect(screen.getAllByTestId("sla-policy")).toHaveLength(2));
    expect(api.find("POST", "/sla-policies")[0]!.body).toMatchObject({ name: "Engineering tickets", pause_while_escalated: true });
    expect(within(screen.getAllByTestId("sla-policy")[1]!).getByTestId("sla-policy-paused")).toHaveTextContent("waiting on engineering");
  });

  it("sets requester groups on a policy and shows them in the list", async () => {
    const calendar = { id: 1, name: "Berlin office", time_zone: "Europe/Berlin", hours: {}, holidays: [], created_at: "", updated_at: "" };
    let policies: SlaPolicyWithPause[] = [
      {
        id: 3,
        name: "Finance tickets",
        position: 0,
        calendar_id: 1,
        conditions: { priorities: [], queue_ids: [], tags: [], requester_groups: ["finance"] },
        targets: { first_response: 60 },
        pause_on: ["pending"],
        warn_at_percent: 75,
        pause_while_escalated: false,
        created_at: "",
        updated_at: "",
      },
    ];
    const api = mockApi(
      {
        "GET /calendars": { body: { items: [calendar], next_cursor: null } },
        "GET /sla-policies": () => ({ body: { items: policies, next_cursor: null } }),
        "GET /queues": { body: { items: [], next_cursor: null } },
        "PATCH /sla-policies/3": (call) => {
          policies = policies.map((p) => ({ ...p, ...(call.body as Partial<SlaPolicyWithPause>) }));
          return { body: policies[0] };
        },
      },
      lead,
    );
    renderPage(<SlaSettings />, route);
    const row = await screen.findByTestId("sla-policy");
    expect(row).toHaveTextContent("group finance");

    const user = userEvent.setup();
    await user.click(within(row).getByRole("button", { name: "Edit" }));
    const form = screen.getByRole("form", { name: "Edit Finance tickets" });
    const groups = within(form).getByLabelText("Requester groups (any of)");
    expect(groups).toHaveValue("finance");
    await user.type(groups, ", legal  ops");
    await user.click(within(form).getByRole("button", { name: "Save policy" }));
    await waitFor(() => expect(screen.queryByRole("form", { name: "Edit Finance tickets" })).toBeNull());
    expect(api.find("PATCH", "/sla-policies/3")[0]!.body).toMatchObject({
      conditions: { requester_groups: ["finance", "legal", "ops"], tags: [] },
    });
    await waitFor(() => expect(screen.getByTestId("sla-policy")).toHaveTextContent("group finance/legal/ops"));
  });

  it("shows fields.conditions.requester_groups next to Requester groups", async () => {
    const calendar = { id: 1, name: "Berlin office", time_zone: "Europe/Berlin", hours: {}, holidays: [], created_at: "", updated_at: "" };
    const api = mockApi(
      {
        "GET /calendars": { body: { items: [calendar], next_cursor: null } },
        "GET /sla-policies": { body: { items: [], next_cursor: null } },
        "GET /queues": { body: { items: [], next_cursor: null } },
        "POST /sla-policies": apiError(422, "invalid_argument", "SLA policy is not valid", {
          "conditions.requester_groups": "each group must be 1-64 letters, digits, '-', '_' or '.'",
        }),
      },
      lead,
    );
    renderPage(<SlaSettings />, route);
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "New policy" }));
    const form = screen.getByRole("form", { name: "New SLA policy" });
    await user.type(within(form).getByLabelText("Name"), "Finance tickets");
    await user.type(within(form).getByLabelText("Requester groups (any of)"), "finance, r&d");
    await user.click(within(form).getByRole("button", { name: "Create policy" }));

    const message = await within(form).findByText(/each group must be 1-64/);
    const groups = within(form).getByLabelText("Requester groups (any of)");
    expect(groups.closest(".field")).toContainElement(message);
    expect(groups).toHaveAttribute("aria-invalid", "true");
    expect(groups).toHaveValue("finance, r&d");
    expect(within(form).getByLabelText("Tags (any of)")).not.toHaveAttribute("aria-invalid");
    expect(api.find("POST", "/sla-policies")[0]!.body).toMatchObject({ conditions: { requester_groups: ["finance", "r&d"] } });
  });
});
