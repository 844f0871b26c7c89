// /admin/webhooks: webhook targets (URL, event types, active) and their
// deliveries. A delivery that ran out of attempts is dead; the deliveries table
// opens on those (the dead-letter list) and an admin queues one again with
// Retry. The API is admins' only, so leads get a note instead.
import { useState } from "react";
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useSearchParams } from "react-router";
import {
  createWebhook,
  DELIVERY_STATES,
  listDeliveries,
  listWebhooks,
  retryDelivery,
  updateWebhook,
  WEBHOOK_EVENT_TYPES,
  webhookKeys,
  type Delivery,
  type DeliveryState,
  type NewWebhook,
  type Webhook,
} from "../api/webhooks";
import { useAuth } from "../auth";
import { TextField } from "../components/Field";
import { ListTable } from "../components/Table";
import { Empty, ErrorBanner, FieldError, ListStates, LoadMore } from "../components/States";
import { absoluteTime } from "../components/format";
import { CreateForm } from "./CreateForm";
import "./admin.css";

const PAGE_SIZE = 50;

const STATE_LABELS: Record<DeliveryState, string> = {
  dead: "Dead",
  pending: "Pending",
  running: "Running",
  done: "Done",
};

const toggle = (list: string[], item: string) => (list.includes(item) ? list.filter((x) => x !== item) : [...list, item]);

function NewWebhookForm() {
  const client = useQueryClient();
  const [url, setUrl] = useState("");
  const [secret, setSecret] = useState("");
  const [eventTypes, setEventTypes] = useState<string[]>(["ticket.created"]);
  const [created, setCreated] = useState<Webhook | null>(null);

  const create = useMutation({
    mutationFn: createWebhook,
    onSuccess: (hook) => {
      setCreated(hook);
      setUrl("");
      setSecret("");
      client.invalidateQueries({ queryKey: webhookKeys.list });
    },
  });
  const error = create.error;

  const submit = () => {
    setCreated(null);
    const body: NewWebhook = { url: url.trim(), event_types: eventTypes };
    if (secret) body.secret = secret;
    create.mutate(body);
  };

  return (
    <CreateForm
      id="new-webhook"
      title="New webhook"
      submitLabel="Add webhook"
      pending={create.isPending}
      error={error}
      onSubmit={submit}
      notice={
        created && (
          <div className="admin-ok" role="status">
            Added the webhook for {created.url}.
            {created.secret && (
              <>
                {" "}
                Its signing secret, shown only now: <code data-testid="webhook-secret">{created.secret}</code>
              </>
            )}
          </div>
        )
      }
    >
      <TextField
        id="webhook-url"
        label="URL"
        type="url"
        className="field admin-wide"
        placeholder="https://hooks.example.com/opsdesk"
        autoComplete="off"
        value={url}
        onChange={setUrl}
        error={error}
        field="url"
        help="http or https; receives a signed JSON POST per event"
      />
      <TextField
        id="webhook-secret"
        label="Secret (optional)"
        type="password"
        autoComplete="new-password"
        value={secret}
        onChange={setSecret}
        error={error}
        field="secret"
        help="16–256 characters for the HMAC signature; empty: one is made and shown once"
      />
      <fieldset className="webhook-events admin-wide">
        <legend>Event types</legend>
        <div className="webhook-event-list">
          {WEBHOOK_EVENT_TYPES.map((t) => (
            <label key={t} className="webhook-checkbox">
              <input type="checkbox" checked={eventTypes.includes(t)} onChange={() => setEventTypes((l) => toggle(l, t))} /> {t}
            </label>
          ))}
        </div>
        <FieldError error={error} field="event_types" />
      </fieldset>
    </CreateForm>
  );
}

function WebhookRow({ hook }: { hook: Webhook }) {
  const client = useQueryClient();
  const change = useMutation({
    mutationFn: (active: boolean) => updateWebhook(hook.id, { active }),
    onSettled: () => client.invalidateQueries({ queryKey: webhookKeys.list }),
  });
  return (
    <tr data-testid="webhook-row" data-webhook-id={hook.id} className={hook.active ? undefined : "admin-inactive"}>
      <td className="admin-strong webhook-url">{hook.url}</td>
      <td>{hook.event_types.join(", ")}</td>
      <td>{hook.active ? "Active" : "Inactive"}</td>
      <td className="admin-hide-narrow">{absoluteTime(hook.created_at)}</td>
      <td className="admin-actions">
        <button
          type="button"
          className={hook.active ? "danger" : undefined}
          disabled={change.isPending}
          aria-label={`${hook.active ? "Deactivate" : "Activate"} ${hook.url}`}
          onClick={() => change.mutate(!hook.active)}
        >
          {hook.active ? "Deactivate" : "Activate"}
        </button>
        {change.error && (
          <div className="field-error" role="alert">
            {change.error.message}
          </div>
        )}
      </td>
    </tr>
  );
}

function WebhookList({ hooks }: { hooks: ReturnType<typeof useWebhooks> }) {
  return (
    <ListStates
      pending={hooks.isPending}
      items={hooks.data}
      error={hooks.error}
      empty={
        <Empty title="No webhooks yet">
          <p className="muted">Add one above to have events POSTed to it.</p>
        </Empty>
      }
    >
      {(list) => (
        <ListTable
          className="admin-table"
          head={
            <>
              <th>URL</th>
              <th>Event types</th>
              <th>Status</th>
              <th className="admin-hide-narrow">Added</th>
              <th>
                <span className="visually-hidden">Actions</span>
              </th>
            </>
          }
        >
          {list.map((h) => (
            <WebhookRow key={h.id} hook={h} />
          ))}
        </ListTable>
      )}
    </ListStates>
  );
}

