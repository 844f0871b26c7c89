import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { absoluteTime } from "../components/format";
import { dueIn, dueState, SlaDueBadge } from "./SlaDue";
import { ticket } from "./test-utils";

const NOW = Date.parse("2026-11-25T12:00:00Z");
const at = (minutes: number) => new Date(NOW + minutes * 60_000).toISOString();
const fromNow = (minutes: number) => new Date(Date.now() + minutes * 60_000).toISOString();

describe("dueState", () => {
  it("is breached once past due, at risk from the warning instant, on track before", () => {
    expect(dueState({ sla_due_at: at(-1), sla_warn_at: at(-20) }, NOW)).toBe("breached");
    expect(dueState({ sla_due_at: at(10), sla_warn_at: at(-5) }, NOW)).toBe("at_risk");
    expect(dueState({ sla_due_at: at(10), sla_warn_at: at(0) }, NOW)).toBe("at_risk"); // warn_at <= now
    expect(dueState({ sla_due_at: at(0), sla_warn_at: at(-5) }, NOW)).toBe("at_risk"); // due == now is not past due
    expect(dueState({ sla_due_at: at(60), sla_warn_at: at(30) }, NOW)).toBe("on_track");
    expect(dueState({ sla_due_at: at(60), sla_warn_at: null }, NOW)).toBe("on_track");
  });

  it("is none without a running clock (null, absent or unreadable)", () => {
    expect(dueState({ sla_due_at: null, sla_warn_at: null }, NOW)).toBe("none");
    expect(dueState({}, NOW)).toBe("none");
    expect(dueState({ sla_due_at: "soon", sla_warn_at: null }, NOW)).toBe("none");
  });
});

describe("dueIn", () => {
  it("says how far ahead or behind, in wall time", () => {
    expect(dueIn(at(12), NOW)).toBe("in 12 min");
    expect(dueIn(at(0.2), NOW)).toBe("in < 1 min");
    expect(dueIn(at(-0.2), NOW)).toBe("just now");
    expect(dueIn(at(-40), NOW)).toBe("40 min ago");
    expect(dueIn(at(-180), NOW)).toBe("3 h ago");
    expect(dueIn(at(150), NOW)).toBe("in 3 h");
    expect(dueIn(at(3 * 24 * 60), NOW)).toBe("in 3 d");
  });
});

describe("SlaDueBadge", () => {
  it("colours the list cell by state, with the state in words and the absolute time on hover", () => {
    const due = fromNow(12);
    render(<SlaDueBadge ticket={ticket(1, { sla_due_at: due, sla_warn_at: fromNow(-3) })} />);
    const badge = screen.getByTestId("sla-due");
    expect(badge).toHaveAttribute("data-sla-state", "at_risk");
    expect(badge).toHaveClass("badge", "sla-due-at_risk");
    expect(badge).toHaveTextContent(/^At risk: in 1[12] min$/);
    expect(badge).toHaveAttribute("title", `At risk: due ${absoluteTime(due)}`);
  });

  it("says breached and how long ago", () => {
    const due = fromNow(-180);
    render(<SlaDueBadge ticket={ticket(1, { sla_due_at: due, sla_warn_at: fromNow(-200) })} verbose />);
    const badge = screen.getByTestId("sla-due");
    expect(badge).toHaveClass("sla-due-breached");
    expect(badge).toHaveTextContent("SLA breached 3 h ago");
    expect(badge).toHaveAttribute("title", `Breached: was due ${absoluteTime(due)}`);
  });

  it("is neutral while on track", () => {
    render(<SlaDueBadge ticket={ticket(1, { sla_due_at: fromNow(300), sla_warn_at: fromNow(200) })} verbose />);
    expect(screen.getByTestId("sla-due")).toHaveAttribute("data-sla-state", "on_track");
    expect(screen.getByTestId("sla-due")).toHaveTextContent("SLA due in 5 h");
  });

  it("shows a dash in the list and nothing in the header without a due", () => {
    const { rerender } = render(<SlaDueBadge ticket={ticket(1, { sla_due_at: null, sla_warn_at: null })} />);
    expect(screen.getByTestId("sla-due")).toHaveTextContent("—");
    expect(screen.getByTestId("sla-due")).toHaveAttribute("data-sla-state", "none");
    rerender(<SlaDueBadge ticket={ticket(1, { sla_due_at: null, sla_warn_at: null })} verbose />);
    expect(screen.queryByTestId("sla-due")).not.toBeInTheDocument();
  });
});
