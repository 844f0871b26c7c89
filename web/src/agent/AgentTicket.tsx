// One ticket as an agent sees it: editable header, the conversation (public
// replies and internal notes), history, the side panel with the ticket's
// fields (each saved on change with If-Match) and the knowledge base (suggested
// and linked articles), a reply/note composer, who else is looking, and
// keyboard shortcuts.
import { useEffect, useMemo, useRef, useState } from "react";
import { Link, useLocation, useNavigate, useParams } from "react-router";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { ApiError, get, patch } from "../api/client";
import { keys } from "../api/keys";
import { kbLinkKeys } from "../api/search";
import type { Comment, Page, Ticket, TicketEvent } from "../api/types";
import { useAuth } from "../auth";
import { PriorityBadge, StatusBadge } from "../components/Badges";
import { ErrorBanner, FieldError, Loading } from "../components/States";
import { absoluteTime, relativeTime } from "../components/format";
import { useLive, usePresence } from "../live";
import { Composer, type ComposerHandle, type ComposerMode } from "./Composer";
import { assignable, useQueues, useUsers } from "./data";
import { describeEvent, eventHasActor, makeNames } from "./history";
import { KbPanel, recordSent } from "./KbPanel";
import { ShortcutHelp } from "./ShortcutHelp";
import { EscalateDialog } from "./Escalation";
import { loadLastList, markCurrent, useShortcuts } from "./shortcuts";
import { SidePanel, type TicketChanges } from "./SidePanel";
import { SlaDueBadge } from "./SlaDue";
import "./agent.css";

// Comments and events are paged by the server; a ticket's are few enough to
// read them all (with a cap so a pathological ticket cannot hang the page).
async function fetchAll<T>(path: string): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < 25; i++) {
    const page: Page<T> = await get<Page<T>>(path, { limit: 200, cursor });
    out.push(...page.items);
    cursor = page.next_cursor;
    if (!cursor) break;
  }
  return out;
}

