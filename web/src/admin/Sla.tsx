// /admin/sla: business calendars (zone, weekly working hours, holidays) and
// SLA policies (which tickets they apply to, in order, with their targets).
// Leads and admins write; the API's field errors show next to the fields.
import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { del, get, patch, post } from "../api/client";
import { keys } from "../api/keys";
import {
  PRIORITIES,
  SLA_KINDS,
  WEEKDAYS,
  type Calendar,
  type Holiday,
  type Interval,
  type Page,
  type Priority,
  type Queue,
  type SlaKind,
  type SlaPolicy,
  type Status,
  type Weekday,
} from "../api/types";
import { Field, SelectField, TextField } from "../components/Field";
import { FormActions } from "../components/FormActions";
import { Empty, ErrorBanner, FieldError, FormError, ListStates } from "../components/States";
import { ListTable } from "../components/Table";
import { priorityLabel, statusLabel } from "../components/format";
import type { SlaPolicyWithPause } from "../api/automation";
import { useQueues } from "../agent/data";
import { SLA_KIND_LABELS, formatDuration } from "../agent/SlaPanel";
import { browserZone, hasNestedError, NestedFieldError } from "../oncall/shared";
import "./admin.css";
import "./sla.css";

const DAY_LABELS: Record<Weekday, string> = { mon: "Monday", tue: "Tuesday", wed: "Wednesday", thu: "Thursday", fri: "Friday", sat: "Saturday", sun: "Sunday" };
const PAUSABLE: Status[] = ["new", "open", "pending", "on_hold"];

// "09:00-12:00, 13:00-17:00" <-> [{start, end}, …]. What does not parse is
// sent as typed so the server names the bad field.
export function parseIntervals(text: string): Interval[] {
  return text
    .split(/[,;]/)
    .map((x) => x.trim())
    .filter(Boolean)
    .map((x) => {
      const [start = "", end = ""] = x.split(/\s*[-–]\s*/);
      return { start, end };
    });
}
export const formatIntervals = (list: Interval[] | undefined) => (list ?? []).map((i) => `${i.start}-${i.end}`).join(", ");

// One holiday a line: "2026-12-25 Christmas", "(yearly)" at the end for every year.
export function parseHolidays(text: string): Holiday[] {
  return text
    .split("\n")
    .map((x) => x.trim())
    .filter(Boolean)
    .map((line) => {
      const m = line.match(/^(\S+)\s*(.*)$/)!;
      let name = m[2]!.trim();
      const recurring = /\(yearly\)$/i.test(name);
      if (recurring) name = name.replace(/\(yearly\)$/i, "").trim();
      const h: Holiday = { date: m[1]!, recurring };
      if (name) h.name = name;
      return h;
    });
}
const formatHolidays = (list: Holiday[]) => list.map((h) => `${h.date}${h.name ? " " + h.name : ""}${h.recurring ? " (yearly)" : ""}`).join("\n");

function useCalendars() {
  return useQuery({ queryKey: keys.calendars, queryFn: async () => (await get<Page<Calendar>>("/calendars")).items });
}
function useSlaPolicies() {
  return useQuery({
    queryKey: keys.slaPolicies,
    queryFn: async () => (await get<Page<SlaPolicyWithPause>>("/sla-policies")).items.sort((a, b) => a.position - b.position),
  });
}

const DEFAULT_HOURS: Record<Weekday, string> = { mon: "09:00-17:00", tue: "09:00-17:00", wed: "09:00-17:00", thu: "09:00-17:00", fri: "09:00-17:00", sat: "", sun: "" };

