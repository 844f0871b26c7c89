// /oncall: the on-call schedules by team. Everyone on staff sees who is on
// call now and the week's shifts; leads and admins create and edit schedules
// and add overrides ("I cover Tuesday").
import { useEffect, useMemo, useState } from "react";
import { useSearchParams } from "react-router";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { del, get, post } from "../api/client";
import { keys } from "../api/keys";
import type { OnCall, Page, Schedule, ScheduleOverride, Shift, Team, User } from "../api/types";
import { SelectField, TextField } from "../components/Field";
import { Empty, ErrorBanner, FormError, ListStates, Loading } from "../components/States";
import { ScheduleForm } from "./ScheduleForm";
import { addDays, startOfWeek, WeekView } from "./WeekView";
import { OnCallTabs } from "./Tabs";
import { fromLocalInput, nameOf, toLocalInput, useOnCallData } from "./shared";
import "../admin/admin.css";
import "./oncall.css";

const iso = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, "Z");
const when = (s: string) =>
  new Date(s).toLocaleString(undefined, { weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });

function useNow(intervalMs = 60_000) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = window.setInterval(() => setNow(Date.now()), intervalMs);
    return () => window.clearInterval(t);
  }, [intervalMs]);
  return now;
}

export function OnCallNow({ schedule, byId }: { schedule: Schedule; byId: Map<number, User> }) {
  const q = useQuery({
    queryKey: keys.onCallNow(schedule.id),
    queryFn: () => get<OnCall>(`/schedules/${schedule.id}/on-call`),
    refetchInterval: 60_000,
  });
  if (!q.data) return <span className="muted">{q.isError ? "—" : "…"}</span>;
  return (
    <span data-testid="on-call-now">
      <strong>{nameOf(byId, q.data.user_id)}</strong>
      {q.data.until && <span className="muted"> until {when(q.data.until)}</span>}
    </span>
  );
}

function OverrideForm({ schedule, staff, me }: { schedule: Schedule; staff: User[]; me: User | null }) {
  const client = useQueryClient();
  const start0 = new Date();
  start0.setMinutes(0, 0, 0);
  start0.setHours(start0.getHours() + 1);
  const [userId, setUserId] = useState(me && staff.some((u) => u.id === me.id) ? String(me.id) : staff[0] ? String(staff[0].id) : "");
  const [start, setStart] = useState(toLocalInput(start0));
  const [end, setEnd] = useState(toLocalInput(new Date(start0.getTime() + 8 * 3600_000)));
  const create = useMutation({
    mutationFn: (body: { user_id: number; start_at: string; end_at: string }) => post<ScheduleOverride>(`/schedules/${schedule.id}/overrides`, body),
    onSuccess: () => client.invalidateQueries({ queryKey: keys.oncall }),
  });
  const error = create.error;
  return (
    <form
      className="oc-override-form"
      aria-label="Add an override"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        if (!create.isPending) create.mutate({ user_id: Number(userId), start_at: fromLocalInput(start), end_at: fromLocalInput(end) });
      }}
    >
      <FormError error={error} />
      <div className="oc-override-grid">
        <SelectField id="ovr-user" label="Who covers" value={userId} onChange={setUserId} error={error} field="user_id">
          {staff.map((u) => (
            <option key={u.id} value={u.id}>
              {u.display_name}
            </option>
          ))}
        </SelectField>
        <TextField id="ovr-start" label="From" type="datetime-local" value={start} onChange={setStart} error={error} field="start_at" />
        <TextField id="ovr-end" label="Until" type="datetime-local" value={end} onChange={setEnd} error={error} field="end_at" />
        <div className="oc-override-submit">
          <button type="submit" className="primary" disabled={create.isPending || !userId}>
            {create.isPending ? "Adding…" : "Add override"}
          </button>
        </div>
      </div>
      {create.isSuccess && <div className="admin-ok">Override added.</div>}
    </form>
  );
}

