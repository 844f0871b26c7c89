// /settings/notifications: which e-mails reach the signed-in user, one
// checkbox an event type (GET/PUT /me/notification-preferences). Pages to
// whoever is on call are not optional, so they are not listed.
import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, get } from "../api/client";
import { automationKeys, type NotificationPreference } from "../api/automation";
import { FormActions } from "../components/FormActions";
import { ErrorBanner, FormError, Loading } from "../components/States";
import { NestedFieldError } from "../oncall/shared";
import "../admin/admin.css";
import "../oncall/oncall.css";
import "./pages.css";

export const EVENT_LABELS: Record<string, { label: string; help: string }> = {
  "ticket.replied": { label: "Replies to my tickets", help: "Someone replies on a ticket you filed." },
  "sla.warning": { label: "SLA about to breach", help: "A ticket assigned to you (or, for leads, an unassigned one) is close to its SLA target." },
  "sla.breached": { label: "SLA breached", help: "A ticket assigned to you missed its SLA target (leads hear of every breach)." },
  "escalation.unacknowledged": { label: "Escalation not acknowledged", help: "Nobody acknowledged an escalation after every level was paged." },
};

const CHANNEL_LABELS: Record<string, string> = { email: "e-mail" };

const keyOf = (p: NotificationPreference) => `${p.event_type}/${p.channel}`;

type Prefs = { preferences: NotificationPreference[] };

function PreferencesForm({ saved }: { saved: NotificationPreference[] }) {
  const client = useQueryClient();
  const [enabled, setEnabled] = useState<Record<string, boolean>>(() => Object.fromEntries(saved.map((p) => [keyOf(p), p.enabled])));
  const save = useMutation({
    mutationFn: (preferences: NotificationPreference[]) => api<Prefs>("PUT", "/me/notification-preferences", { preferences }),
    onSuccess: (data) => client.setQueryData(automationKeys.notificationPreferences, data),
  });
  const changed = saved.some((p) => enabled[keyOf(p)] !== p.enabled);
  const reset = () => {
    save.reset();
    setEnabled(Object.fromEntries(saved.map((p) => [keyOf(p), p.enabled])));
  };
  return (
    <form
      className="panel admin-form prefs-form"
      aria-labelledby="prefs-title"
      onSubmit={(e) => {
        e.preventDefault();
        if (!save.isPending) save.mutate(saved.map((p) => ({ event_type: p.event_type, channel: p.channel, enabled: enabled[keyOf(p)] ?? p.enabled })));
      }}
    >
      <h2 id="prefs-title">E-mail notifications</h2>
      <FormError error={save.error} />
      <NestedFieldError error={save.error} prefix="preferences" exact />
      <ul className="prefs-list">
        {saved.map((p, i) => {
          const k = keyOf(p);
          const known = EVENT_LABELS[p.event_type];
          const id = `pref-${p.event_type.replace(/\W/g, "-")}-${p.channel}`;
          return (
            <li key={k} data-testid="notification-preference" data-event-type={p.event_type}>
              <label className="oc-checkbox" htmlFor={id}>
                <input
                  id={id}
                  type="checkbox"
                  checked={enabled[k] ?? p.enabled}
                  aria-describedby={known ? `${id}-help` : undefined}
                  onChange={(e) => {
                    save.reset();
                    setEnabled((m) => ({ ...m, [k]: e.target.checked }));
                  }}
                />{" "}
                {known?.label ?? p.event_type}
                {p.channel !== "email" && <span className="muted"> ({CHANNEL_LABELS[p.channel] ?? p.channel})</span>}
              </label>
              {known && (
                <div id={`${id}-help`} className="muted field-help prefs-help">
                  {known.help}
                </div>
              )}
              <NestedFieldError error={save.error} prefix={`preferences[${i}]`} />
            </li>
          );
        })}
      </ul>
      {save.isSuccess && !changed && (
        <div className="admin-ok" role="status">
          Saved.
        </div>
      )}
      <FormActions pending={save.isPending} saveLabel="Save preferences" onCancel={reset} />
    </form>
  );
}

export default function Preferences() {
  const prefs = useQuery({
    queryKey: automationKeys.notificationPreferences,
    queryFn: () => get<Prefs>("/me/notification-preferences"),
  });
  return (
    <div className="page-narrow">
      <h1>Notifications</h1>
      <p className="muted">Choose which e-mails opsdesk sends you. Pages while you are on call always reach you.</p>
      {prefs.isPending ? (
        <Loading />
      ) : !prefs.data ? (
        <ErrorBanner error={prefs.error} />
      ) : (
        <PreferencesForm saved={prefs.data.preferences} />
      )}
    </div>
  );
}
