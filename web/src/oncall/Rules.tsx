// /oncall/rules: automatic escalation rules ("an urgent ticket unanswered for
// 15 business minutes goes to engineering as SEV2", "an SLA breach goes to
// the leads") and the escalation clocks' targets per severity. Leads and
// admins write; agents read. The API's field errors show next to the fields.
import { useMemo, useState } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, ApiError, del, patch, post } from "../api/client";
import { keys } from "../api/keys";
import { automationKeys, type EscalationRule, type RuleTrigger, type SeverityTargets } from "../api/automation";
import { PRIORITIES, SEVERITIES, type EscalationTier, type Priority, type Queue, type Severity } from "../api/types";
import { invalid, SelectField, TextField } from "../components/Field";
import { FormActions } from "../components/FormActions";
import { Empty, ErrorBanner, FieldError, FormError, ListStates } from "../components/States";
import { ListTable } from "../components/Table";
import { priorityLabel } from "../components/format";
import { asFieldError } from "../admin/shared";
import { SEVERITY_LABELS } from "../agent/Escalation";
import { formatDuration } from "../agent/SlaPanel";
import { useQueues } from "../agent/data";
import { OnCallTabs } from "./Tabs";
import { NestedFieldError, isManager, useEscalationRules, useEscalationTargets } from "./shared";
import { useAuth } from "../auth";
import "../admin/admin.css";
import "./oncall.css";

export const TIER_LABELS: Record<EscalationTier, string> = { l2: "L2 (the leads)", engineering: "Engineering" };

function toggle<T>(list: T[], x: T): T[] {
  return list.includes(x) ? list.filter((y) => y !== x) : [...list, x];
}

// "Unanswered for 15 min (business time)" / "SLA breached".
export function triggerSummary(r: EscalationRule): string {
  if (r.trigger === "unanswered") return r.minutes != null ? `Unanswered for ${formatDuration(r.minutes)} (business time)` : "Unanswered";
  return r.trigger === "sla_breach" ? "SLA breached" : r.trigger;
}

function scopeSummary(r: EscalationRule, queues: Queue[]): string {
  const parts: string[] = [];
  parts.push(r.priorities.length ? r.priorities.map(priorityLabel).join("/") : "Any priority");
  parts.push(r.queue_ids.length ? "queue " + r.queue_ids.map((id) => queues.find((q) => q.id === id)?.name ?? `#${id}`).join("/") : "any queue");
  return parts.join(" · ");
}