export function CalendarForm({ calendar, onDone }: { calendar?: Calendar; onDone: () => void }) {
  const client = useQueryClient();
  const [name, setName] = useState(calendar?.name ?? "");
  const [zone, setZone] = useState(calendar?.time_zone ?? browserZone());
  const [hours, setHours] = useState<Record<Weekday, string>>(() =>
    calendar ? (Object.fromEntries(WEEKDAYS.map((d) => [d, formatIntervals(calendar.hours[d])])) as Record<Weekday, string>) : DEFAULT_HOURS,
  );
  const [holidays, setHolidays] = useState(calendar ? formatHolidays(calendar.holidays) : "");
  const save = useMutation({
    mutationFn: (body: unknown) => (calendar ? patch<Calendar>(`/calendars/${calendar.id}`, body) : post<Calendar>("/calendars", body)),
    onSuccess: () => {
      client.invalidateQueries({ queryKey: keys.calendars });
      onDone();
    },
  });
  const error = save.error;
  return (
    <form
      className="panel admin-form"
      aria-labelledby="calendar-form-title"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        if (save.isPending) return;
        save.mutate({
          name: name.trim(),
          time_zone: zone.trim(),
          hours: Object.fromEntries(WEEKDAYS.map((d) => [d, parseIntervals(hours[d])])),
          holidays: parseHolidays(holidays),
        });
      }}
    >
      <h2 id="calendar-form-title">{calendar ? `Edit ${calendar.name}` : "New business calendar"}</h2>
      <FormError error={error} />
      <div className="admin-form-grid">
        <TextField id="cal-name" label="Name" value={name} onChange={setName} error={error} field="name" placeholder="e.g. Berlin office" />
        <TextField id="cal-zone" label="Time zone" value={zone} onChange={setZone} error={error} field="time_zone" help="IANA zone, e.g. Europe/Berlin" />
      </div>
      <div className="sla-hours">
        <div className="sla-hours-title">
          Working hours <span className="muted admin-small">— intervals like “09:00-12:00, 13:00-17:00”; empty: closed</span>
        </div>
        <NestedFieldError error={error} prefix="hours" exact />
        {WEEKDAYS.map((d) => (
          <div key={d} className="sla-hours-row">
            <label htmlFor={`cal-hours-${d}`}>{DAY_LABELS[d]}</label>
            <div>
              <input
                id={`cal-hours-${d}`}
                value={hours[d]}
                placeholder="closed"
                aria-invalid={hasNestedError(error, `hours.${d}`)}
                onChange={(e) => setHours((h) => ({ ...h, [d]: e.target.value }))}
              />
              <NestedFieldError error={error} prefix={`hours.${d}`} />
            </div>
          </div>
        ))}
      </div>
      <Field id="cal-holidays" label="Holidays" help="One a line: “2026-12-25 Christmas”; add “(yearly)” for every year" error={error}>
        <textarea id="cal-holidays" rows={4} value={holidays} onChange={(e) => setHolidays(e.target.value)} aria-invalid={hasNestedError(error, "holidays")} />
      </Field>
      <NestedFieldError error={error} prefix="holidays" />
      <FormActions pending={save.isPending} saveLabel={calendar ? "Save calendar" : "Create calendar"} onCancel={onDone} />
    </form>
  );
}

function toggle<T>(list: T[], x: T): T[] {
  return list.includes(x) ? list.filter((y) => y !== x) : [...list, x];
}

