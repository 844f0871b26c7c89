// /oncall/policies: escalation policies (who is paged, in which order, after
// how long without an acknowledgement) and which queue uses which policy.
import { useMemo, useState } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, del, patch, post } from "../api/client";
import { keys } from "../api/keys";
import type { EscalationLevel, EscalationPolicy, EscalationTarget, EscalationTargetType, Queue, Schedule, Team, User } from "../api/types";
import { Field, SelectField, TextField } from "../components/Field";
import { FormActions } from "../components/FormActions";
import { Empty, ErrorBanner, FormError, ListStates, Loading } from "../components/States";
import { useQueues } from "../agent/data";
import { OnCallTabs } from "./Tabs";
import { NestedFieldError, useEscalationPolicies, useOnCallData } from "./shared";
import "../admin/admin.css";
import "./oncall.css";

const TARGET_LABELS: Record<EscalationTargetType, string> = { user: "User", schedule: "Schedule", team_on_call: "Team on call" };

interface Lookups {
  users: Map<number, User>;
  schedules: Map<number, Schedule>;
  teams: Map<number, Team>;
}

function targetName(t: EscalationTarget, l: Lookups): string {
  if (t.type === "user") return l.users.get(t.id)?.display_name ?? `User #${t.id}`;
  if (t.type === "schedule") return `${l.schedules.get(t.id)?.name ?? `Schedule #${t.id}`} (schedule)`;
  return `${l.teams.get(t.id)?.name ?? `Team #${t.id}`} on call`;
}