function useWebhooks(enabled: boolean) {
  return useQuery({ queryKey: webhookKeys.list, queryFn: listWebhooks, enabled });
}

function DeliveryRow({ delivery, webhookUrl, onRetried }: { delivery: Delivery; webhookUrl: string; onRetried: (d: Delivery) => void }) {
  const retry = useMutation({ mutationFn: () => retryDelivery(delivery.id), onSuccess: onRetried });
  return (
    <tr data-testid="delivery-row" data-delivery-id={delivery.id} data-state={delivery.state}>
      <td className="admin-strong">{delivery.event_type}</td>
      <td className="webhook-url">{webhookUrl}</td>
      <td>{STATE_LABELS[delivery.state] ?? delivery.state}</td>
      <td data-testid="delivery-attempts">
        {delivery.attempts}/{delivery.max_attempts}
      </td>
      <td className="muted webhook-error">{delivery.last_error || "—"}</td>
      <td className="admin-hide-narrow">{absoluteTime(delivery.updated_at)}</td>
      <td className="admin-actions">
        {delivery.state === "dead" && (
          <button type="button" disabled={retry.isPending} onClick={() => retry.mutate()} aria-label={`Retry delivery ${delivery.id}`}>
            {retry.isPending ? "Retrying…" : "Retry"}
          </button>
        )}
        {retry.error && (
          <div className="field-error" role="alert">
            {retry.error.message}
          </div>
        )}
      </td>
    </tr>
  );
}

function Deliveries({ hooks }: { hooks: Webhook[] | undefined }) {
  const client = useQueryClient();
  const [params, setParams] = useSearchParams();
  const raw = params.get("state") ?? "dead";
  const state: DeliveryState | "" = raw === "all" ? "" : (DELIVERY_STATES as string[]).includes(raw) ? (raw as DeliveryState) : "dead";
  const [notice, setNotice] = useState<string | null>(null);

  const deliveries = useInfiniteQuery({
    queryKey: webhookKeys.deliveries(state),
    queryFn: ({ pageParam }) => listDeliveries({ state: state || undefined, limit: PAGE_SIZE, cursor: pageParam }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  const list = deliveries.data?.pages.flatMap((p) => p.items);
  const urlOf = (id: number) => hooks?.find((h) => h.id === id)?.url ?? `Webhook #${id}`;

  const onRetried = (d: Delivery) => {
    setNotice(`Delivery ${d.id} (${d.event_type}) was queued again.`);
    client.invalidateQueries({ queryKey: [...webhookKeys.all, "deliveries"] });
  };

  return (
    <section aria-labelledby="deliveries-title">
      <div className="webhook-head">
        <h2 id="deliveries-title">Deliveries</h2>
        <label className="webhook-filter">
          State{" "}
          <select
            value={state || "all"}
            onChange={(e) => {
              setNotice(null);
              setParams(e.target.value === "dead" ? {} : { state: e.target.value }, { replace: true });
            }}
          >
            {DELIVERY_STATES.map((s) => (
              <option key={s} value={s}>
                {s === "dead" ? "Dead (out of attempts)" : STATE_LABELS[s]}
              </option>
            ))}
            <option value="all">All</option>
          </select>
        </label>
      </div>
      {notice && (
        <div className="admin-ok" role="status" data-testid="retry-notice">
          {notice}
        </div>
      )}
      <ListStates
        pending={deliveries.isPending}
        items={list}
        error={deliveries.error}
        empty={<Empty title={state === "dead" ? "No dead deliveries" : "No deliveries"} />}
      >
        {(items) => (
          <>
            <ListTable
              className="admin-table"
              head={
                <>
                  <th>Event</th>
                  <th>Webhook</th>
                  <th>State</th>
                  <th>Attempts</th>
                  <th>Last error</th>
                  <th className="admin-hide-narrow">Updated</th>
                  <th>
                    <span className="visually-hidden">Actions</span>
                  </th>
                </>
              }
            >
              {items.map((d) => (
                <DeliveryRow key={d.id} delivery={d} webhookUrl={urlOf(d.webhook_id)} onRetried={onRetried} />
              ))}
            </ListTable>
            {deliveries.isError && <ErrorBanner error={deliveries.error} />}
            <LoadMore query={deliveries} className="admin-more" />
          </>
        )}
      </ListStates>
    </section>
  );
}

export default function Webhooks() {
  const { user: me } = useAuth();
  const isAdmin = me?.role === "admin";
  const hooks = useWebhooks(isAdmin);

  if (!isAdmin) {
    return (
      <div className="admin">
        <h1>Webhooks</h1>
        <p className="admin-note" data-testid="admins-only-note">
          Only admins manage webhooks and their deliveries.
        </p>
      </div>
    );
  }
  return (
    <div className="admin">
      <h1>Webhooks</h1>
      <NewWebhookForm />
      <h2>All webhooks</h2>
      <WebhookList hooks={hooks} />
      <Deliveries hooks={hooks.data} />
    </div>
  );
}
