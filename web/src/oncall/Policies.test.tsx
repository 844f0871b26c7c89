import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { EscalationPolicy, Schedule } from "../api/types";
import { apiError, makeUser, mockApi, renderPage } from "../portal/testing";
import Policies from "./Policies";

afterEach(() => vi.unstubAllGlobals());

const lead = makeUser({ id: 2, display_name: "Lena Lead", role: "lead" });
const alice = makeUser({ id: 3, display_name: "Alice Agent", role: "agent" });
const schedule = { id: 1, team_id: 5, name: "Primary", time_zone: "UTC", layers: [], overrides: [] } as unknown as Schedule;
const policy: EscalationPolicy = {
  id: 4,
  team_id: 5,
  name: "Ingestion outages",
  description: "",
  levels: [
    { targets: [{ type: "schedule", id: 1 }], ack_timeout_minutes: 15 },
    { targets: [{ type: "team_on_call", id: 5 }, { type: "user", id: 3 }], ack_timeout_minutes: 30 },
  ],
  repeat: 1,
  notify_lead_when_exhausted: true,
  queue_ids: [],
  created_at: "",
  updated_at: "",
};

function policiesApi() {
  let policies = [policy];
  return mockApi(
    {
      "GET /users": { body: { items: [lead, alice], next_cursor: null } },
      "GET /teams": { body: { items: [{ id: 5, name: "ingestion-eng", description: "", member_ids: [], created_at: "" }], next_cursor: null } },
      "GET /queues": { body: { items: [{ id: 7, name: "ingestion", team_id: 5, description: "", created_at: "" }], next_cursor: null } },
      "GET /schedules": { body: { items: [schedule], next_cursor: null } },
      "GET /escalation-policies": () => ({ body: { items: policies, next_cursor: null } }),
      "PUT /queues/7/escalation-policy": (call) => {
        const id = (call.body as { escalation_policy_id: number }).escalation_policy_id;
        policies = policies.map((p) => (p.id === id ? { ...p, queue_ids: [7] } : p));
        return { body: { queue_id: 7, escalation_policy_id: id } };
      },
      "POST /escalation-policies": apiError(422, "invalid_argument", "escalation policy is not valid", {
        "levels[0].ack_timeout_minutes": "must be from 1 to 1440",
      }),
    },
    lead,
  );
}

describe("Escalation policies", () => {
  it("describes each level's targets and assigns a policy to a queue", async () => {
    const api = policiesApi();
    renderPage(<Policies />, { path: "/oncall/policies", url: "/oncall/policies" });
    const card = await screen.findByTestId("escalation-policy");
    await within(card).findByText("Primary (schedule)");
    expect(within(card).getByText("ingestion-eng on call")).toBeInTheDocument();
    expect(within(card).getByText("Alice Agent")).toBeInTheDocument();
    expect(card).toHaveTextContent("No queues");

    const user = userEvent.setup();
    const assign = await screen.findByRole("form", { name: "Queue escalation" });
    await user.selectOptions(within(assign).getByLabelText("Escalation policy"), "4");
    await user.click(within(assign).getByRole("button", { name: "Assign" }));
    await waitFor(() => expect(card).toHaveTextContent("Queues: ingestion"));
    expect(api.find("PUT", "/queues/7/escalation-policy")[0]!.body).toEqual({ escalation_policy_id: 4 });
  });

  it("shows a level's field error next to it", async () => {
    policiesApi();
    renderPage(<Policies />, { path: "/oncall/policies", url: "/oncall/policies" });
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "New policy" }));
    const form = await screen.findByRole("form", { name: "New escalation policy" });
    await user.type(within(form).getByLabelText("Name"), "Pager");
    const ack = within(form).getByLabelText("Escalate after (min)");
    await user.clear(ack);
    await user.type(ack, "0");
    await user.click(within(form).getByRole("button", { name: "Create policy" }));
    const message = await within(form).findByText("must be from 1 to 1440");
    expect(ack.closest(".field")).toContainElement(message);
  });
});