export function PolicyForm({ policy, calendars, queues, onDone }: { policy?: SlaPolicyWithPause; calendars: Calendar[]; queues: Queue[]; onDone: () => void }) {
  const client = useQueryClient();
  const [name, setName] = useState(policy?.name ?? "");
  const [position, setPosition] = useState(policy ? String(policy.position) : "");
  const [calendarId, setCalendarId] = useState(policy ? String(policy.calendar_id) : calendars[0] ? String(calendars[0].id) : "");
  const [targets, setTargets] = useState<Record<SlaKind, string>>(() => ({
    first_response: policy?.targets.first_response != null ? String(policy.targets.first_response) : "",
    next_response: policy?.targets.next_response != null ? String(policy.targets.next_response) : "",
    resolution: policy?.targets.resolution != null ? String(policy.targets.resolution) : "",
  }));
  const [priorities, setPriorities] = useState<Priority[]>(policy?.conditions.priorities ?? []);
  const [queueIds, setQueueIds] = useState<number[]>(policy?.conditions.queue_ids ?? []);
  const [tags, setTags] = useState((policy?.conditions.tags ?? []).join(", "));
  const [groups, setGroups] = useState((policy?.conditions.requester_groups ?? []).join(", "));
  const [pauseOn, setPauseOn] = useState<Status[]>(policy?.pause_on ?? ["pending", "on_hold"]);
  const [warn, setWarn] = useState(String(policy?.warn_at_percent ?? 75));
  const [pauseEscalated, setPauseEscalated] = useState(policy?.pause_while_escalated ?? false);
  const save = useMutation({
    mutationFn: (body: unknown) => (policy ? patch<SlaPolicy>(`/sla-policies/${policy.id}`, body) : post<SlaPolicy>("/sla-policies", body)),
    onSuccess: () => {
      client.invalidateQueries({ queryKey: keys.slaPolicies });
      client.invalidateQueries({ queryKey: ["sla"] });
      onDone();
    },
  });
  const error = save.error;

  const submit = () => {
    const body: Record<string, unknown> = {
      name: name.trim(),
      calendar_id: Number(calendarId),
      conditions: {
        priorities,
        queue_ids: queueIds,
        tags: tags.split(/[\s,]+/).filter(Boolean),
        requester_groups: groups.split(/[\s,]+/).filter(Boolean),
      },
      targets: Object.fromEntries(SLA_KINDS.map((k) => [k, targets[k].trim() === "" ? null : Number(targets[k])])),
      pause_on: pauseOn,
      warn_at_percent: Number(warn),
      pause_while_escalated: pauseEscalated,
    };
    if (position.trim() !== "") body.position = Number(position);
    save.mutate(body);
  };

  return (
    <form
      className="panel admin-form"
      aria-labelledby="policy-form-title"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        if (!save.isPending) submit();
      }}
    >
      <h2 id="policy-form-title">{policy ? `Edit ${policy.name}` : "New SLA policy"}</h2>
      <FormError error={error} />
      <div className="admin-form-grid">
        <TextField id="pol-name" label="Name" value={name} onChange={setName} error={error} field="name" placeholder="e.g. Urgent incidents" />
        <SelectField id="pol-calendar" label="Business calendar" value={calendarId} onChange={setCalendarId} error={error} field="calendar_id">
          {calendars.map((c) => (
            <option key={c.id} value={c.id}>
              {c.name} ({c.time_zone})
            </option>
          ))}
        </SelectField>
        <TextField
          id="pol-position"
          label="Order"
          type="number"
          min={0}
          value={position}
          onChange={setPosition}
          error={error}
          field="position"
          help="The first matching policy applies; empty: last"
        />
        <TextField id="pol-warn" label="Warn at (% of target)" type="number" min={1} max={100} value={warn} onChange={setWarn} error={error} field="warn_at_percent" />
      </div>
      <fieldset className="sla-fieldset">
        <legend>Targets (business minutes; empty: not measured)</legend>
        <div className="admin-form-grid">
          {SLA_KINDS.map((k) => (
            <TextField
              key={k}
              id={`pol-target-${k}`}
              label={SLA_KIND_LABELS[k]}
              type="number"
              min={1}
              value={targets[k]}
              onChange={(v) => setTargets((t) => ({ ...t, [k]: v }))}
              error={error}
              field={`targets.${k}`}
              help={targets[k] && Number(targets[k]) > 0 ? formatDuration(Number(targets[k])) : undefined}
            />
          ))}
        </div>
        <NestedFieldError error={error} prefix="targets" exact />
      </fieldset>
      <fieldset className="sla-fieldset">
        <legend>Applies to (each non-empty list must match; none: every ticket)</legend>
        <div className="sla-conditions">
          <div>
            <div className="sla-cond-title">Priorities</div>
            {PRIORITIES.map((p) => (
              <label key={p} className="oc-checkbox">
                <input type="checkbox" checked={priorities.includes(p)} onChange={() => setPriorities((l) => toggle(l, p))} /> {priorityLabel(p)}
              </label>
            ))}
            <NestedFieldError error={error} prefix="conditions.priorities" />
          </div>
          <div>
            <div className="sla-cond-title">Queues</div>
            <div className="sla-queue-list">
              {queues.map((q) => (
                <label key={q.id} className="oc-checkbox">
                  <input type="checkbox" checked={queueIds.includes(q.id)} onChange={() => setQueueIds((l) => toggle(l, q.id))} /> {q.name}
                </label>
              ))}
            </div>
            <NestedFieldError error={error} prefix="conditions.queue_ids" />
          </div>
          <div>
            <TextField id="pol-tags" label="Tags (any of)" value={tags} onChange={setTags} placeholder="vip, outage" />
            <NestedFieldError error={error} prefix="conditions.tags" />
            <TextField
              id="pol-groups"
              label="Requester groups (any of)"
              value={groups}
              onChange={setGroups}
              error={error}
              field="conditions.requester_groups"
              placeholder="finance, legal"
              help="The requester's group, as set on the user"
            />
          </div>
        </div>
        <NestedFieldError error={error} prefix="conditions" exact />
      </fieldset>
      <fieldset className="sla-fieldset">
        <legend>Pause the clocks while the ticket is</legend>
        <div className="sla-inline">
          {PAUSABLE.map((s) => (
            <label key={s} className="oc-checkbox">
              <input type="checkbox" checked={pauseOn.includes(s)} onChange={() => setPauseOn((l) => toggle(l, s))} /> {statusLabel(s)}
            </label>
          ))}
        </div>
        <NestedFieldError error={error} prefix="pause_on" />
        <label className="oc-checkbox sla-pause-escalated">
          <input
            type="checkbox"
            checked={pauseEscalated}
            aria-describedby="pol-pause-escalated-help"
            onChange={(e) => setPauseEscalated(e.target.checked)}
          />{" "}
          Pause while waiting on engineering
        </label>
        <div id="pol-pause-escalated-help" className="muted field-help">
          The requester-facing clocks stop while an escalation to engineering is open.
        </div>
        <FieldError error={error} field="pause_while_escalated" />
      </fieldset>
      <FormActions pending={save.isPending} saveLabel={policy ? "Save policy" : "Create policy"} onCancel={onDone} />
    </form>
  );
}

