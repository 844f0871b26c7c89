// Escalations on the agent ticket page (docs/ESCALATION.md): the "Escalate
// ticket" dialog, the side panel's Escalation section (the open escalation,
// who was paged, ack / resolve / de-escalate) and the Component section (the
// queue's team, escalation policy, who is on call for that team now and its
// newest SOPs from the component catalog).
import { useMemo, useState } from "react";
import { Link } from "react-router";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { ApiError, get, post } from "../api/client";
import { keys } from "../api/keys";
import {
  SEVERITIES,
  type Escalation,
  type EscalationState,
  type EscalationTier,
  type Page,
  type Severity,
  type TeamOnCall,
  type TicketEvent,
  type User,
} from "../api/types";
import { Field, invalid } from "../components/Field";
import { ErrorBanner, FieldError } from "../components/States";
import { absoluteTime, relativeTime } from "../components/format";
import { useTeams } from "../admin/shared";
import { useEscalationPolicies } from "../oncall/shared";
import { useComponent } from "../catalog/shared";
import { useQueues, useUsers } from "./data";

export const STATE_LABELS: Record<EscalationState, string> = {
  triggered: "Triggered",
  acknowledged: "Acknowledged",
  unacknowledged: "Unacknowledged",
  resolved: "Resolved",
  cancelled: "De-escalated",
};

export const SEVERITY_LABELS: Record<Severity, string> = {
  sev1: "SEV1 · critical",
  sev2: "SEV2 · major",
  sev3: "SEV3 · minor",
  sev4: "SEV4 · low",
};

export type EscalationAction = "ack" | "resolve" | "cancel";

// What may be done to an escalation in `state` (resolved / cancelled are final;
// acknowledging an acknowledged one is a no-op, so it is not offered).
export function allowedActions(state: EscalationState): EscalationAction[] {
  if (state === "triggered" || state === "unacknowledged") return ["ack", "resolve", "cancel"];
  if (state === "acknowledged") return ["resolve", "cancel"];
  return [];
}

const ACTION_LABELS: Record<EscalationAction, string> = { ack: "Acknowledge", resolve: "Resolve", cancel: "De-escalate" };

export function useTicketEscalations(ticketId: number) {
  return useQuery({
    queryKey: keys.ticketEscalations(ticketId),
    queryFn: async () => (await get<Page<Escalation>>(`/tickets/${ticketId}/escalations`)).items,
    enabled: ticketId > 0,
  });
}

function useNames() {
  const users = useUsers();
  return useMemo(() => {
    const map = new Map<number, User>();
    for (const u of users.data ?? []) map.set(u.id, u);
    return (id: number | null | undefined, none = "Nobody") => (id == null ? none : map.get(id)?.display_name ?? `User #${id}`);
  }, [users.data]);
}

function When({ at }: { at: string }) {
  return (
    <time dateTime={at} title={absoluteTime(at)}>
      {relativeTime(at)}
    </time>
  );
}