export function RuleForm({ rule, queues, onDone }: { rule?: EscalationRule; queues: Queue[]; onDone: () => void }) {
  const client = useQueryClient();
  const [name, setName] = useState(rule?.name ?? "");
  const [trigger, setTrigger] = useState<RuleTrigger>(rule?.trigger ?? "unanswered");
  const [minutes, setMinutes] = useState(rule?.minutes != null ? String(rule.minutes) : "15");
  const [priorities, setPriorities] = useState<Priority[]>(rule?.priorities ?? []);
  const [queueIds, setQueueIds] = useState<number[]>(rule?.queue_ids ?? []);
  const [tier, setTier] = useState<EscalationTier>(rule?.tier ?? "engineering");
  const [severity, setSeverity] = useState<Severity>(rule?.severity ?? "sev2");
  const [enabled, setEnabled] = useState(rule?.enabled ?? true);
  const save = useMutation({
    mutationFn: (body: Record<string, unknown>) =>
      rule ? patch<EscalationRule>(`/escalation-rules/${rule.id}`, body) : post<EscalationRule>("/escalation-rules", body),
    onSuccess: () => {
      client.invalidateQueries({ queryKey: automationKeys.rules });
      onDone();
    },
  });
  // A taken name is a 409 without fields: show it under Name.
  const error = asFieldError(save.error, "name");

  return (
    <form
      className="panel admin-form oc-form"
      aria-labelledby="rule-form-title"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        if (save.isPending) return;
        save.mutate({
          name: name.trim(),
          trigger,
          minutes: trigger === "unanswered" && minutes.trim() !== "" ? Number(minutes) : null,
          priorities,
          queue_ids: queueIds,
          tier,
          severity,
          enabled,
        });
      }}
    >
      <h2 id="rule-form-title">{rule ? `Edit ${rule.name}` : "New escalation rule"}</h2>
      <FormError error={error} />
      <div className="admin-form-grid">
        <TextField id="rule-name" label="Name" value={name} onChange={setName} error={error} field="name" placeholder="e.g. Urgent unanswered" />
        <SelectField id="rule-trigger" label="When" value={trigger} onChange={(v) => setTrigger(v as RuleTrigger)} error={error} field="trigger">
          <option value="unanswered">A ticket is unanswered for…</option>
          <option value="sla_breach">A ticket breaches its SLA</option>
        </SelectField>
        {trigger === "unanswered" && (
          <TextField
            id="rule-minutes"
            label="Business minutes unanswered"
            type="number"
            min={1}
            max={525600}
            value={minutes}
            onChange={setMinutes}
            error={error}
            field="minutes"
            help={minutes && Number(minutes) > 0 ? `${formatDuration(Number(minutes))} of working hours without a first response` : "Without a first response, in working hours"}
          />
        )}
        <SelectField id="rule-tier" label="Escalate to" value={tier} onChange={(v) => setTier(v as EscalationTier)} error={error} field="tier">
          {(Object.keys(TIER_LABELS) as EscalationTier[]).map((t) => (
            <option key={t} value={t}>
              {TIER_LABELS[t]}
            </option>
          ))}
        </SelectField>
        <SelectField id="rule-severity" label="Severity" value={severity} onChange={(v) => setSeverity(v as Severity)} error={error} field="severity">
          {SEVERITIES.map((s) => (
            <option key={s} value={s}>
              {SEVERITY_LABELS[s]}
            </option>
          ))}
        </SelectField>
      </div>
      <fieldset className="oc-layer">
        <legend>Applies to (each non-empty list must match; none: every ticket)</legend>
        <div className="rule-conditions">
          <div>
            <div className="rule-cond-title">Priorities</div>
            {PRIORITIES.map((p) => (
              <label key={p} className="oc-checkbox">
                <input type="checkbox" checked={priorities.includes(p)} onChange={() => setPriorities((l) => toggle(l, p))} /> {priorityLabel(p)}
              </label>
            ))}
            <FieldError error={error} field="priorities" />
          </div>
          <div>
            <div className="rule-cond-title">Queues</div>
            <div className="rule-queue-list">
              {queues.map((q) => (
                <label key={q.id} className="oc-checkbox">
                  <input type="checkbox" checked={queueIds.includes(q.id)} onChange={() => setQueueIds((l) => toggle(l, q.id))} /> {q.name}
                </label>
              ))}
            </div>
            <NestedFieldError error={error} prefix="queue_ids" />
          </div>
        </div>
      </fieldset>
      <label className="oc-checkbox">
        <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} /> Enabled
      </label>
      <FieldError error={error} field="enabled" />
      <FormActions pending={save.isPending} saveLabel={rule ? "Save rule" : "Create rule"} onCancel={onDone} />
    </form>
  );
}