function DeleteButton({ path, label, invalidate }: { path: string; label: string; invalidate: readonly unknown[] }) {
  const client = useQueryClient();
  const remove = useMutation({ mutationFn: () => del(path), onSuccess: () => client.invalidateQueries({ queryKey: invalidate }) });
  return (
    <>
      <button type="button" className="link-button danger" disabled={remove.isPending} onClick={() => window.confirm(`Delete ${label}?`) && remove.mutate()}>
        Delete
      </button>
      {remove.error && <div className="field-error">{remove.error instanceof Error ? remove.error.message : "failed"}</div>}
    </>
  );
}

function hoursSummary(c: Calendar): string {
  const open = WEEKDAYS.filter((d) => (c.hours[d] ?? []).length > 0);
  if (open.length === 0) return "closed";
  const first = formatIntervals(c.hours[open[0]!]);
  const same = open.every((d) => formatIntervals(c.hours[d]) === first);
  const days = open.length === 5 && open.join() === "mon,tue,wed,thu,fri" ? "Mon–Fri" : open.length === 7 ? "Every day" : open.map((d) => d[0]!.toUpperCase() + d.slice(1)).join(", ");
  return same ? `${days} ${first}` : `${days} (varies)`;
}

function conditionSummary(p: SlaPolicy, queues: Queue[]): string {
  const parts: string[] = [];
  if (p.conditions.priorities?.length) parts.push(p.conditions.priorities.map(priorityLabel).join("/"));
  if (p.conditions.queue_ids?.length) parts.push("queue " + p.conditions.queue_ids.map((id) => queues.find((q) => q.id === id)?.name ?? `#${id}`).join("/"));
  if (p.conditions.tags?.length) parts.push("tag " + p.conditions.tags.join("/"));
  if (p.conditions.requester_groups?.length) parts.push("group " + p.conditions.requester_groups.join("/"));
  return parts.length ? parts.join(" · ") : "Every ticket";
}

