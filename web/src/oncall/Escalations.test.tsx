import { screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { EscalationWithClocks } from "../api/automation";
import { makeUser, mockApi, renderPage } from "../portal/testing";
import Escalations from "./Escalations";

afterEach(() => vi.unstubAllGlobals());

const lead = makeUser({ id: 2, display_name: "Lena Lead", role: "lead" });
const eng = makeUser({ id: 4, display_name: "Erin Engineer", role: "agent" });
const minutesFromNow = (m: number) => new Date(Date.now() + m * 60_000).toISOString().replace(/\.\d{3}Z$/, "Z");

function escalation(over: Partial<EscalationWithClocks>): EscalationWithClocks {
  return {
    id: 1,
    ticket_id: 11,
    policy_id: 4,
    tier: "engineering",
    severity: "sev2",
    reason: "Ingestion stalled",
    state: "triggered",
    open: true,
    level: 0,
    step: 0,
    created_by: 2,
    created_at: minutesFromNow(-20),
    updated_at: minutesFromNow(-20),
    acknowledged_by: null,
    acknowledged_at: null,
    resolved_by: null,
    resolved_at: null,
    cancelled_by: null,
    cancelled_at: null,
    rule_id: null,
    responded_by: null,
    responded_at: null,
    clocks: {
      acknowledge: { target_minutes: 15, due_at: minutesFromNow(-5), met_at: null, state: "breached" },
      response: { target_minutes: 240, due_at: minutesFromNow(220), met_at: null, state: "running" },
    },
    ...over,
  };
}

describe("Open escalations", () => {
  it("shows both clocks with their state and marks rule-created escalations", async () => {
    mockApi(
      {
        "GET /escalations": {
          body: {
            items: [
              escalation({}),
              escalation({
                id: 2,
                ticket_id: 12,
                rule_id: 3,
                created_by: null,
                state: "acknowledged",
                acknowledged_by: 4,
                acknowledged_at: minutesFromNow(-10),
                responded_by: 4,
                responded_at: minutesFromNow(-3),
                clocks: {
                  acknowledge: { target_minutes: 15, due_at: minutesFromNow(-5), met_at: minutesFromNow(-10), state: "met" },
                  response: { target_minutes: 240, due_at: minutesFromNow(220), met_at: minutesFromNow(-3), state: "met" },
                },
              }),
            ],
            next_cursor: null,
          },
        },
        "GET /users": { body: { items: [lead, eng], next_cursor: null } },
        "GET /escalation-rules": {
          body: {
            items: [
              {
                id: 3,
                name: "Urgent unanswered",
                trigger: "unanswered",
                minutes: 15,
                priorities: ["urgent"],
                queue_ids: [],
                tier: "engineering",
                severity: "sev2",
                enabled: true,
                created_at: "",
                updated_at: "",
              },
            ],
            next_cursor: null,
          },
        },
      },
      lead,
    );
    renderPage(<Escalations />, { path: "/oncall/escalations", url: "/oncall/escalations" });
    const rows = await screen.findAllByTestId("escalation-row");
    expect(rows).toHaveLength(2);

    // A manual escalation: nobody acknowledged in time, the response clock runs.
    expect(within(rows[0]!).queryByTestId("escalation-automatic")).toBeNull();
    const ack = within(rows[0]!).getByTestId("clock-ack");
    expect(ack).toHaveAttribute("data-state", "breached");
    expect(ack).toHaveTextContent("Breached");
    expect(ack).toHaveTextContent("was due 5 min ago");
    const response = within(rows[0]!).getByTestId("clock-response");
    expect(response).toHaveAttribute("data-state", "running");
    expect(response).toHaveTextContent(/Running\s*due in 4 h/);

    // Created by a rule: marked, both clocks met.
    const auto = within(rows[1]!).getByTestId("escalation-automatic");
    expect(auto).toHaveTextContent("automatic");
    await vi.waitFor(() => expect(auto).toHaveAttribute("title", "Created by the rule “Urgent unanswered”"));
    expect(within(rows[1]!).getByTestId("clock-ack")).toHaveTextContent("Met");
    expect(within(rows[1]!).getByTestId("clock-ack")).toHaveTextContent("met 10 min ago");
    expect(within(rows[1]!).getByTestId("clock-response")).toHaveTextContent("met 3 min ago");
    expect(await within(rows[1]!).findByText("by Erin Engineer")).toBeInTheDocument();
  });
});
