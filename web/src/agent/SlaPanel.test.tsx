import { render, screen, within } from "@testing-library/react";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { SlaTarget, TicketSla } from "../api/types";
import { formatDuration, SlaPanel, SlaTargets, slaSummary, slaTone } from "./SlaPanel";
import { mockApi } from "../portal/testing";

afterEach(() => vi.unstubAllGlobals());

const target = (over: Partial<SlaTarget> = {}): SlaTarget => ({
  kind: "first_response",
  target_minutes: 240,
  state: "running",
  due_at: "2026-11-25T14:30:00Z",
  warn_at: "2026-11-25T13:30:00Z",
  warning: false,
  remaining_minutes: 135,
  met_at: null,
  breached_at: null,
  ...over,
});

const sla = (targets: SlaTarget[]): TicketSla => ({ ticket_id: 7, policy: { id: 1, name: "Urgent incidents" }, targets });

function renderPanel(body: TicketSla) {
  mockApi({ "GET /tickets/7/sla": { body } });
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <QueryClientProvider client={client}>
      <div data-testid="host">
        <SlaPanel ticketId={7} />
      </div>
    </QueryClientProvider>,
  );
}

describe("SLA formatting", () => {
  it("formats business durations", () => {
    expect(formatDuration(0)).toBe("0 min");
    expect(formatDuration(40)).toBe("40 min");
    expect(formatDuration(60)).toBe("1 h");
    expect(formatDuration(135)).toBe("2 h 15 min");
    expect(formatDuration(-40)).toBe("40 min");
    expect(formatDuration(60 * 50)).toBe("2 d 2 h");
  });

  it("says what is left, how long ago it was breached, or that it was met", () => {
    expect(slaSummary(target())).toBe("2 h 15 min left");
    expect(slaSummary(target({ state: "breached", remaining_minutes: -40, breached_at: "2026-11-25T10:00:00Z" }))).toBe("breached 40 min ago");
    expect(slaSummary(target({ state: "breached", remaining_minutes: -14, met_at: "2026-11-25T10:14:00Z" }))).toBe("breached by 14 min");
    expect(slaSummary(target({ state: "paused", remaining_minutes: 90 }))).toBe("paused · 1 h 30 min left");
    expect(slaSummary(target({ state: "met", remaining_minutes: 20, met_at: "2026-11-25T10:00:00Z" }))).toBe("met");
  });

  it("colours by state", () => {
    expect(slaTone(target())).toBe("ok");
    expect(slaTone(target({ warning: true }))).toBe("warning");
    expect(slaTone(target({ state: "breached", remaining_minutes: -1 }))).toBe("breached");
    expect(slaTone(target({ state: "met" }))).toBe("met");
    expect(slaTone(target({ state: "paused" }))).toBe("paused");
  });
});

describe("SlaPanel", () => {
  it("lists each target with its time, state and colour", async () => {
    renderPanel(
      sla([
        target({ kind: "first_response", state: "breached", remaining_minutes: -40, breached_at: "2026-11-25T10:00:00Z" }),
        target({ kind: "next_response", warning: true, remaining_minutes: 25 }),
        target({ kind: "resolution", state: "paused", remaining_minutes: 300 }),
      ]),
    );
    const panel = await screen.findByTestId("sla-panel");
    expect(within(panel).getByText(/Urgent incidents/)).toBeInTheDocument();
    const rows = within(panel).getAllByTestId("sla-target");
    expect(rows.map((r) => r.dataset.tone)).toEqual(["breached", "warning", "paused"]);
    expect(rows[0]).toHaveClass("sla-breached");
    expect(within(rows[0]!).getByText("First response")).toBeInTheDocument();
    expect(within(rows[0]!).getByText("breached 40 min ago")).toBeInTheDocument();
    expect(within(rows[0]!).getByText("Breached")).toBeInTheDocument();
    expect(within(rows[1]!).getByText("25 min left")).toBeInTheDocument();
    expect(within(rows[1]!).getByText("Due soon")).toBeInTheDocument();
    expect(within(rows[2]!).getByText("paused · 5 h left")).toBeInTheDocument();
    // The due time is there, with the exact time on hover.
    const due = rows[1]!.querySelector("time")!;
    expect(due.getAttribute("datetime")).toBe("2026-11-25T14:30:00Z");
    expect(due.textContent).toMatch(/^due /);
  });

  it("shows when a target was met", () => {
    render(<SlaTargets sla={sla([target({ state: "met", met_at: "2026-11-25T09:05:00Z", remaining_minutes: 50 })])} />);
    const row = screen.getByTestId("sla-target");
    expect(row).toHaveClass("sla-met");
    expect(row.querySelector("time")!.getAttribute("datetime")).toBe("2026-11-25T09:05:00Z");
    expect(row.querySelector("time")!.textContent).toMatch(/^at /);
  });

  it("is hidden when no policy applies", async () => {
    const api = mockApi({ "GET /tickets/7/sla": { body: { ticket_id: 7, policy: null, targets: [] } } });
    const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    render(
      <QueryClientProvider client={client}>
        <SlaPanel ticketId={7} />
      </QueryClientProvider>,
    );
    await vi.waitFor(() => expect(api.find("GET", "/tickets/7/sla")).toHaveLength(1));
    await new Promise((r) => setTimeout(r, 20));
    expect(screen.queryByTestId("sla-panel")).toBeNull();
  });
});
