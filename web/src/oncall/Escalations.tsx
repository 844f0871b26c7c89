// /oncall/escalations: escalations across the desk, open ones by default,
// newest first (GET /escalations?state=…, at most 200), each with its two
// clocks (acknowledge, first response) and a mark when a rule created it.
import { useMemo } from "react";
import { Link, useSearchParams } from "react-router";
import { useQuery } from "@tanstack/react-query";
import { get } from "../api/client";
import { keys } from "../api/keys";
import { ESCALATION_STATES, type Page } from "../api/types";
import type { ClockState, EscalationClock, EscalationRule, EscalationWithClocks } from "../api/automation";
import { Empty, ListStates } from "../components/States";
import { ListTable } from "../components/Table";
import { absoluteTime, relativeTime } from "../components/format";
import { STATE_LABELS } from "../agent/Escalation";
import { formatDuration } from "../agent/SlaPanel";
import { useUsers } from "../agent/data";
import { OnCallTabs } from "./Tabs";
import { fromNow, nameOf, useEscalationRules } from "./shared";
import "../admin/admin.css";
import "./oncall.css";

const FILTERS = ["open", "all", ...ESCALATION_STATES] as const;

function When({ at }: { at: string | null }) {
  if (!at) return <span className="muted">—</span>;
  return (
    <time dateTime={at} title={absoluteTime(at)}>
      {relativeTime(at)}
    </time>
  );
}

const CLOCK_LABELS: Record<ClockState, string> = { running: "Running", met: "Met", breached: "Breached", stopped: "Stopped" };

// One clock: its state, and when it is due (running, breached, stopped) or
// was met (met; breached late).
export function Clock({ clock, label }: { clock: EscalationClock | undefined; label: string }) {
  if (!clock) return <span className="muted">—</span>;
  const at = clock.met_at ?? clock.due_at;
  const when = clock.met_at ? (clock.state === "breached" ? "met late" : "met") : clock.state === "running" ? "due" : "was due";
  return (
    <div className="esc-clock" data-testid={`clock-${label}`} data-state={clock.state}>
      <span>
        <span className={`badge clock-${clock.state}`}>{CLOCK_LABELS[clock.state] ?? clock.state}</span>
      </span>
      {at && (
        <span className="esc-clock-when">
          {when}{" "}
          <time dateTime={at} title={`${absoluteTime(at)} · target ${formatDuration(clock.target_minutes)}`}>
            {fromNow(at)}
          </time>
        </span>
      )}
    </div>
  );
}

export default function Escalations() {
  const [params, setParams] = useSearchParams();
  const raw = params.get("state") ?? "open";
  const state = (FILTERS as readonly string[]).includes(raw) ? raw : "open";
  const list = useQuery({
    queryKey: keys.escalationList(state),
    queryFn: async () => (await get<Page<EscalationWithClocks>>("/escalations", { state: state === "all" ? undefined : state })).items,
    refetchInterval: 30_000,
  });
  const users = useUsers();
  const byId = useMemo(() => new Map((users.data ?? []).map((u) => [u.id, u])), [users.data]);
  const rules = useEscalationRules();
  const ruleById = useMemo(() => new Map<number, EscalationRule>((rules.data ?? []).map((r) => [r.id, r])), [rules.data]);

  return (
    <div className="admin oc">
      <div className="oc-title">
        <h1>On-call</h1>
        <OnCallTabs />
        <span className="oc-spacer" />
        <label className="esc-filter">
          State{" "}
          <select
            value={state}
            onChange={(e) => setParams(e.target.value === "open" ? {} : { state: e.target.value }, { replace: true })}
          >
            {FILTERS.map((f) => (
              <option key={f} value={f}>
                {f === "open" ? "Open" : f === "all" ? "All" : STATE_LABELS[f]}
              </option>
            ))}
          </select>
        </label>
      </div>
      <ListStates
        pending={list.isPending}
        items={list.data}
        error={list.error}
        empty={<Empty title={state === "open" ? "No open escalations" : "No escalations"} />}
      >
        {(items) => (
          <ListTable
            className="esc-table"
            head={
              <>
                <th>Ticket</th>
                <th>Severity</th>
                <th>State</th>
                <th>Level</th>
                <th>Reason</th>
                <th>Created</th>
                <th>Acknowledged</th>
                <th>Ack clock</th>
                <th>Response clock</th>
              </>
            }
          >
            {items.map((e) => (
              <tr key={e.id} data-testid="escalation-row" data-state={e.state} data-automatic={e.rule_id != null}>
                <td className="esc-ticket-cell">
                  <Link to={`/agent/tickets/${e.ticket_id}`}>#{e.ticket_id}</Link>
                  {e.rule_id != null && (
                    <span
                      className="badge esc-auto"
                      data-testid="escalation-automatic"
                      title={`Created by the rule “${ruleById.get(e.rule_id)?.name ?? `#${e.rule_id}`}”`}
                    >
                      automatic
                    </span>
                  )}
                </td>
                <td>{e.severity.toUpperCase()}</td>
                <td>{STATE_LABELS[e.state]}</td>
                <td>{e.tier === "l2" ? "L2" : e.level + 1}</td>
                <td className="esc-reason-cell">{e.reason}</td>
                <td>
                  <When at={e.created_at} />
                </td>
                <td>
                  {e.acknowledged_at ? (
                    <>
                      {e.acknowledged_by == null ? "via link" : nameOf(byId, e.acknowledged_by)} · <When at={e.acknowledged_at} />
                    </>
                  ) : (
                    <span className="muted">—</span>
                  )}
                </td>
                <td>
                  <Clock clock={e.clocks?.acknowledge} label="ack" />
                </td>
                <td>
                  <Clock clock={e.clocks?.response} label="response" />
                  {e.responded_at && (
                    <div className="muted admin-small">by {nameOf(byId, e.responded_by)}</div>
                  )}
                </td>
              </tr>
            ))}
          </ListTable>
        )}
      </ListStates>
    </div>
  );
}