export default function AgentTicket() {
  const { id: idText } = useParams();
  const id = Number(idText);
  const navigate = useNavigate();
  const location = useLocation();
  const client = useQueryClient();
  const { user } = useAuth();
  const { lastChange } = useLive();

  const ticket = useQuery({
    queryKey: keys.ticket(id),
    queryFn: () => get<Ticket>(`/tickets/${id}`),
    enabled: id > 0,
  });
  const comments = useQuery({
    queryKey: keys.comments(id),
    queryFn: () => fetchAll<Comment>(`/tickets/${id}/comments`),
    enabled: id > 0,
  });
  const events = useQuery({
    queryKey: keys.events(id),
    queryFn: () => fetchAll<TicketEvent>(`/tickets/${id}/events`),
    enabled: id > 0,
  });
  const users = useUsers();
  const queues = useQueues();
  const agents = useMemo(() => assignable(users.data), [users.data]);
  const { others, typing } = usePresence(id);

  const [helpOpen, setHelpOpen] = useState(false);
  const [escalateOpen, setEscalateOpen] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [stale, setStale] = useState<string | null>(null);
  const composer = useRef<ComposerHandle>(null);
  const [composerMode, setComposerMode] = useState<ComposerMode>("reply");
  const subjectEditing = useRef(false);

  useEffect(() => {
    if (id > 0) markCurrent(id);
    setNotice(null);
    setStale(null);
  }, [id]);

  // Someone else changed the ticket while the agent is writing: the page
  // refreshes (live invalidation) but drafts are local state, so say so.
  useEffect(() => {
    if (!lastChange || lastChange.ticket_id !== id || lastChange.actor_id === user?.id) return;
    if (composer.current?.hasDraft() || subjectEditing.current) {
      setStale("This ticket was just updated by someone else. Your draft is kept; check the conversation before sending.");
    }
  }, [lastChange, id, user?.id]);

  const refreshAround = () => {
    client.invalidateQueries({ queryKey: keys.events(id) });
    client.invalidateQueries({ queryKey: keys.sla(id) });
    client.invalidateQueries({ queryKey: keys.ticketEscalations(id) });
    client.invalidateQueries({ queryKey: keys.allTickets });
    client.invalidateQueries({ queryKey: keys.views });
  };

  const update = useMutation({
    mutationFn: (changes: TicketChanges) => {
      const current = client.getQueryData<Ticket>(keys.ticket(id)) ?? ticket.data!;
      return patch<Ticket>(`/tickets/${id}`, changes, { "If-Match": String(current.version) });
    },
    onMutate: () => setNotice(null),
    onSuccess: (t) => {
      client.setQueryData(keys.ticket(id), t);
      refreshAround();
    },
    onError: (e) => {
      if (e instanceof ApiError && e.status === 412) {
        client.invalidateQueries({ queryKey: keys.ticket(id) });
      }
    },
  });

  const last = loadLastList();
  const listUrl = last?.url ?? "/agent/views/mine";
  const step = (delta: number) => {
    const ids = loadLastList()?.ids ?? [];
    const at = ids.indexOf(id);
    const next = at >= 0 ? ids[at + delta] : undefined;
    if (next) {
      markCurrent(next);
      navigate(`/agent/tickets/${next}`);
    } else {
      setNotice(at < 0 ? "This ticket is not on the last list you opened." : delta > 0 ? "Last ticket of the list page." : "First ticket of the list page.");
    }
  };

  useShortcuts(
    helpOpen
      ? { Escape: () => setHelpOpen(false) }
      : escalateOpen
      ? { Escape: () => setEscalateOpen(false) }
      : {
          j: () => step(1),
          k: () => step(-1),
          r: () => composer.current?.focus("reply"),
          n: () => composer.current?.focus("note"),
          a: () => user && ticket.data && ticket.data.assignee?.id !== user.id && update.mutate({ assignee_id: user.id }),
          s: () => ticket.data && ticket.data.status !== "solved" && update.mutate({ status: "solved" }),
          e: () => ticket.data && ticket.data.status !== "closed" && setEscalateOpen(true),
          "g l": () => navigate(listUrl),
          "?": () => setHelpOpen(true),
          Escape: () => {
            const active = document.activeElement as HTMLElement | null;
            if (active && active !== document.body) active.blur();
          },
        },
  );

  // Arriving with r/n from the list: focus the composer in that mode.
  const focusMode = (location.state as { focus?: "reply" | "note" } | null)?.focus;
  useEffect(() => {
    if (focusMode && ticket.data) composer.current?.focus(focusMode);
  }, [focusMode, ticket.data?.id]);

  const names = useMemo(() => {
    const map = new Map<number, string>();
    for (const u of users.data ?? []) map.set(u.id, u.display_name);
    if (ticket.data) map.set(ticket.data.requester.id, ticket.data.requester.display_name);
    for (const c of comments.data ?? []) map.set(c.author.id, c.author.display_name);
    return makeNames(map, queues.data);
  }, [users.data, ticket.data, comments.data, queues.data]);

  if (!(id > 0)) return <ErrorBanner error={new Error("Not a ticket id")} />;
  if (ticket.isPending) return <Loading label="Loading ticket…" />;
  if (ticket.isError) {
    return (
      <div className="ag-ticket-error">
        <ErrorBanner error={ticket.error} />
        <Link to={listUrl}>Back to the list</Link>
      </div>
    );
  }
  const t = ticket.data;
  const updateError = update.error;
  const conflict = updateError instanceof ApiError && updateError.status === 412;

  return (
    <div className="ag-ticket">
      <div className="ag-ticket-main">
        <div className="ag-ticket-top">
          <Link to={listUrl} className="ag-back">
            ← Back to list
          </Link>
          <Presence others={others} />
          <button
            type="button"
            className="ag-escalate"
            disabled={t.status === "closed"}
            title="Escalate (e)"
            onClick={() => setEscalateOpen(true)}
          >
            Escalate
          </button>
        </div>
        <SubjectHeader
          ticket={t}
          saving={update.isPending}
          error={updateError}
          onEditing={(on) => (subjectEditing.current = on)}
          onSave={(subject) => update.mutateAsync({ subject })}
        />
        <div className="ag-ticket-meta">
          <span className="ag-id">#{t.id}</span>
          <StatusBadge status={t.status} />
          <PriorityBadge priority={t.priority} />
          <SlaDueBadge ticket={t} verbose />
          <span className="muted">
            opened by <strong>{t.requester.display_name}</strong>{" "}
            <time dateTime={t.created_at} title={absoluteTime(t.created_at)}>
              {relativeTime(t.created_at)}
            </time>
            {" · "}updated{" "}
            <time dateTime={t.updated_at} title={absoluteTime(t.updated_at)}>
              {relativeTime(t.updated_at)}
            </time>
          </span>
        </div>
        {notice && (
          <div className="ag-notice" role="status">
            {notice}
          </div>
        )}
        {stale && (
          <div className="ag-notice ag-notice-warn" role="status">
            {stale}
            <button type="button" className="ag-icon-button" aria-label="Dismiss" onClick={() => setStale(null)}>
              ×
            </button>
          </div>
        )}

        <section
          className="ag-conversation"
          aria-label="Conversation"
          data-testid="conversation"
          data-ticket-id={t.id}
          data-loaded={comments.isSuccess ? "true" : "false"}
        >
          <article className="ag-entry is-requester" data-testid="comment" data-internal="false">
            <header>
              <Avatar name={t.requester.display_name} />
              <strong>{t.requester.display_name}</strong>
              <span className="muted ag-entry-kind">opened the ticket</span>
              <time dateTime={t.created_at} title={absoluteTime(t.created_at)}>
                {relativeTime(t.created_at)}
              </time>
            </header>
            <div className="markdown ag-entry-body" dangerouslySetInnerHTML={{ __html: t.body_html }} />
          </article>
          {comments.isPending && <Loading label="Loading comments…" />}
          <ErrorBanner error={comments.error} />
          {(comments.data ?? []).map((c) => (
            <article
              key={c.id}
              className={`ag-entry${c.internal ? " is-note" : ""}${c.author.id === t.requester.id ? " is-requester" : " is-staff"}`}
              data-testid="comment"
              data-internal={c.internal ? "true" : "false"}
            >
              <header>
                <Avatar name={c.author.display_name} />
                <strong>{c.author.display_name}</strong>
                {c.internal && <span className="ag-note-label">Internal note</span>}
                {c.moved_from_ticket_id && (
                  <span className="muted ag-entry-kind">
                    from <Link to={`/agent/tickets/${c.moved_from_ticket_id}`}>#{c.moved_from_ticket_id}</Link>
                  </span>
                )}
                <time dateTime={c.created_at} title={absoluteTime(c.created_at)}>
                  {relativeTime(c.created_at)}
                </time>
              </header>
              <div className="markdown ag-entry-body" dangerouslySetInnerHTML={{ __html: c.body_html }} />
            </article>
          ))}
        </section>

        {t.status === "closed" ? (
          <div className="ag-closed muted">This ticket is closed. A follow-up needs a new ticket.</div>
        ) : (
          <Composer
            key={t.id}
            ref={composer}
            ticketId={t.id}
            onTyping={typing}
            onModeChange={setComposerMode}
            onSent={(_comment, articles) => {
              recordSent(t.id, articles, () => client.invalidateQueries({ queryKey: kbLinkKeys.ticketLinks(t.id) }));
              setStale(null);
              client.invalidateQueries({ queryKey: keys.comments(id) });
              client.invalidateQueries({ queryKey: keys.ticket(id) });
              refreshAround();
            }}
          />
        )}

        <section className="ag-history" aria-labelledby="ag-history-title">
          <h2 id="ag-history-title">History</h2>
          {events.isPending && <Loading label="Loading history…" />}
          <ErrorBanner error={events.error} />
          {events.data && events.data.length === 0 && <p className="muted">No events yet.</p>}
          <ol className="ag-events">
            {(events.data ?? []).map((e) => (
              <li key={e.id} className={e.internal ? "is-internal" : undefined}>
                {eventHasActor(e) && (
                  <>
                    <strong>{names.user(e.actor_id)}</strong>{" "}
                  </>
                )}
                {describeEvent(e, names)}
                <span className="muted">
                  {" · "}
                  <time dateTime={e.at} title={absoluteTime(e.at)}>
                    {relativeTime(e.at)}
                  </time>
                </span>
              </li>
            ))}
          </ol>
        </section>
      </div>

      <SidePanel
        ticket={t}
        agents={agents}
        queues={queues.data ?? []}
        me={user}
        pending={update.isPending ? update.variables : undefined}
        error={conflict ? null : updateError}
        conflict={conflict ? "Someone else changed this ticket. It has been reloaded; check it and make your change again." : null}
        onChange={(changes) => update.mutate(changes)}
        events={events.data}
        knowledge={
          <KbPanel
            ticket={t}
            composerMode={t.status === "closed" ? null : composerMode}
            onInsert={(text, article) => composer.current?.insert(text, article)}
          />
        }
      />
      {helpOpen && <ShortcutHelp onClose={() => setHelpOpen(false)} />}
      {escalateOpen && <EscalateDialog ticketId={t.id} onClose={() => setEscalateOpen(false)} />}
    </div>
  );
}