function PolicyForm({
  policy,
  teams,
  staff,
  schedules,
  onDone,
}: {
  policy?: EscalationPolicy;
  teams: Team[];
  staff: User[];
  schedules: Schedule[];
  onDone: () => void;
}) {
  const client = useQueryClient();
  const [teamId, setTeamId] = useState(policy ? String(policy.team_id) : teams[0] ? String(teams[0].id) : "");
  const [name, setName] = useState(policy?.name ?? "");
  const [description, setDescription] = useState(policy?.description ?? "");
  const [repeat, setRepeat] = useState(String(policy?.repeat ?? 0));
  const [notifyLead, setNotifyLead] = useState(policy?.notify_lead_when_exhausted ?? true);
  const [levels, setLevels] = useState<EscalationLevel[]>(
    policy?.levels ?? [{ targets: [{ type: "schedule", id: schedules[0]?.id ?? 0 }], ack_timeout_minutes: 15 }],
  );
  const save = useMutation({
    mutationFn: (body: Record<string, unknown>) =>
      policy ? patch<EscalationPolicy>(`/escalation-policies/${policy.id}`, body) : post<EscalationPolicy>("/escalation-policies", body),
    onSuccess: () => {
      client.invalidateQueries({ queryKey: keys.escalationPolicies });
      onDone();
    },
  });
  const error = save.error;
  const setLevel = (i: number, change: Partial<EscalationLevel>) => setLevels((ls) => ls.map((l, j) => (j === i ? { ...l, ...change } : l)));
  const setTarget = (i: number, k: number, t: EscalationTarget) =>
    setLevel(i, { targets: levels[i]!.targets.map((x, j) => (j === k ? t : x)) });
  const firstOf = (type: EscalationTargetType) =>
    type === "user" ? staff[0]?.id ?? 0 : type === "schedule" ? schedules[0]?.id ?? 0 : teams[0]?.id ?? 0;

  return (
    <form
      className="panel admin-form oc-form"
      aria-labelledby="policy-form-title"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        if (save.isPending) return;
        save.mutate({
          team_id: Number(teamId),
          name: name.trim(),
          description: description.trim(),
          repeat: Number(repeat),
          notify_lead_when_exhausted: notifyLead,
          levels: levels.map((l) => ({ targets: l.targets, ack_timeout_minutes: Number(l.ack_timeout_minutes) })),
        });
      }}
    >
      <h2 id="policy-form-title">{policy ? `Edit ${policy.name}` : "New escalation policy"}</h2>
      <FormError error={error} />
      <div className="admin-form-grid">
        <SelectField id="ep-team" label="Team" value={teamId} onChange={setTeamId} error={error} field="team_id">
          {teams.map((t) => (
            <option key={t.id} value={t.id}>
              {t.name}
            </option>
          ))}
        </SelectField>
        <TextField id="ep-name" label="Name" value={name} onChange={setName} error={error} field="name" placeholder="e.g. Ingestion outages" />
        <TextField id="ep-description" label="Description" value={description} onChange={setDescription} error={error} field="description" />
        <TextField
          id="ep-repeat"
          label="Repeat"
          type="number"
          min={0}
          max={9}
          value={repeat}
          onChange={setRepeat}
          error={error}
          field="repeat"
          help="Run all levels this many more times"
        />
      </div>
      <label className="oc-checkbox">
        <input type="checkbox" checked={notifyLead} onChange={(e) => setNotifyLead(e.target.checked)} /> Tell the team’s leads when nobody acknowledges
      </label>
      <h3 className="oc-subhead">Levels</h3>
      <NestedFieldError error={error} prefix="levels" exact />
      {levels.map((l, i) => (
        <fieldset key={i} className="ep-level-edit">
          <legend>Level {i + 1}</legend>
          <NestedFieldError error={error} prefix={`levels[${i}]`} except={[`levels[${i}].ack_timeout_minutes`]} />
          {l.targets.map((t, k) => (
            <div key={k} className="ep-target-row">
              <label className="visually-hidden" htmlFor={`lvl-${i}-t-${k}-type`}>
                Level {i + 1} target {k + 1} type
              </label>
              <select
                id={`lvl-${i}-t-${k}-type`}
                value={t.type}
                onChange={(e) => {
                  const type = e.target.value as EscalationTargetType;
                  setTarget(i, k, { type, id: firstOf(type) });
                }}
              >
                {(Object.keys(TARGET_LABELS) as EscalationTargetType[]).map((x) => (
                  <option key={x} value={x}>
                    {TARGET_LABELS[x]}
                  </option>
                ))}
              </select>
              <label className="visually-hidden" htmlFor={`lvl-${i}-t-${k}-id`}>
                Level {i + 1} target {k + 1}
              </label>
              <select id={`lvl-${i}-t-${k}-id`} value={String(t.id)} onChange={(e) => setTarget(i, k, { ...t, id: Number(e.target.value) })}>
                {t.type === "user" && staff.map((u) => <option key={u.id} value={u.id}>{u.display_name}</option>)}
                {t.type === "schedule" && schedules.map((s) => <option key={s.id} value={s.id}>{s.name}</option>)}
                {t.type === "team_on_call" && teams.map((x) => <option key={x.id} value={x.id}>{x.name}</option>)}
              </select>
              {l.targets.length > 1 && (
                <button type="button" className="link-button danger" onClick={() => setLevel(i, { targets: l.targets.filter((_, j) => j !== k) })}>
                  Remove
                </button>
              )}
            </div>
          ))}
          <div className="ep-target-row">
            <button type="button" onClick={() => setLevel(i, { targets: [...l.targets, { type: "user", id: firstOf("user") }] })} disabled={l.targets.length >= 10}>
              Add target
            </button>
            <Field id={`lvl-${i}-ack`} label="Escalate after (min)" className="field ep-ack" error={error} field={`levels[${i}].ack_timeout_minutes`}>
              <input
                id={`lvl-${i}-ack`}
                type="number"
                min={1}
                max={1440}
                value={String(l.ack_timeout_minutes)}
                onChange={(e) => setLevel(i, { ack_timeout_minutes: Number(e.target.value) })}
              />
            </Field>
            <span className="oc-spacer" />
            {levels.length > 1 && (
              <button type="button" className="link-button danger" onClick={() => setLevels((ls) => ls.filter((_, j) => j !== i))}>
                Remove level {i + 1}
              </button>
            )}
          </div>
        </fieldset>
      ))}
      <FormActions pending={save.isPending} saveLabel={policy ? "Save policy" : "Create policy"} onCancel={onDone}>
        <button
          type="button"
          onClick={() => setLevels((ls) => [...ls, { targets: [{ type: "team_on_call", id: Number(teamId) || firstOf("team_on_call") }], ack_timeout_minutes: 30 }])}
          disabled={levels.length >= 20}
        >
          Add level
        </button>
      </FormActions>
    </form>
  );
}

// Points a queue (component) at a policy, or at none.
export function AssignQueue({ queues, policies }: { queues: Queue[]; policies: EscalationPolicy[] }) {
  const client = useQueryClient();
  const [queueId, setQueueId] = useState(queues[0] ? String(queues[0].id) : "");
  const current = policies.find((p) => p.queue_ids.includes(Number(queueId)));
  const [policyId, setPolicyId] = useState<string | null>(null);
  const value = policyId ?? (current ? String(current.id) : "");
  const assign = useMutation({
    mutationFn: () =>
      api<{ queue_id: number; escalation_policy_id: number | null }>("PUT", `/queues/${queueId}/escalation-policy`, {
        escalation_policy_id: value ? Number(value) : null,
      }),
    onSuccess: () => {
      setPolicyId(null);
      client.invalidateQueries({ queryKey: keys.escalationPolicies });
    },
  });
  return (
    <form
      className="panel admin-form"
      aria-labelledby="assign-title"
      onSubmit={(e) => {
        e.preventDefault();
        if (queueId) assign.mutate();
      }}
    >
      <h2 id="assign-title">Queue escalation</h2>
      <p className="muted admin-small">Which policy pages people for a queue’s urgent tickets.</p>
      <FormError error={assign.error} />
      <div className="ep-assign">
        <SelectField id="assign-queue" label="Queue" value={queueId} onChange={(v) => { setQueueId(v); setPolicyId(null); }}>
          {queues.map((q) => (
            <option key={q.id} value={q.id}>
              {q.name}
            </option>
          ))}
        </SelectField>
        <SelectField id="assign-policy" label="Escalation policy" value={value} onChange={setPolicyId} error={assign.error} field="escalation_policy_id">
          <option value="">None</option>
          {policies.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name}
            </option>
          ))}
        </SelectField>
        <button type="submit" disabled={assign.isPending || !queueId}>
          {assign.isPending ? "Saving…" : "Assign"}
        </button>
        {assign.isSuccess && <span className="admin-ok">Saved.</span>}
      </div>
    </form>
  );
}

