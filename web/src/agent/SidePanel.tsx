// The ticket's fields. Every change is saved at once (PATCH with If-Match by
// the page); while it is on its way the control shows the new value.
import { useState, type ReactNode } from "react";
import { Link } from "react-router";
import type { Queue, Ticket, TicketEvent, User } from "../api/types";
import { Field } from "../components/Field";
import { PriorityOptions, StatusOptions } from "../components/Options";
import { FieldError, FormError } from "../components/States";
import { LINK_LABELS } from "./history";
import { SlaPanel } from "./SlaPanel";
import { ComponentPanel, EscalationPanel } from "./Escalation";

export interface TicketChanges {
  subject?: string;
  status?: string;
  priority?: string;
  queue?: number | string;
  assignee_id?: number | null;
  tags?: string[];
}

interface Props {
  ticket: Ticket;
  agents: User[];
  queues: Queue[];
  me: User | null;
  pending?: TicketChanges;
  error: unknown;
  conflict: string | null;
  onChange: (changes: TicketChanges) => void;
  events?: TicketEvent[]; // for who was paged
  knowledge?: ReactNode; // the knowledge base sections (KbPanel)
}

export function SidePanel({ ticket: t, agents, queues, me, pending, error, conflict, onChange, events, knowledge }: Props) {
  const [tag, setTag] = useState("");
  const closed = t.status === "closed";
  const status = pending?.status ?? t.status;
  const priority = pending?.priority ?? t.priority;
  const queue = pending?.queue !== undefined ? String(pending.queue) : t.queue ? String(t.queue.id) : "";
  const assignee =
    pending && "assignee_id" in pending ? (pending.assignee_id === null ? "" : String(pending.assignee_id)) : t.assignee ? String(t.assignee.id) : "";
  const tags = pending?.tags ?? t.tags;
  const assigneeKnown = !t.assignee || agents.some((a) => a.id === t.assignee!.id);

  const addTag = () => {
    const fresh = tag
      .split(/[\s,]+/)
      .map((x) => x.trim())
      .filter((x) => x && !tags.includes(x));
    setTag("");
    if (fresh.length) onChange({ tags: [...tags, ...fresh] });
  };

  return (
    <aside className="ag-side" aria-label="Ticket details">
      {conflict && (
        <div className="state state-error" role="alert">
          {conflict}
        </div>
      )}
      <FormError error={error} />

      <SlaPanel ticketId={t.id} />
      <EscalationPanel ticketId={t.id} events={events} />
      <ComponentPanel queueId={t.queue?.id ?? null} />

      <div className="ag-side-section">
        <div className="ag-side-label">Requester</div>
        <div className="ag-requester">
          <strong>{t.requester.display_name}</strong>
          <a href={`mailto:${t.requester.email}`} className="ag-ellipsis">
            {t.requester.email}
          </a>
          <Link to={`/agent/views/all_open?requester=${t.requester.id}`} className="ag-small">
            Their open tickets
          </Link>
        </div>
      </div>

      {/* Field, not SelectField: these selects carry no aria-invalid. */}
      <Field id="ag-status" label="Status" className="ag-side-field" error={error} field="status">
        <select id="ag-status" value={status} disabled={closed} onChange={(e) => onChange({ status: e.target.value })}>
          <StatusOptions disabled={(s) => s === "new" && t.status !== "new"} />
        </select>
      </Field>

      <Field id="ag-priority" label="Priority" className="ag-side-field" error={error} field="priority">
        <select id="ag-priority" value={priority} disabled={closed} onChange={(e) => onChange({ priority: e.target.value })}>
          <PriorityOptions />
        </select>
      </Field>

      <Field id="ag-queue" label="Queue" className="ag-side-field" error={error} field="queue">
        <select id="ag-queue" value={queue} disabled={closed} onChange={(e) => e.target.value && onChange({ queue: Number(e.target.value) })}>
          {!t.queue && <option value="">No queue</option>}
          {t.queue && !queues.some((q) => q.id === t.queue!.id) && <option value={t.queue.id}>{t.queue.name}</option>}
          {queues.map((q) => (
            <option key={q.id} value={q.id}>
              {q.name}
            </option>
          ))}
        </select>
      </Field>

      <div className="ag-side-field">
        <div className="ag-label-row">
          <label htmlFor="ag-assignee">Assignee</label>
          <button
            type="button"
            className="link-button ag-small"
            disabled={closed || !me || t.assignee?.id === me.id}
            onClick={() => me && onChange({ assignee_id: me.id })}
          >
            Assign to me
          </button>
        </div>
        <select
          id="ag-assignee"
          value={assignee}
          disabled={closed}
          onChange={(e) => onChange({ assignee_id: e.target.value ? Number(e.target.value) : null })}
        >
          <option value="">Unassigned</option>
          {!assigneeKnown && t.assignee && <option value={t.assignee.id}>{t.assignee.display_name}</option>}
          {agents.map((u) => (
            <option key={u.id} value={u.id}>
              {u.display_name}
              {me && u.id === me.id ? " (me)" : ""}
            </option>
          ))}
        </select>
        <FieldError error={error} field="assignee_id" />
      </div>

      <div className="ag-side-field">
        <label htmlFor="ag-tag-input">Tags</label>
        <div className="ag-tags">
          {tags.map((x) => (
            <span key={x} className="ag-tag ag-tag-chip">
              {x}
              {!closed && (
                <button
                  type="button"
                  aria-label={`Remove tag ${x}`}
                  onClick={() => onChange({ tags: tags.filter((y) => y !== x) })}
                >
                  ×
                </button>
              )}
            </span>
          ))}
          {tags.length === 0 && <span className="muted ag-small">No tags</span>}
        </div>
        {!closed && (
          <input
            id="ag-tag-input"
            placeholder="Add tag, press Enter"
            value={tag}
            onChange={(e) => setTag(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === "Enter") {
                e.preventDefault();
                addTag();
              }
            }}
          />
        )}
        <FieldError error={error} field="tags" />
      </div>

      <div className="ag-side-section">
        <div className="ag-side-label">Links</div>
        {t.links.length === 0 ? (
          <span className="muted ag-small">No linked tickets</span>
        ) : (
          <ul className="ag-links">
            {t.links.map((l) => (
              <li key={`${l.kind}-${l.ticket_id}`}>
                <span className="muted">{LINK_LABELS[l.kind] ?? l.kind}</span>{" "}
                <Link to={`/agent/tickets/${l.ticket_id}`}>#{l.ticket_id}</Link>
              </li>
            ))}
          </ul>
        )}
      </div>

      {knowledge}
    </aside>
  );
}
