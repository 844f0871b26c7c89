import { describe, expect, it } from "vitest";
import type { TicketEvent } from "../api/types";
import { describeEvent, makeNames } from "./history";

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