export function EscalateDialog({ ticketId, onClose }: { ticketId: number; onClose: () => void }) {
  const client = useQueryClient();
  const [reason, setReason] = useState("");
  const [severity, setSeverity] = useState<Severity>("sev3");
  const [tier, setTier] = useState<EscalationTier>("engineering");
  const [missing, setMissing] = useState(false);
  const create = useMutation({
    mutationFn: (body: { reason: string; severity: Severity; tier: EscalationTier }) =>
      post<Escalation>(`/tickets/${ticketId}/escalations`, body),
    onSuccess: () => {
      client.invalidateQueries({ queryKey: keys.escalations });
      client.invalidateQueries({ queryKey: keys.events(ticketId) });
      onClose();
    },
  });
  const error = create.error;
  const fieldErrors = error instanceof ApiError && Object.keys(error.fields).length > 0;

  return (
    <div className="ag-overlay" onClick={onClose}>
      <div
        className="ag-dialog esc-dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby="esc-dialog-title"
        onClick={(e) => e.stopPropagation()}
      >
        <div className="ag-dialog-head">
          <h2 id="esc-dialog-title">Escalate ticket</h2>
          <button type="button" className="ag-icon-button" aria-label="Close" onClick={onClose}>
            ×
          </button>
        </div>
        <form
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            if (create.isPending) return;
            const text = reason.trim();
            setMissing(!text);
            if (!text) return;
            create.mutate({ reason: text, severity, tier });
          }}
        >
          {error && !fieldErrors && <ErrorBanner error={error} />}
          {fieldErrors && <FieldError error={error} field="ticket" />}
          <Field id="esc-reason" label="Reason" error={error} field="reason">
            <textarea
              id="esc-reason"
              rows={4}
              autoFocus
              required
              value={reason}
              aria-invalid={missing || invalid(error, "reason")}
              onChange={(e) => setReason(e.target.value)}
            />
          </Field>
          {missing && (
            <div className="field-error" role="alert" data-field="reason">
              Say why the ticket needs escalating.
            </div>
          )}
          <Field id="esc-severity" label="Severity" error={error} field="severity">
            <select id="esc-severity" value={severity} aria-invalid={invalid(error, "severity")} onChange={(e) => setSeverity(e.target.value as Severity)}>
              {SEVERITIES.map((s) => (
                <option key={s} value={s}>
                  {SEVERITY_LABELS[s]}
                </option>
              ))}
            </select>
          </Field>
          <Field id="esc-tier" label="Tier" error={error} field="tier">
            <select id="esc-tier" value={tier} aria-invalid={invalid(error, "tier")} onChange={(e) => setTier(e.target.value as EscalationTier)}>
              <option value="engineering">Engineering (queue's escalation policy)</option>
              <option value="l2">L2 (team leads)</option>
            </select>
          </Field>
          <div className="esc-actions">
            <button type="button" onClick={onClose}>
              Cancel
            </button>
            <button type="submit" className="primary" disabled={create.isPending}>
              {create.isPending ? "Escalating…" : "Escalate"}
            </button>
          </div>
        </form>
      </div>
    </div>
  );
}

interface Paged {
  user_id: number | null;
  level: number;
  at: string;
}