function RuleRow({ rule, queues, manager, onEdit }: { rule: EscalationRule; queues: Queue[]; manager: boolean; onEdit: () => void }) {
  const client = useQueryClient();
  const refresh = () => client.invalidateQueries({ queryKey: automationKeys.rules });
  // The box follows the click at once (local state, set in the click's own
  // render: the mutation's pending state arrives a tick later); it flips back
  // if the server refuses.
  const [clicked, setClicked] = useState<boolean | null>(null);
  const setEnabled = useMutation({
    mutationFn: (enabled: boolean) => patch<EscalationRule>(`/escalation-rules/${rule.id}`, { enabled }),
    onSuccess: (saved) => {
      client.setQueryData<EscalationRule[]>(automationKeys.rules, (list) => list?.map((r) => (r.id === saved.id ? saved : r)));
      refresh();
    },
    onSettled: () => setClicked(null),
  });
  const enabled = clicked ?? rule.enabled;
  const remove = useMutation({ mutationFn: () => del(`/escalation-rules/${rule.id}`), onSuccess: refresh });
  const failure = setEnabled.error ?? remove.error;
  return (
    <tr data-testid="escalation-rule" data-enabled={rule.enabled} className={rule.enabled ? undefined : "admin-inactive"}>
      <td className="admin-strong">{rule.name}</td>
      <td>{triggerSummary(rule)}</td>
      <td>{scopeSummary(rule, queues)}</td>
      <td>
        {TIER_LABELS[rule.tier] ?? rule.tier} · {rule.severity.toUpperCase()}
      </td>
      <td>
        {manager ? (
          <label className="oc-checkbox">
            <input
              type="checkbox"
              checked={enabled}
              aria-label={`${rule.name} enabled`}
              onChange={(e) => {
                if (setEnabled.isPending) return;
                setClicked(e.target.checked);
                setEnabled.mutate(e.target.checked);
              }}
            />{" "}
            {enabled ? "Enabled" : "Disabled"}
          </label>
        ) : rule.enabled ? (
          "Enabled"
        ) : (
          "Disabled"
        )}
      </td>
      {manager && (
        <td className="admin-actions">
          <button type="button" className="link-button" onClick={onEdit}>
            Edit
          </button>{" "}
          <button type="button" className="link-button danger" disabled={remove.isPending} onClick={() => window.confirm(`Delete ${rule.name}?`) && remove.mutate()}>
            Delete
          </button>
          {failure && (
            <div className="field-error" role="alert">
              {failure instanceof Error ? failure.message : "failed"}
            </div>
          )}
        </td>
      )}
    </tr>
  );
}

// One severity's clock targets; leads and admins edit them in place.
function TargetsRow({ targets, manager }: { targets: SeverityTargets; manager: boolean }) {
  const client = useQueryClient();
  const [ack, setAck] = useState(String(targets.ack_minutes));
  const [response, setResponse] = useState(String(targets.response_minutes));
  const save = useMutation({
    mutationFn: () =>
      api<SeverityTargets>("PUT", `/escalation-targets/${targets.severity}`, {
        ack_minutes: ack.trim() === "" ? null : Number(ack),
        response_minutes: response.trim() === "" ? null : Number(response),
      }),
    onSuccess: () => {
      client.invalidateQueries({ queryKey: automationKeys.escalationTargets });
      // Open escalations' clocks use the new targets.
      client.invalidateQueries({ queryKey: keys.escalations });
    },
  });
  const error = save.error;
  const changed = ack !== String(targets.ack_minutes) || response !== String(targets.response_minutes);
  const sev = targets.severity.toUpperCase();
  if (!manager) {
    return (
      <tr data-testid="escalation-targets" data-severity={targets.severity}>
        <td>{SEVERITY_LABELS[targets.severity] ?? sev}</td>
        <td>{formatDuration(targets.ack_minutes)}</td>
        <td>{formatDuration(targets.response_minutes)}</td>
      </tr>
    );
  }
  return (
    <tr data-testid="escalation-targets" data-severity={targets.severity}>
      <td>{SEVERITY_LABELS[targets.severity] ?? sev}</td>
      <td>
        <label className="visually-hidden" htmlFor={`tg-${targets.severity}-ack`}>
          {sev} acknowledge within (min)
        </label>
        <input
          id={`tg-${targets.severity}-ack`}
          className="tg-input"
          type="number"
          min={1}
          max={10080}
          value={ack}
          aria-invalid={invalid(error, "ack_minutes")}
          onChange={(e) => setAck(e.target.value)}
        />{" "}
        <span className="muted admin-small">min</span>
        <FieldError error={error} field="ack_minutes" />
      </td>
      <td>
        <label className="visually-hidden" htmlFor={`tg-${targets.severity}-response`}>
          {sev} first response within (min)
        </label>
        <input
          id={`tg-${targets.severity}-response`}
          className="tg-input"
          type="number"
          min={1}
          max={43200}
          value={response}
          aria-invalid={invalid(error, "response_minutes")}
          onChange={(e) => setResponse(e.target.value)}
        />{" "}
        <span className="muted admin-small">min</span>
        <FieldError error={error} field="response_minutes" />
      </td>
      <td className="admin-actions">
        <button type="button" disabled={save.isPending || !changed} onClick={() => save.mutate()} aria-label={`Save ${sev} targets`}>
          {save.isPending ? "Saving…" : "Save"}
        </button>
        {save.isSuccess && !changed && <span className="muted admin-small"> Saved.</span>}
        {error != null && !(error instanceof ApiError && Object.keys(error.fields).length > 0) && (
          <div className="field-error" role="alert">
            {error instanceof Error ? error.message : "failed"}
          </div>
        )}
      </td>
    </tr>
  );
}