export function Avatar({ name }: { name: string }) {
  const initials = name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((p) => p[0]!.toUpperCase())
    .join("");
  let hue = 0;
  for (const ch of name) hue = (hue * 31 + ch.charCodeAt(0)) % 360;
  return (
    <span className={`ag-avatar ag-hue-${hue % 8}`} aria-hidden="true">
      {initials || "?"}
    </span>
  );
}

function Presence({ others }: { others: { user_id: number; display_name: string; state: string }[] }) {
  return (
    <div className={`ag-presence${others.length ? "" : " is-empty"}`} data-testid="presence" aria-live="polite">
      {others.map((v) => (
        <span key={v.user_id} className={`ag-presence-item is-${v.state}`}>
          <span className="ag-presence-dot" aria-hidden="true" />
          {v.state === "typing" ? `${v.display_name} is typing…` : `${v.display_name} is viewing`}
        </span>
      ))}
    </div>
  );
}

function SubjectHeader({
  ticket,
  saving,
  error,
  onEditing,
  onSave,
}: {
  ticket: Ticket;
  saving: boolean;
  error: unknown;
  onEditing: (on: boolean) => void;
  onSave: (subject: string) => Promise<unknown>;
}) {
  const [draft, setDraft] = useState<string | null>(null);
  const editing = draft !== null;
  useEffect(() => {
    onEditing(editing);
  }, [editing, onEditing]);

  const save = async () => {
    if (draft === null) return;
    const subject = draft.trim();
    if (!subject || subject === ticket.subject) {
      setDraft(null);
      return;
    }
    try {
      await onSave(subject);
      setDraft(null);
    } catch {
      /* the error shows under the input; the draft stays */
    }
  };

  return (
    <div className="ag-subject-row">
      <h1 data-testid="ticket-subject" className={editing ? "is-editing" : undefined}>
        {editing ? (
          <input
            aria-label="Subject"
            className="ag-subject-input"
            value={draft}
            autoFocus
            disabled={saving}
            onChange={(e) => setDraft(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === "Enter") {
                e.preventDefault();
                save();
              } else if (e.key === "Escape") {
                e.preventDefault();
                e.stopPropagation();
                setDraft(null);
              }
            }}
          />
        ) : (
          <span
            className="ag-subject-text"
            title="Click to edit"
            onClick={() => setDraft(ticket.subject)}
          >
            {ticket.subject}
          </span>
        )}
      </h1>
      {editing ? (
        <span className="ag-subject-actions">
          <button type="button" className="primary" onClick={save} disabled={saving}>
            Save
          </button>
          <button type="button" onClick={() => setDraft(null)}>
            Cancel
          </button>
        </span>
      ) : (
        ticket.status !== "closed" && (
          <button type="button" className="link-button ag-edit-subject" onClick={() => setDraft(ticket.subject)}>
            Edit subject
          </button>
        )
      )}
      {editing && <FieldError error={error} field="subject" />}
    </div>
  );
}