function parseAfter(e: TicketEvent): Record<string, unknown> | null {
  if (!e.after) return null;
  try {
    const v = JSON.parse(e.after) as unknown;
    return v && typeof v === "object" ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

// The escalation_paged events of escalation `id`, oldest first.
export function pagesOf(events: TicketEvent[] | undefined, id: number): Paged[] {
  const out: Paged[] = [];
  for (const e of events ?? []) {
    if (e.kind !== "escalation_paged") continue;
    const after = parseAfter(e);
    if (!after || after.escalation_id !== id) continue;
    out.push({ user_id: typeof after.user_id === "number" ? after.user_id : null, level: Number(after.level ?? 0), at: e.at });
  }
  return out.sort((a, b) => a.at.localeCompare(b.at));
}

export function EscalationPanel({ ticketId, events }: { ticketId: number; events?: TicketEvent[] }) {
  const client = useQueryClient();
  const escalations = useTicketEscalations(ticketId);
  const name = useNames();
  const act = useMutation({
    mutationFn: ({ id, action }: { id: number; action: EscalationAction }) => post<Escalation>(`/escalations/${id}/${action}`),
    onSuccess: () => {
      client.invalidateQueries({ queryKey: keys.escalations });
      client.invalidateQueries({ queryKey: keys.events(ticketId) });
    },
  });
  const current = escalations.data?.find((e) => e.open);
  const pages = current ? pagesOf(events, current.id) : [];

  return (
    <div className="ag-side-section esc-panel" data-testid="escalation-panel" data-state={current?.state ?? "none"}>
      <div className="ag-side-label">Escalation</div>
      {escalations.isPending ? (
        <span className="muted ag-small">Loading…</span>
      ) : escalations.isError ? (
        <span className="muted ag-small">Escalations could not be loaded.</span>
      ) : !current ? (
        <span className="muted ag-small">No open escalation</span>
      ) : (
        <>
          <div className="esc-row">
            <span className={`esc-sev esc-${current.severity}`}>{current.severity.toUpperCase()}</span>
            <span className={`esc-state esc-state-${current.state}`} data-testid="escalation-state">
              {STATE_LABELS[current.state]}
            </span>
            <span className="muted ag-small">
              {current.tier === "l2" ? "L2" : `Level ${current.level + 1}`}
            </span>
          </div>
          <div className="ag-small esc-reason">{current.reason}</div>
          <div className="muted ag-small">
            by {name(current.created_by, "system")} <When at={current.created_at} />
          </div>
          {current.acknowledged_at && (
            <div className="ag-small">
              Acknowledged by {name(current.acknowledged_by, "link")} <When at={current.acknowledged_at} />
            </div>
          )}
          <div className="ag-small esc-paged">
            <span className="muted">Paged:</span>{" "}
            {pages.length === 0 ? (
              <span className="muted">nobody yet</span>
            ) : (
              <ul data-testid="escalation-pages">
                {pages.map((p, i) => (
                  <li key={i}>
                    {p.user_id == null ? "Nobody on call" : name(p.user_id)} <span className="muted">(level {p.level + 1})</span> <When at={p.at} />
                  </li>
                ))}
              </ul>
            )}
          </div>
          <div className="esc-buttons">
            {allowedActions(current.state).map((action) => (
              <button
                key={action}
                type="button"
                className={action === "ack" ? "primary" : undefined}
                disabled={act.isPending}
                onClick={() => act.mutate({ id: current.id, action })}
              >
                {ACTION_LABELS[action]}
              </button>
            ))}
          </div>
        </>
      )}
      <ErrorBanner error={act.error} />
    </div>
  );
}

export function ComponentPanel({ queueId }: { queueId: number | null }) {
  const queues = useQueues();
  const teams = useTeams();
  const policies = useEscalationPolicies();
  const name = useNames();
  const queue = queueId == null ? undefined : queues.data?.find((q) => q.id === queueId);
  const teamId = queue?.team_id ?? null;
  const team = teamId == null ? undefined : teams.data?.find((t) => t.id === teamId);
  const policy = queueId == null ? undefined : policies.data?.find((p) => p.queue_ids.includes(queueId));
  const onCall = useQuery({
    queryKey: keys.teamOnCall(teamId ?? 0),
    queryFn: () => get<TeamOnCall>(`/teams/${teamId}/on-call`),
    enabled: teamId != null && teamId > 0,
    refetchInterval: 5 * 60_000,
  });
  // The catalog's view of the component carries its SOPs (newest change first).
  const component = useComponent(queueId ?? 0);
  const sops = component.data?.sops ?? [];

  return (
    <div className="ag-side-section esc-component" data-testid="component-panel">
      <div className="ag-side-label">Component</div>
      {queueId == null ? (
        <span className="muted ag-small">No queue</span>
      ) : (
        <dl className="esc-dl ag-small">
          <dt>Team</dt>
          <dd data-testid="component-team">{teamId == null ? "No team" : team?.name ?? (teams.isPending ? "…" : `Team #${teamId}`)}</dd>
          <dt>Policy</dt>
          <dd data-testid="component-policy">
            {policy ? policy.name : policies.isPending ? "…" : policies.isError ? "—" : "No escalation policy"}
          </dd>
          <dt>On call</dt>
          <dd data-testid="component-oncall">
            {teamId == null ? (
              "—"
            ) : onCall.isPending ? (
              "…"
            ) : !onCall.data ? (
              "—"
            ) : onCall.data.schedules.length === 0 ? (
              <span className="muted">No schedule</span>
            ) : (
              <ul>
                {onCall.data.schedules.map((s) => (
                  <li key={s.schedule_id}>
                    {name(s.user_id)} <span className="muted">({s.schedule_name})</span>
                  </li>
                ))}
              </ul>
            )}
          </dd>
          <dt>SOPs</dt>
          <dd data-testid="component-sops">
            {component.isPending ? (
              "…"
            ) : !component.data ? (
              "—"
            ) : sops.length === 0 ? (
              <span className="muted">None published</span>
            ) : (
              <ul>
                {sops.slice(0, 3).map((a) => (
                  <li key={a.id}>
                    <Link to={`/kb/${a.id}`}>{a.title}</Link>
                  </li>
                ))}
                {sops.length > 3 && (
                  <li>
                    <Link to={`/components/${queueId}`}>All SOPs</Link>
                  </li>
                )}
              </ul>
            )}
          </dd>
        </dl>
      )}
    </div>
  );
}