function Overrides({ schedule, byId, manager }: { schedule: Schedule; byId: Map<number, User>; manager: boolean }) {
  const client = useQueryClient();
  const remove = useMutation({
    mutationFn: (id: number) => del(`/schedules/${schedule.id}/overrides/${id}`),
    onSuccess: () => client.invalidateQueries({ queryKey: keys.oncall }),
  });
  const now = Date.now();
  const upcoming = schedule.overrides.filter((o) => Date.parse(o.end_at) > now).sort((a, b) => a.start_at.localeCompare(b.start_at));
  if (upcoming.length === 0) return <p className="muted admin-small">No current or upcoming overrides.</p>;
  return (
    <>
      <ul className="oc-overrides" aria-label="Overrides">
        {upcoming.map((o) => (
          <li key={o.id} data-testid="override">
            <span className="oc-override-mark" aria-hidden="true" />
            <strong>{nameOf(byId, o.user_id)}</strong>
            <span className="muted">
              {when(o.start_at)} – {when(o.end_at)}
            </span>
            {manager && (
              <button type="button" className="link-button danger" disabled={remove.isPending} onClick={() => remove.mutate(o.id)}>
                Remove
              </button>
            )}
          </li>
        ))}
      </ul>
      <ErrorBanner error={remove.error} />
    </>
  );
}

function ScheduleDetail({
  schedule,
  teams,
  users,
  staff,
  manager,
  me,
  onDeleted,
}: {
  schedule: Schedule;
  teams: Team[];
  users: Map<number, User>;
  staff: User[];
  manager: boolean;
  me: User | null;
  onDeleted: () => void;
}) {
  const client = useQueryClient();
  const now = useNow();
  const [weekStart, setWeekStart] = useState(() => startOfWeek(new Date()));
  const [editing, setEditing] = useState(false);
  const from = iso(weekStart);
  const to = iso(addDays(weekStart, 7));
  const shifts = useQuery({
    queryKey: keys.shifts(schedule.id, from, to),
    queryFn: async () => (await get<Page<Shift>>(`/schedules/${schedule.id}/shifts`, { from, to })).items,
    placeholderData: (prev) => prev,
  });
  const remove = useMutation({
    mutationFn: () => del(`/schedules/${schedule.id}`),
    onSuccess: () => {
      client.invalidateQueries({ queryKey: keys.oncall });
      onDeleted();
    },
  });
  const team = teams.find((t) => t.id === schedule.team_id);

  if (editing) {
    return (
      <ScheduleForm
        schedule={schedule}
        teams={teams}
        staff={staff}
        byId={users}
        onDone={() => setEditing(false)}
        onCancel={() => setEditing(false)}
      />
    );
  }

  return (
    <div className="oc-detail">
      <section className="panel oc-head" aria-labelledby="schedule-title">
        <div className="oc-head-main">
          <h2 id="schedule-title">{schedule.name}</h2>
          <div className="muted admin-small">
            {team ? team.name : `Team #${schedule.team_id}`} · {schedule.time_zone} · {schedule.layers.length} layer{schedule.layers.length === 1 ? "" : "s"}
            {schedule.description && <> · {schedule.description}</>}
          </div>
        </div>
        <div className="oc-now-box">
          <div className="oc-now-label">On call now</div>
          <OnCallNow schedule={schedule} byId={users} />
        </div>
        {manager && (
          <div className="oc-head-actions">
            <button type="button" onClick={() => setEditing(true)}>
              Edit
            </button>
            <button
              type="button"
              className="danger"
              disabled={remove.isPending}
              onClick={() => window.confirm(`Delete the schedule ${schedule.name}?`) && remove.mutate()}
            >
              Delete
            </button>
          </div>
        )}
      </section>
      <ErrorBanner error={remove.error} />
      <div className="panel oc-week-panel">
        {shifts.isError && <ErrorBanner error={shifts.error} />}
        <WeekView
          weekStart={weekStart}
          shifts={shifts.data ?? []}
          overrides={schedule.overrides}
          users={users}
          now={now}
          loading={shifts.isFetching}
          onPrev={() => setWeekStart((w) => addDays(w, -7))}
          onNext={() => setWeekStart((w) => addDays(w, 7))}
          onToday={() => setWeekStart(startOfWeek(new Date()))}
        />
      </div>
      <section className="panel oc-overrides-panel" aria-labelledby="overrides-title">
        <h2 id="overrides-title">Overrides</h2>
        <Overrides schedule={schedule} byId={users} manager={manager} />
        {manager && staff.length > 0 && <OverrideForm key={schedule.id} schedule={schedule} staff={staff} me={me} />}
      </section>
    </div>
  );
}