export default function Rules() {
  const { user } = useAuth();
  const manager = isManager(user);
  const rules = useEscalationRules();
  const targets = useEscalationTargets();
  const queues = useQueues();
  const [editing, setEditing] = useState<EscalationRule | "new" | null>(null);
  const queueList = queues.data ?? [];
  const sortedTargets = useMemo(() => [...(targets.data ?? [])].sort((a, b) => a.severity.localeCompare(b.severity)), [targets.data]);

  return (
    <div className="admin oc">
      <div className="oc-title">
        <h1>On-call</h1>
        <OnCallTabs />
        <span className="oc-spacer" />
        {manager && editing === null && (
          <button type="button" className="primary" onClick={() => setEditing("new")}>
            New rule
          </button>
        )}
      </div>
      <section aria-labelledby="rules-title" className="rule-section">
        <h2 id="rules-title">Automatic escalation rules</h2>
        <p className="muted admin-small">
          The SLA watcher escalates a matching open ticket once, the first time a rule’s condition holds. Business minutes follow the ticket’s SLA
          calendar.
        </p>
        {editing !== null && (queues.data || queues.isError) && (
          <RuleForm key={editing === "new" ? "new" : editing.id} rule={editing === "new" ? undefined : editing} queues={queueList} onDone={() => setEditing(null)} />
        )}
        <ListStates
          pending={rules.isPending}
          items={rules.data}
          error={rules.error}
          empty={
            <Empty title="No escalation rules yet">
              <p className="muted">A rule escalates tickets without anyone pressing “Escalate”: when nobody answers in time, or when an SLA is breached.</p>
            </Empty>
          }
        >
          {(list) => (
            <ListTable
              className="rule-table"
              head={
                <>
                  <th>Name</th>
                  <th>When</th>
                  <th>Applies to</th>
                  <th>Escalates to</th>
                  <th>State</th>
                  {manager && (
                    <th>
                      <span className="visually-hidden">Actions</span>
                    </th>
                  )}
                </>
              }
            >
              {list.map((r) => (
                <RuleRow key={r.id} rule={r} queues={queueList} manager={manager} onEdit={() => setEditing(r)} />
              ))}
            </ListTable>
          )}
        </ListStates>
      </section>

      <section aria-labelledby="targets-title" className="rule-section">
        <h2 id="targets-title">Escalation clocks</h2>
        <p className="muted admin-small">
          How long the paged team has to acknowledge an escalation, and to answer on the ticket, by severity (wall-clock: on-call runs round the
          clock).
        </p>
        <ListStates pending={targets.isPending} items={targets.data ? sortedTargets : undefined} error={targets.error} empty={<Empty title="No severities" />}>
          {(list) => (
            <ListTable
              className="rule-table tg-table"
              head={
                <>
                  <th>Severity</th>
                  <th>Acknowledge within</th>
                  <th>First response within</th>
                  {manager && (
                    <th>
                      <span className="visually-hidden">Actions</span>
                    </th>
                  )}
                </>
              }
            >
              {list.map((t) => (
                <TargetsRow key={t.severity} targets={t} manager={manager} />
              ))}
            </ListTable>
          )}
        </ListStates>
      </section>
      {queues.isError && <ErrorBanner error={queues.error} />}
    </div>
  );
}