export default function SlaSettings() {
  const calendars = useCalendars();
  const policies = useSlaPolicies();
  const queues = useQueues();
  const [calendarEdit, setCalendarEdit] = useState<Calendar | "new" | null>(null);
  const [policyEdit, setPolicyEdit] = useState<SlaPolicyWithPause | "new" | null>(null);
  const calendarList = calendars.data ?? [];
  const queueList = queues.data ?? [];

  return (
    <div className="admin sla-admin">
      <h1>SLA</h1>
      <section aria-labelledby="policies-title" className="sla-section">
        <div className="sla-section-head">
          <h2 id="policies-title">Policies</h2>
          <span className="muted admin-small">The first policy whose conditions match a ticket sets its targets.</span>
          <span className="oc-spacer" />
          {policyEdit === null && (
            <button type="button" className="primary" disabled={calendarList.length === 0} title={calendarList.length === 0 ? "Create a calendar first" : undefined} onClick={() => setPolicyEdit("new")}>
              New policy
            </button>
          )}
        </div>
        {policyEdit !== null && calendars.data && (
          <PolicyForm
            key={policyEdit === "new" ? "new" : policyEdit.id}
            policy={policyEdit === "new" ? undefined : policyEdit}
            calendars={calendarList}
            queues={queueList}
            onDone={() => setPolicyEdit(null)}
          />
        )}
        <ListStates
          pending={policies.isPending}
          items={policies.data}
          error={policies.error}
          empty={<Empty title="No SLA policies yet">{calendarList.length === 0 && <p className="muted">Start with a business calendar below.</p>}</Empty>}
        >
          {(list) => (
            <ListTable
              className="sla-table"
              head={
                <>
                  <th>#</th>
                  <th>Name</th>
                  <th>Applies to</th>
                  <th>Targets</th>
                  <th>Calendar</th>
                  <th>Paused when</th>
                  <th>Warn</th>
                  <th>
                    <span className="visually-hidden">Actions</span>
                  </th>
                </>
              }
            >
              {list.map((p) => (
                <tr key={p.id} data-testid="sla-policy">
                  <td className="muted">{p.position}</td>
                  <td className="admin-strong">{p.name}</td>
                  <td>{conditionSummary(p, queueList)}</td>
                  <td>
                    {SLA_KINDS.filter((k) => p.targets[k] != null).map((k) => (
                      <div key={k} className="admin-small">
                        <span className="muted">{SLA_KIND_LABELS[k]}:</span> {formatDuration(p.targets[k]!)}
                      </div>
                    ))}
                  </td>
                  <td>{calendarList.find((c) => c.id === p.calendar_id)?.name ?? `#${p.calendar_id}`}</td>
                  <td className="admin-small" data-testid="sla-policy-paused">
                    {[...p.pause_on.map(statusLabel), ...(p.pause_while_escalated ? ["waiting on engineering"] : [])].join(", ") || "—"}
                  </td>
                  <td>{p.warn_at_percent}%</td>
                  <td className="admin-actions">
                    <button type="button" className="link-button" onClick={() => setPolicyEdit(p)}>
                      Edit
                    </button>{" "}
                    <DeleteButton path={`/sla-policies/${p.id}`} label={p.name} invalidate={keys.slaPolicies} />
                  </td>
                </tr>
              ))}
            </ListTable>
          )}
        </ListStates>
      </section>

      <section aria-labelledby="calendars-title" className="sla-section">
        <div className="sla-section-head">
          <h2 id="calendars-title">Business calendars</h2>
          <span className="muted admin-small">SLA clocks only run during working hours.</span>
          <span className="oc-spacer" />
          {calendarEdit === null && (
            <button type="button" className="primary" onClick={() => setCalendarEdit("new")}>
              New calendar
            </button>
          )}
        </div>
        {calendarEdit !== null && (
          <CalendarForm key={calendarEdit === "new" ? "new" : calendarEdit.id} calendar={calendarEdit === "new" ? undefined : calendarEdit} onDone={() => setCalendarEdit(null)} />
        )}
        {queues.isError && <ErrorBanner error={queues.error} />}
        <ListStates pending={calendars.isPending} items={calendars.data} error={calendars.error} empty={<Empty title="No business calendars yet" />}>
          {(list) => (
            <ListTable
              className="sla-table"
              head={
                <>
                  <th>Name</th>
                  <th>Time zone</th>
                  <th>Hours</th>
                  <th>Holidays</th>
                  <th>
                    <span className="visually-hidden">Actions</span>
                  </th>
                </>
              }
            >
              {list.map((c) => (
                <tr key={c.id} data-testid="calendar">
                  <td className="admin-strong">{c.name}</td>
                  <td>{c.time_zone}</td>
                  <td>{hoursSummary(c)}</td>
                  <td>{c.holidays.length || "—"}</td>
                  <td className="admin-actions">
                    <button type="button" className="link-button" onClick={() => setCalendarEdit(c)}>
                      Edit
                    </button>{" "}
                    <DeleteButton path={`/calendars/${c.id}`} label={c.name} invalidate={keys.calendars} />
                  </td>
                </tr>
              ))}
            </ListTable>
          )}
        </ListStates>
      </section>
    </div>
  );
}