export default function Schedules() {
  const { user, manager, schedules, teams, users, staff } = useOnCallData();
  const [params, setParams] = useSearchParams();
  const [creating, setCreating] = useState(false);
  const byId = useMemo(() => new Map((users.data ?? []).map((u) => [u.id, u])), [users.data]);
  const teamList = teams.data ?? [];

  const list = schedules.data;
  const selectedId = Number(params.get("schedule")) || list?.[0]?.id;
  const selected = list?.find((s) => s.id === selectedId) ?? list?.[0];
  const select = (id: number | null) => setParams(id ? { schedule: String(id) } : {}, { replace: false });

  const grouped = useMemo(() => {
    const byTeam = new Map<number, Schedule[]>();
    for (const s of list ?? []) byTeam.set(s.team_id, [...(byTeam.get(s.team_id) ?? []), s]);
    return [...byTeam.entries()].map(([teamId, items]) => ({
      teamId,
      name: teamList.find((t) => t.id === teamId)?.name ?? `Team #${teamId}`,
      items: items.sort((a, b) => a.name.localeCompare(b.name)),
    })).sort((a, b) => a.name.localeCompare(b.name));
  }, [list, teamList]);

  return (
    <div className="admin oc">
      <div className="oc-title">
        <h1>On-call</h1>
        <OnCallTabs />
        <span className="oc-spacer" />
        {manager && !creating && (
          <button type="button" className="primary" onClick={() => setCreating(true)}>
            New schedule
          </button>
        )}
      </div>
      {users.isError && <ErrorBanner error={users.error} />}
      {creating && (teams.isPending || users.isPending) && <Loading />}
      {creating && teams.data && users.data && (
        <ScheduleForm
          teams={teamList}
          staff={staff}
          byId={byId}
          onDone={(s) => {
            setCreating(false);
            select(s.id);
          }}
          onCancel={() => setCreating(false)}
        />
      )}
      <ListStates
        pending={schedules.isPending}
        items={list}
        error={schedules.error}
        empty={
          <Empty title="No on-call schedules yet">
            <p className="muted">{manager ? "Create one with “New schedule”: a team, a time zone and a rotation of people." : "Ask a lead to set one up."}</p>
          </Empty>
        }
      >
        {() => (
          <div className="oc-layout">
            <nav className="panel oc-list" aria-label="Schedules">
              {grouped.map((g) => (
                <div key={g.teamId} className="oc-team">
                  <div className="oc-team-name">{g.name}</div>
                  <ul>
                    {g.items.map((s) => (
                      <li key={s.id}>
                        <button
                          type="button"
                          className={`oc-list-item${selected?.id === s.id ? " active" : ""}`}
                          aria-current={selected?.id === s.id ? "true" : undefined}
                          onClick={() => select(s.id)}
                        >
                          <span className="oc-list-name">{s.name}</span>
                          <span className="oc-list-zone muted">{s.time_zone}</span>
                        </button>
                      </li>
                    ))}
                  </ul>
                </div>
              ))}
            </nav>
            {selected && (
              <ScheduleDetail
                key={selected.id}
                schedule={selected}
                teams={teamList}
                users={byId}
                staff={staff}
                manager={manager}
                me={user}
                onDeleted={() => select(null)}
              />
            )}
          </div>
        )}
      </ListStates>
    </div>
  );
}