function PolicyCard({ policy, lookups, queues, manager, onEdit }: { policy: EscalationPolicy; lookups: Lookups; queues: Queue[]; manager: boolean; onEdit: () => void }) {
  const client = useQueryClient();
  const remove = useMutation({
    mutationFn: () => del(`/escalation-policies/${policy.id}`),
    onSuccess: () => client.invalidateQueries({ queryKey: keys.escalationPolicies }),
  });
  const queueNames = policy.queue_ids.map((id) => queues.find((q) => q.id === id)?.name ?? `#${id}`);
  return (
    <section className="panel ep-card" data-testid="escalation-policy" aria-labelledby={`ep-${policy.id}`}>
      <div className="ep-card-head">
        <h2 id={`ep-${policy.id}`}>{policy.name}</h2>
        <span className="muted admin-small">{lookups.teams.get(policy.team_id)?.name ?? `Team #${policy.team_id}`}</span>
        <span className="oc-spacer" />
        {manager && (
          <>
            <button type="button" className="link-button" onClick={onEdit}>
              Edit
            </button>
            <button type="button" className="link-button danger" disabled={remove.isPending} onClick={() => window.confirm(`Delete ${policy.name}?`) && remove.mutate()}>
              Delete
            </button>
          </>
        )}
      </div>
      {policy.description && <p className="muted admin-small">{policy.description}</p>}
      <ol className="ep-levels">
        {policy.levels.map((l, i) => (
          <li key={i}>
            <span className="ep-level-no">{i + 1}</span>
            <div>
              {l.targets.map((t, k) => (
                <span key={k} className="ep-target">
                  {targetName(t, lookups)}
                </span>
              ))}
              <div className="muted ep-meta">escalate after {l.ack_timeout_minutes} min without acknowledgement</div>
            </div>
          </li>
        ))}
      </ol>
      <div className="muted ep-meta">
        {policy.repeat > 0 ? `Repeats ${policy.repeat}×` : "No repeat"} · {policy.notify_lead_when_exhausted ? "leads told when exhausted" : "leads not told"} ·{" "}
        {queueNames.length ? `Queues: ${queueNames.join(", ")}` : "No queues"}
      </div>
      <ErrorBanner error={remove.error} />
    </section>
  );
}

export default function Policies() {
  const { manager, schedules, teams, users, staff } = useOnCallData();
  const policies = useEscalationPolicies();
  const queues = useQueues();
  const [editing, setEditing] = useState<EscalationPolicy | "new" | null>(null);
  const lookups = useMemo<Lookups>(
    () => ({
      users: new Map((users.data ?? []).map((u) => [u.id, u])),
      schedules: new Map((schedules.data ?? []).map((s) => [s.id, s])),
      teams: new Map((teams.data ?? []).map((t) => [t.id, t])),
    }),
    [users.data, schedules.data, teams.data],
  );
  const ready = teams.data && users.data && schedules.data;

  return (
    <div className="admin oc">
      <div className="oc-title">
        <h1>On-call</h1>
        <OnCallTabs />
        <span className="oc-spacer" />
        {manager && editing === null && (
          <button type="button" className="primary" onClick={() => setEditing("new")}>
            New policy
          </button>
        )}
      </div>
      {editing !== null && !ready && <Loading />}
      {editing !== null && ready && (
        <PolicyForm
          key={editing === "new" ? "new" : editing.id}
          policy={editing === "new" ? undefined : editing}
          teams={teams.data}
          staff={staff}
          schedules={schedules.data}
          onDone={() => setEditing(null)}
        />
      )}
      {manager && queues.data && policies.data && policies.data.length > 0 && <AssignQueue queues={queues.data} policies={policies.data} />}
      <ListStates
        pending={policies.isPending}
        items={policies.data}
        error={policies.error}
        empty={
          <Empty title="No escalation policies yet">
            <p className="muted">A policy says who is paged first and who next when nobody acknowledges.</p>
          </Empty>
        }
      >
        {(list) => (
          <div className="ep-grid">
            {list.map((p) => (
              <PolicyCard key={p.id} policy={p} lookups={lookups} queues={queues.data ?? []} manager={manager} onEdit={() => setEditing(p)} />
            ))}
          </div>
        )}
      </ListStates>
    </div>
  );
}
