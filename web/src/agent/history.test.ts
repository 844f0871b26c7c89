import { describe, expect, it } from "vitest";
import type { TicketEvent } from "../api/types";
import { describeEvent, eventHasActor, makeNames } from "./history";
import { shortTime } from "./SlaPanel";

const names = makeNames(new Map([[7, "Frank Engineer"]]), []);

function event(kind: string, after: object): TicketEvent {
  return {
    id: 1,
    ticket_id: 1,
    actor_id: 3,
    at: "2026-11-25T09:00:00Z",
    kind,
    field: "escalation",
    before: null,
    after: JSON.stringify(after),
    internal: true,
  };
}

describe("escalation events in the history", () => {
  it("reads the JSON each escalation event carries", () => {
    expect(describeEvent(event("escalated", { severity: "sev2", tier: "engineering", reason: "Queries fail" }), names)).toBe(
      "escalated the ticket (sev2, engineering): Queries fail",
    );
    expect(describeEvent(event("escalation_paged", { user_id: 7, level: 0, channel: "email" }), names)).toBe(
      "paged Frank Engineer at level 1 by email",
    );
    expect(describeEvent(event("escalation_paged", { user_id: null, level: 1, channel: "none" }), names)).toBe(
      "found nobody on call to page at level 2",
    );
    expect(describeEvent(event("escalation_advanced", { to_level: 1, after_ms: 15 * 60000 }), names)).toBe(
      "escalated to level 2: no acknowledgement after 15 min",
    );
    expect(describeEvent(event("escalation_acknowledged", { via: "link", ack_after_ms: 90 * 60000 }), names)).toBe(
      "acknowledged the escalation by the link in the page after 1 h 30 min",
    );
    expect(describeEvent(event("escalation_cancelled", { after_ms: 45000 }), names)).toBe(
      "de-escalated the ticket after 45 s",
    );
  });

  it("falls back to the kind when the payload is not JSON", () => {
    const e = { ...event("escalation_resolved", {}), after: "not json" };
    expect(describeEvent(e, names)).toBe("escalation resolved");
  });
});

describe("SLA events in the history", () => {
  const due = "2026-11-25T14:00:00Z";

  it("says which clock is at risk or breached, when it is due and under which policy", () => {
    const data = { target: "first_response", policy: "Standard", policy_id: 2, due_at: due, started_at: 1, target_minutes: 60 };
    expect(describeEvent(event("sla_warning", data), names)).toBe(`SLA first response at risk: due ${shortTime(due)} (policy Standard)`);
    expect(describeEvent(event("sla_breached", { ...data, target: "resolution", breached_at: due }), names)).toBe(
      `SLA resolution breached: was due ${shortTime(due)} (policy Standard)`,
    );
    expect(describeEvent(event("sla_warning", { target: "next_response", policy: "Gold", due_at: null }), names)).toBe(
      "SLA next response at risk (policy Gold)",
    );
  });

  it("reads the pauses while engineering works, and stands without an actor", () => {
    const paused = event("sla_paused", { escalation_id: 3, reason: "waiting on engineering (escalation 3)" });
    expect(describeEvent(paused, names)).toBe("SLA clocks paused: waiting on engineering (escalation 3)");
    expect(describeEvent(event("sla_resumed", { escalation_id: 3, reason: "escalation 3 resolved" }), names)).toBe(
      "SLA clocks resumed: escalation 3 resolved",
    );
    expect(describeEvent({ ...paused, after: "oops" }, names)).toBe("SLA paused");
    expect(eventHasActor(paused)).toBe(false);
    expect(eventHasActor(event("sla_warning", {}))).toBe(false);
    expect(eventHasActor(event("escalation_responded", {}))).toBe(true);
  });

  it("reads the engineering team's first response to an escalation", () => {
    expect(describeEvent(event("escalation_responded", { escalation_id: 3, by: 7, internal: true, response_after_ms: 12 * 60000 }), names)).toBe(
      "responded to escalation 3 with an internal note after 12 min",
    );
    expect(describeEvent(event("escalation_responded", { escalation_id: 4, by: 7, internal: false, response_after_ms: 30000 }), names)).toBe(
      "responded to escalation 4 after 30 s",
    );
  });
});
