// The ticket's SLA clocks in the side panel: each target with its due time,
// the business time left (or how long ago it was breached) and a colour by
// state. Hidden when no policy applies (or the clocks cannot be read).
import { useQuery } from "@tanstack/react-query";
import { get } from "../api/client";
import { keys } from "../api/keys";
import type { SlaKind, SlaTarget, TicketSla } from "../api/types";
import { absoluteTime } from "../components/format";

export const SLA_KIND_LABELS: Record<SlaKind, string> = {
  first_response: "First response",
  next_response: "Next response",
  resolution: "Resolution",
};

// "45 min", "2 h", "2 h 15 min", "3 d 4 h" (a business day is still 24 h here:
// this is a duration, not a count of working days).
export function formatDuration(minutes: number): string {
  const m = Math.max(0, Math.round(Math.abs(minutes)));
  if (m < 60) return `${m} min`;
  const hours = Math.floor(m / 60);
  const rest = m % 60;
  if (hours < 48) return rest ? `${hours} h ${rest} min` : `${hours} h`;
  const days = Math.floor(hours / 24);
  const h = hours % 24;
  return h ? `${days} d ${h} h` : `${days} d`;
}

export type SlaTone = "ok" | "warning" | "breached" | "met" | "paused";

export function slaTone(t: SlaTarget): SlaTone {
  if (t.state === "breached" || (t.state !== "met" && t.remaining_minutes < 0)) return "breached";
  if (t.state === "met") return "met";
  if (t.state === "paused") return "paused";
  return t.warning ? "warning" : "ok";
}

const TONE_LABELS: Record<SlaTone, string> = {
  ok: "On track",
  warning: "Due soon",
  breached: "Breached",
  met: "Met",
  paused: "Paused",
};

// The one-line summary: "2 h 15 min left", "breached 40 min ago" (business
// time), "breached by 14 min" once the clock stopped late, "met".
export function slaSummary(t: SlaTarget): string {
  if (t.state === "met") return "met";
  if (t.state === "breached" || t.remaining_minutes < 0) {
    if (t.remaining_minutes >= 0) return "breached";
    const over = formatDuration(t.remaining_minutes);
    return t.met_at ? `breached by ${over}` : `breached ${over} ago`;
  }
  const left = `${formatDuration(t.remaining_minutes)} left`;
  return t.state === "paused" ? `paused · ${left}` : left;
}

export function SlaTargets({ sla }: { sla: TicketSla }) {
  return (
    <div className="ag-side-section sla-panel" data-testid="sla-panel">
      <div className="ag-side-label">
        SLA <span className="sla-policy">· {sla.policy!.name}</span>
      </div>
      <ul className="sla-list">
        {sla.targets.map((t) => {
          const tone = slaTone(t);
          const when = t.state === "met" ? t.met_at : t.due_at;
          return (
            <li key={t.kind} className={`sla-target sla-${tone}`} data-testid="sla-target" data-kind={t.kind} data-tone={tone}>
              <div className="sla-row">
                <span className="sla-kind">{SLA_KIND_LABELS[t.kind] ?? t.kind}</span>
                <span className={`sla-state sla-state-${tone}`}>{TONE_LABELS[tone]}</span>
              </div>
              <div className="sla-row">
                <span className="sla-remaining">{slaSummary(t)}</span>
                {when && (
                  <time className="sla-due" dateTime={when} title={absoluteTime(when)}>
                    {t.state === "met" ? "at " : "due "}
                    {shortTime(when)}
                  </time>
                )}
              </div>
            </li>
          );
        })}
      </ul>
    </div>
  );
}

// "14:30" today, "Tue 14:30" within a week, otherwise "3 Dec 14:30".
export function shortTime(iso: string, now: number = Date.now()): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const time = d.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" });
  const today = new Date(now);
  if (d.toDateString() === today.toDateString()) return time;
  if (Math.abs(d.getTime() - now) < 6 * 86400_000) return `${d.toLocaleDateString(undefined, { weekday: "short" })} ${time}`;
  return `${d.toLocaleDateString(undefined, { day: "numeric", month: "short" })} ${time}`;
}

export function SlaPanel({ ticketId }: { ticketId: number }) {
  const sla = useQuery({
    queryKey: keys.sla(ticketId),
    queryFn: () => get<TicketSla>(`/tickets/${ticketId}/sla`),
    enabled: ticketId > 0,
    // The remaining time moves with the clock even when the ticket does not.
    refetchInterval: 60_000,
  });
  if (!sla.data || !sla.data.policy || sla.data.targets.length === 0) return null;
  return <SlaTargets sla={sla.data} />;
}
