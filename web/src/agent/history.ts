// Ticket events as sentences: "Alice changed status from New to Open".
import type { Priority, Queue, Status, TicketEvent } from "../api/types";
import { priorityLabel, statusLabel } from "../components/format";
import { shortTime, SLA_KIND_LABELS } from "./SlaPanel";

export interface Names {
  user: (id: number | null) => string;
  queue: (id: string | null) => string;
}

export function makeNames(users: Map<number, string>, queues: Queue[] | undefined): Names {
  return {
    user: (id) => (id === null ? "System" : users.get(id) ?? `User #${id}`),
    queue: (id) => {
      if (!id) return "no queue";
      const q = queues?.find((x) => String(x.id) === id);
      return q ? q.name : `queue #${id}`;
    },
  };
}

// Link kinds as read from the ticket that holds the link.
export const LINK_LABELS: Record<string, string> = {
  duplicate_of: "Duplicate of",
  duplicated_by: "Duplicated by",
  related: "Related",
  parent: "Parent",
  child: "Child",
};

const LINK_WORDS: Record<string, string> = {
  duplicate_of: "marked this ticket a duplicate of",
  duplicated_by: "marked as a duplicate of this ticket:",
  related: "linked related ticket",
  parent: "set the parent ticket to",
  child: "added child ticket",
};

// SLA events are sentences of their own ("SLA first response at risk: …"): the
// watcher writes warnings and breaches with no actor, and a pause is the
// escalation's doing, not the person's who happened to escalate.
export function eventHasActor(e: TicketEvent): boolean {
  return !e.kind.startsWith("sla_");
}

// The sentence without the actor ("changed status from New to Open").
export function describeEvent(e: TicketEvent, names: Names): string {
  const before = e.before ?? "";
  const after = e.after ?? "";
  switch (e.kind) {
    case "created":
      return "created the ticket";
    case "comment_added":
      return e.field === "internal_note" || e.internal ? "added an internal note" : "replied";
    case "field_changed":
      switch (e.field) {
        case "status":
          return `changed status from ${statusLabel(before as Status)} to ${statusLabel(after as Status)}`;
        case "priority":
          return `changed priority from ${priorityLabel(before as Priority)} to ${priorityLabel(after as Priority)}`;
        case "subject":
          return `renamed the ticket from “${before}” to “${after}”`;
        case "queue_id":
          return before
            ? `moved the ticket from ${names.queue(before)} to ${names.queue(after)}`
            : `moved the ticket to ${names.queue(after)}`;
        case "assignee_id":
          if (!after) return `unassigned ${names.user(Number(before))}`;
          if (!before) return `assigned the ticket to ${names.user(Number(after))}`;
          return `reassigned the ticket from ${names.user(Number(before))} to ${names.user(Number(after))}`;
        case "tags": {
          const b = new Set(before.split(" ").filter(Boolean));
          const a = new Set(after.split(" ").filter(Boolean));
          const added = [...a].filter((t) => !b.has(t));
          const removed = [...b].filter((t) => !a.has(t));
          const parts: string[] = [];
          if (added.length) parts.push(`added tag${added.length > 1 ? "s" : ""} ${added.join(", ")}`);
          if (removed.length) parts.push(`removed tag${removed.length > 1 ? "s" : ""} ${removed.join(", ")}`);
          return parts.join(" and ") || "changed tags";
        }
        default:
          return `changed ${e.field ?? "a field"} from ${before || "—"} to ${after || "—"}`;
      }
    case "linked":
      return `${LINK_WORDS[e.field ?? ""] ?? `linked (${e.field})`} #${after}`;
    case "merged_into":
      return `merged this ticket into #${after}`;
    case "merged_from":
      return `merged #${after} into this ticket`;
    case "comments_moved":
      return `moved ${after} comment${after === "1" ? "" : "s"} here`;
    case "escalated":
    case "escalation_paged":
    case "escalation_advanced":
    case "escalation_unacknowledged":
    case "escalation_acknowledged":
    case "escalation_resolved":
    case "escalation_cancelled":
    case "escalation_responded":
      return describeEscalation(e.kind, after, names);
    case "sla_warning":
    case "sla_breached":
    case "sla_paused":
    case "sla_resumed":
      return describeSla(e.kind, after);
    default:
      return [e.kind.replace(/_/g, " "), e.field, after].filter(Boolean).join(" ");
  }
}

// Escalation events carry a JSON object in `after` (docs/ESCALATION.md).
function describeEscalation(kind: string, after: string, names: Names): string {
  let d: Record<string, unknown> = {};
  try {
    d = JSON.parse(after) as Record<string, unknown>;
  } catch {
    return kind.replace(/_/g, " ");
  }
  const level = typeof d.level === "number" ? ` at level ${d.level + 1}` : "";
  const took = typeof d.after_ms === "number" ? ` after ${duration(d.after_ms)}` : "";
  switch (kind) {
    case "escalated":
      return `escalated the ticket (${String(d.severity ?? "")}, ${d.tier === "l2" ? "L2" : "engineering"}): ${String(d.reason ?? "")}`;
    case "escalation_paged":
      return d.user_id == null
        ? `found nobody on call to page${level}`
        : `paged ${names.user(Number(d.user_id))}${level} by ${String(d.channel ?? "e-mail")}`;
    case "escalation_advanced":
      return `escalated to level ${Number(d.to_level ?? 0) + 1}: no acknowledgement${took}`;
    case "escalation_unacknowledged":
      return `marked the escalation unacknowledged${took}${d.leads_notified ? "; leads told" : ""}`;
    case "escalation_acknowledged":
      return `acknowledged the escalation${d.via === "link" ? " by the link in the page" : ""}${typeof d.ack_after_ms === "number" ? ` after ${duration(d.ack_after_ms)}` : ""}`;
    case "escalation_resolved":
      return `resolved the escalation${took}`;
    case "escalation_responded":
      return `responded to escalation ${String(d.escalation_id ?? "")}${d.internal ? " with an internal note" : ""}${
        typeof d.response_after_ms === "number" ? ` after ${duration(d.response_after_ms)}` : ""
      }`;
    default:
      return `de-escalated the ticket${took}`;
  }
}

// SLA watcher events (after: target, policy, due_at, …) and the pauses while
// engineering works on an escalation (after: escalation_id, reason).
function describeSla(kind: string, after: string): string {
  let d: Record<string, unknown> = {};
  try {
    d = JSON.parse(after) as Record<string, unknown>;
  } catch {
    return kind.replace(/_/g, " ").replace(/^sla/, "SLA");
  }
  if (kind === "sla_paused" || kind === "sla_resumed") {
    const verb = kind === "sla_paused" ? "paused" : "resumed";
    return d.reason ? `SLA clocks ${verb}: ${String(d.reason)}` : `SLA clocks ${verb}`;
  }
  const target = String(d.target ?? "");
  const name = (SLA_KIND_LABELS[target as keyof typeof SLA_KIND_LABELS] ?? target.replace(/_/g, " ")).toLowerCase();
  const due = typeof d.due_at === "string" ? `: ${kind === "sla_breached" ? "was due" : "due"} ${shortTime(d.due_at)}` : "";
  const policy = d.policy ? ` (policy ${String(d.policy)})` : "";
  return `SLA ${name} ${kind === "sla_breached" ? "breached" : "at risk"}${due}${policy}`;
}

function duration(ms: number): string {
  if (ms < 60000) return `${Math.max(1, Math.round(ms / 1000))} s`;
  const minutes = Math.round(ms / 60000);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
}
