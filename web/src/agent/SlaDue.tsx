// A ticket's SLA due time as one badge, for the workspace's Due column and the
// ticket header. It reads the ticket's own sla_due_at / sla_warn_at (the
// nearest of its running clocks), so a list of 50 needs no SLA request per row.
import { useEffect, useState } from "react";
import type { Ticket } from "../api/types";
import { absoluteTime } from "../components/format";

export type DueState = "breached" | "at_risk" | "on_track" | "none";

export const DUE_LABELS: Record<DueState, string> = {
  breached: "Breached",
  at_risk: "At risk",
  on_track: "On track",
  none: "No SLA due",
};

// Breached once past due (the server's "past due": due < now), at risk from
// the warning instant on, otherwise on track. No due: no clock is running.
export function dueState(t: Pick<Ticket, "sla_due_at" | "sla_warn_at">, now: number): DueState {
  const due = t.sla_due_at ? Date.parse(t.sla_due_at) : NaN;
  if (Number.isNaN(due)) return "none";
  if (due < now) return "breached";
  const warn = t.sla_warn_at ? Date.parse(t.sla_warn_at) : NaN;
  if (!Number.isNaN(warn) && warn <= now) return "at_risk";
  return "on_track";
}

// "in 12 min", "in 3 h", "in 2 d" ahead; "12 min ago", "3 h ago" behind. Wall
// time, unlike the SLA panel's business minutes: this is when, not how much.
export function dueIn(iso: string, now: number): string {
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return iso;
  const ahead = at >= now;
  const minutes = Math.round(Math.abs(at - now) / 60_000);
  let amount: string;
  if (minutes < 1) return ahead ? "in < 1 min" : "just now";
  if (minutes < 60) amount = `${minutes} min`;
  else if (minutes < 48 * 60) amount = `${Math.round(minutes / 60)} h`;
  else amount = `${Math.round(minutes / (24 * 60))} d`;
  return ahead ? `in ${amount}` : `${amount} ago`;
}

// Re-renders every 30 s: the state moves with the clock even when the ticket
// does not (a list left open turns amber when the warning instant passes).
export function useNow(everyMs = 30_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}

// The list cell shows just the relative time ("in 12 min"); `verbose` (the
// ticket header) says what it is ("SLA at risk: due in 12 min") and shows
// nothing when no clock runs. The state is also in words for screen readers,
// not only in the colour.
export function SlaDueBadge({ ticket, verbose = false }: { ticket: Ticket; verbose?: boolean }) {
  const now = useNow();
  const state = dueState(ticket, now);
  if (state === "none") {
    if (verbose) return null;
    return (
      <span className="muted" data-testid="sla-due" data-sla-state="none" title={DUE_LABELS.none}>
        —
      </span>
    );
  }
  const due = ticket.sla_due_at!;
  const when = dueIn(due, now);
  const text = !verbose
    ? when
    : state === "breached"
      ? `SLA breached ${when}`
      : state === "at_risk"
        ? `SLA at risk: due ${when}`
        : `SLA due ${when}`;
  return (
    <span
      className={`badge sla-due sla-due-${state}`}
      data-testid="sla-due"
      data-sla-state={state}
      title={`${DUE_LABELS[state]}: ${state === "breached" ? "was due" : "due"} ${absoluteTime(due)}`}
    >
      {!verbose && <span className="ag-visually-hidden">{DUE_LABELS[state]}: </span>}
      {text}
    </span>
  );
}
