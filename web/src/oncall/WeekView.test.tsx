import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { describe, expect, it } from "vitest";
import type { Schedule, Shift, User } from "../api/types";
import { makeUser } from "../portal/testing";
import { addDays, layoutWeek, startOfWeek, WeekView } from "./WeekView";

// Local times: the view is in the browser's zone, so build the fixtures the same way.
const at = (y: number, m: number, d: number, h = 0, min = 0) => new Date(y, m - 1, d, h, min).toISOString();
const monday = new Date(2026, 10, 23); // Mon 23 Nov 2026, local midnight

const users = new Map<number, User>([
  [3, makeUser({ id: 3, display_name: "Alice Agent", role: "agent" })],
  [4, makeUser({ id: 4, display_name: "Bob Agent", role: "agent" })],
  [7, makeUser({ id: 7, display_name: "Olga Override", role: "agent" })],
]);

const shifts: Shift[] = [
  { user_id: 3, start_at: at(2026, 11, 23, 9), end_at: at(2026, 11, 24, 9) }, // Mon 09:00 → Tue 09:00
  { user_id: 4, start_at: at(2026, 11, 24, 9), end_at: at(2026, 11, 25, 12) }, // Tue → Wed noon
  { user_id: 7, start_at: at(2026, 11, 25, 12), end_at: at(2026, 11, 25, 18) }, // Wed override
  { user_id: 4, start_at: at(2026, 11, 25, 18), end_at: at(2026, 11, 26, 9) },
];
const overrides: Schedule["overrides"] = [
  { id: 1, schedule_id: 1, user_id: 7, start_at: at(2026, 11, 25, 12), end_at: at(2026, 11, 25, 18), created_by: 2, created_at: at(2026, 11, 20) },
];

describe("week layout", () => {
  it("starts weeks on Monday", () => {
    expect(startOfWeek(new Date(2026, 10, 26, 15)).getTime()).toBe(monday.getTime());
    expect(startOfWeek(new Date(2026, 10, 29, 23)).getTime()).toBe(monday.getTime()); // Sunday
    expect(startOfWeek(monday).getTime()).toBe(monday.getTime());
  });

  it("splits shifts at midnight and places them by time of day", () => {
    const segs = layoutWeek(monday, shifts, overrides);
    const alice = segs.filter((s) => s.shift.user_id === 3);
    expect(alice.map((s) => s.day)).toEqual([0, 1]);
    expect(alice[0]!.top).toBeCloseTo(37.5); // 09:00
    expect(alice[0]!.height).toBeCloseTo(62.5);
    expect(alice[0]!.continues).toBe(true);
    expect(alice[1]!.continued).toBe(true);
    expect(alice[1]!.height).toBeCloseTo(37.5);
    const olga = segs.filter((s) => s.shift.user_id === 7);
    expect(olga).toHaveLength(1);
    expect(olga[0]!.day).toBe(2);
    expect(olga[0]!.override).toBe(true);
    expect(segs.filter((s) => s.override)).toHaveLength(1);
  });
});

function Harness({ now }: { now: number }) {
  const [week, setWeek] = useState(monday);
  const shown = shifts.filter((s) => Date.parse(s.end_at) > week.getTime() && Date.parse(s.start_at) < addDays(week, 7).getTime());
  return (
    <WeekView
      weekStart={week}
      shifts={shown}
      overrides={overrides}
      users={users}
      now={now}
      onPrev={() => setWeek((w) => addDays(w, -7))}
      onNext={() => setWeek((w) => addDays(w, 7))}
      onToday={() => setWeek(monday)}
    />
  );
}

describe("WeekView", () => {
  it("puts shift blocks in their day columns, overrides distinct, with a now marker", () => {
    render(<Harness now={new Date(2026, 10, 25, 14, 0).getTime()} />);
    const days = screen.getAllByTestId("week-day");
    expect(days).toHaveLength(7);
    const names = (day: number) => within(days[day]!).queryAllByTestId("shift-block").map((b) => b.querySelector(".wk-block-name")!.textContent);
    expect(names(0)).toEqual(["Alice Agent"]);
    expect(names(1)).toEqual(["Alice Agent", "Bob Agent"]);
    expect(names(2)).toEqual(["Bob Agent", "Olga Override", "Bob Agent"]);
    expect(names(3)).toEqual(["Bob Agent"]);
    expect(names(4)).toEqual([]);

    const olga = within(days[2]!).getAllByTestId("shift-block").find((b) => b.dataset.userId === "7")!;
    expect(olga).toHaveClass("wk-override");
    expect(olga.dataset.override).toBe("true");
    expect(olga.style.top).toBe("50%");
    expect(olga.style.height).toBe("25%");
    expect(within(days[0]!).getByTestId("shift-block")).not.toHaveClass("wk-override");

    // "Now" (Wed 14:00) is in Wednesday's column, 14/24 down.
    const marker = screen.getByTestId("now-marker");
    expect(days[2]).toContainElement(marker);
    expect(parseFloat(marker.style.top)).toBeCloseTo((14 / 24) * 100);
    expect(days[2]).toHaveClass("wk-today");
  });

  it("moves a week back and forth", async () => {
    render(<Harness now={new Date(2026, 10, 25, 14, 0).getTime()} />);
    const user = userEvent.setup();
    const label = () => screen.getByTestId("week-label").textContent;
    const first = label();
    expect(screen.getByRole("button", { name: "This week" })).toBeDisabled();

    await user.click(screen.getByRole("button", { name: "Next week" }));
    expect(label()).not.toBe(first);
    expect(within(screen.getAllByTestId("week-day")[0]!).getByText(String(addDays(monday, 7).getDate()))).toBeInTheDocument();
    expect(screen.queryAllByTestId("shift-block")).toHaveLength(0);
    expect(screen.queryByTestId("now-marker")).toBeNull();
    expect(screen.getByText("Nobody is on call this week.")).toBeInTheDocument();

    await user.click(screen.getByRole("button", { name: "Previous week" }));
    await user.click(screen.getByRole("button", { name: "Previous week" }));
    expect(within(screen.getAllByTestId("week-day")[0]!).getByText(String(addDays(monday, -7).getDate()))).toBeInTheDocument();

    await user.click(screen.getByRole("button", { name: "This week" }));
    expect(label()).toBe(first);
    expect(screen.getAllByTestId("shift-block").length).toBeGreaterThan(0);
  });
});
