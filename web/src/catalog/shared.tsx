// Data and pieces shared by the component catalog pages.
import { useQuery } from "@tanstack/react-query";
import { get } from "../api/client";
import type { Page } from "../api/types";
import type { ReactNode } from "react";
import { Link } from "react-router";
import { automationKeys, type Component, type ComponentOnCall, type ComponentSop } from "../api/automation";
import { absoluteTime } from "../components/format";

// Counts and who is on call change over time; refresh every minute.
const REFRESH = 60_000;

export function useComponents() {
  return useQuery({
    queryKey: automationKeys.components,
    queryFn: async () => (await get<Page<Component>>("/components")).items,
    refetchInterval: REFRESH,
  });
}

export function useComponent(id: number) {
  return useQuery({
    queryKey: automationKeys.component(id),
    queryFn: () => get<Component>(`/components/${id}`),
    enabled: id > 0,
    refetchInterval: REFRESH,
  });
}

// The workspace view of a queue's open tickets.
export const queueViewPath = (c: Component) => `/agent/views/${encodeURIComponent(`queue:${c.name}`)}`;

// "18:00" today, "Thu 09:00" within the week, the date and time later.
export function shortTime(iso: string, now: Date = new Date()): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const time = d.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" });
  if (d.toDateString() === now.toDateString()) return time;
  if (Math.abs(d.getTime() - now.getTime()) < 6 * 86400_000) return `${d.toLocaleDateString(undefined, { weekday: "short" })} ${time}`;
  return `${d.toLocaleDateString(undefined, { month: "short", day: "numeric" })} ${time}`;
}

// Who is on call for the component now, one line a schedule: "Alice Agent
// until in 5 h (Primary)"; "Nobody" when a schedule has a gap.
export function OnCallList({ onCall }: { onCall: ComponentOnCall[] }) {
  if (onCall.length === 0) return <span className="muted">No schedule</span>;
  return (
    <ul className="cat-oncall">
      {onCall.map((o, i) => (
        <li key={o.schedule_id ?? i} data-testid="component-on-call">
          {o.user_id == null ? <span className="muted">Nobody</span> : <span className="admin-strong">{o.display_name ?? `User #${o.user_id}`}</span>}
          {o.until && (
            <>
              {" "}
              <span className="muted">
                until{" "}
                <time dateTime={o.until} title={absoluteTime(o.until)}>
                  {shortTime(o.until)}
                </time>
              </span>
            </>
          )}
          {o.schedule_name && <span className="muted"> ({o.schedule_name})</span>}
        </li>
      ))}
    </ul>
  );
}

// A component's SOPs as links to their knowledge base pages, newest change
// first (the server's order); `detail` adds a line after each title.
export function SopLinks({ sops, detail }: { sops: ComponentSop[]; detail?: (s: ComponentSop) => ReactNode }) {
  return (
    <ul className="cat-sop-list">
      {sops.map((s) => (
        <li key={s.id} data-testid="component-sop">
          <Link to={`/kb/${s.id}`}>{s.title}</Link>
          {detail && <> {detail(s)}</>}
        </li>
      ))}
    </ul>
  );
}
