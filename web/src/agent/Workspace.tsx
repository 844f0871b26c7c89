// The agent workspace: views with counts on the left, the selected view's
// tickets on the right (50 a page, cursor-paged by the server so it stays fast
// however many tickets there are), filters kept in the URL, bulk actions and
// keyboard shortcuts.
import { useEffect, useMemo, useRef, useState, type MouseEvent } from "react";
import { Link, NavLink, useLocation, useNavigate, useParams, useSearchParams } from "react-router";
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { get, patch, post } from "../api/client";
import { keys } from "../api/keys";
import { STATUSES, type Page, type Status, type Ticket, type View } from "../api/types";
import { useAuth } from "../auth";
import { PriorityBadge, StatusBadge } from "../components/Badges";
import { Empty, ErrorBanner, Loading } from "../components/States";
import { absoluteTime, relativeTime, statusLabel } from "../components/format";
import { PriorityOptions } from "../components/Options";
import { BulkBar, bulkSummary, type BulkChanges, type BulkItem } from "./BulkBar";
import { assignable, fallbackViews, OPEN_STATUSES, PAGE_SIZE, useQueues, useUsers, useViews } from "./data";
import { ShortcutHelp } from "./ShortcutHelp";
import { SlaDueBadge } from "./SlaDue";
import { loadLastList, markCurrent, saveLastList, useShortcuts } from "./shortcuts";
import "./agent.css";

// "requester" has no control of its own; the ticket page links to it.
const FILTERS = ["status", "queue", "priority", "assignee", "tag", "requester"] as const;
const SORTS: [string, string][] = [
  ["-updated_at", "Updated (newest)"],
  ["updated_at", "Updated (oldest)"],
  ["-created_at", "Created (newest)"],
  ["created_at", "Created (oldest)"],
  ["-id", "ID (high → low)"],
  ["id", "ID (low → high)"],
  // Nearest SLA due first; tickets without a running clock last.
  ["sla_due_at", "Due soonest"],
];

// Its count is a to-do list that should be empty: shown red while it is not.
const ALERT_VIEW = "breaching_soon";

// A view id the server did not (or could not) describe: the standard ones and
// queue:<name> are known by construction.
function viewFromId(id: string): View | undefined {
  const known = fallbackViews(undefined).find((v) => v.id === id);
  if (known) return known;
  if (id.startsWith("queue:") && id.length > 6) {
    const name = id.slice(6);
    return { id, name, count: -1, query: { queue: name, status: OPEN_STATUSES } };
  }
  return undefined;
}

// The GET /tickets parameters of a view with the URL's filters layered on top
// (a filter replaces the view's value for the same parameter).
export function listParams(view: View, search: URLSearchParams): Record<string, string | number> {
  const params: Record<string, string | number> = { ...view.query };
  for (const f of FILTERS) {
    const v = search.get(f);
    if (v) params[f] = v;
  }
  params.sort = search.get("sort") || view.query.sort || "-updated_at";
  params.limit = PAGE_SIZE;
  return params;
}

interface BulkResponse {
  items: (BulkItem & { ticket?: Ticket })[];
}

export default function Workspace() {
  const { viewId = "mine" } = useParams();
  const [search, setSearch] = useSearchParams();
  const location = useLocation();
  const navigate = useNavigate();
  const client = useQueryClient();
  const { user } = useAuth();
  const views = useViews();
  const queues = useQueues();

  const viewList: View[] | undefined = views.data ?? (views.isError ? fallbackViews(queues.data) : undefined);
  // Standard views and queue views are known without asking the server, so
  // the list is fetched at once, alongside the counts.
  const view = viewList?.find((v) => v.id === viewId) ?? viewFromId(viewId);
  const baseParams = view ? listParams(view, search) : null;
  const sig = JSON.stringify([viewId, baseParams]);
  const url = location.pathname + location.search;

  // Cursor pagination: a stack of the cursors of the pages seen, reset when
  // the view, filters or sort change; restored when coming back to this list.
  const [stack, setStack] = useState<{ sig: string; cursors: (string | null)[] }>(() => {
    const last = loadLastList();
    return { sig, cursors: last && last.url === url && last.cursors?.length ? last.cursors : [null] };
  });
  const cursors = stack.sig === sig ? stack.cursors : [null];
  const cursor = cursors[cursors.length - 1];
  const params = baseParams ? { ...baseParams, ...(cursor ? { cursor } : {}) } : null;

  const list = useQuery({
    queryKey: keys.tickets(params ?? {}),
    queryFn: () => get<Page<Ticket>>("/tickets", params!),
    enabled: !!params,
    placeholderData: keepPreviousData,
  });
  // After the list on purpose: a browser opens at most six connections to a
  // host and the live stream holds one, so what is requested first comes first.
  const users = useUsers();
  const agents = useMemo(() => assignable(users.data), [users.data]);
  const rows = useMemo(() => list.data?.items ?? [], [list.data]);
  const pageKey = sig + "|" + (cursor ?? "");

  // The highlight follows a ticket, not a position: live refreshes insert and
  // remove rows, and a/s/Enter must act on the ticket the agent picked. When
  // that ticket leaves the list, the highlight stays at its old position.
  const [highlightId, setHighlightId] = useState<number | null>(null);
  const lastHighlight = useRef(0);
  const foundAt = highlightId === null ? -1 : rows.findIndex((t) => t.id === highlightId);
  const highlight = foundAt >= 0 ? foundAt : Math.min(lastHighlight.current, Math.max(rows.length - 1, 0));
  lastHighlight.current = highlight;
  const setHighlight = (next: number | ((current: number) => number)) => {
    const index = typeof next === "function" ? next(highlight) : next;
    setHighlightId(rows[index]?.id ?? null);
  };
  const [selected, setSelected] = useState<Set<number>>(new Set());
  const [anchor, setAnchor] = useState<number | null>(null);
  const [summary, setSummary] = useState<string | null>(null);
  const [helpOpen, setHelpOpen] = useState(false);
  const restored = useRef<string | null>(null);

  // A new page: clear the selection, put the highlight back where the agent
  // left it (the ticket they opened from this list) or on the first row.
  useEffect(() => {
    if (list.isPlaceholderData || !list.data) return;
    if (restored.current === pageKey) return;
    restored.current = pageKey;
    setSelected(new Set());
    setAnchor(null);
    const last = loadLastList();
    const at = last && last.url === url && last.current ? rows.findIndex((t) => t.id === last.current) : -1;
    setHighlight(at >= 0 ? at : 0);
  }, [pageKey, list.data, list.isPlaceholderData, rows, url]);

  // Remember this list so j/k on a ticket page walk it and "g l" comes back.
  useEffect(() => {
    if (list.isPlaceholderData || !list.data) return;
    const last = loadLastList();
    saveLastList({
      url,
      ids: rows.map((t) => t.id),
      cursors,
      current: last && last.url === url ? last.current : undefined,
    });
  }, [rows, url, list.isPlaceholderData, cursor]);

  const highlighted = rows[Math.min(highlight, rows.length - 1)];

  const refreshLists = () => {
    client.invalidateQueries({ queryKey: keys.allTickets });
    client.invalidateQueries({ queryKey: keys.views });
  };

  const bulk = useMutation({
    mutationFn: (body: { ids: number[]; changes: BulkChanges }) => post<BulkResponse>("/tickets/bulk", body),
    onMutate: () => setSummary(null),
    onSuccess: (result) => {
      setSummary(bulkSummary(result.items));
      // Keep the ones that failed selected so they can be looked at.
      setSelected(new Set(result.items.filter((i) => !i.ok).map((i) => i.id)));
      for (const item of result.items) {
        if (item.ok && item.ticket) client.setQueryData(keys.ticket(item.id), item.ticket);
      }
    },
    onSettled: refreshLists,
  });

  // Shortcuts on the highlighted row when nothing is selected: one PATCH.
  const single = useMutation({
    mutationFn: ({ ticket, changes }: { ticket: Ticket; changes: Record<string, unknown> }) =>
      patch<Ticket>(`/tickets/${ticket.id}`, changes, { "If-Match": String(ticket.version) }),
    onMutate: () => setSummary(null),
    onSuccess: (ticket) => {
      client.setQueryData(keys.ticket(ticket.id), ticket);
      setSummary(`#${ticket.id} updated`);
    },
    onSettled: refreshLists,
  });

  const applyToTargets = (changes: BulkChanges) => {
    if (selected.size > 0) bulk.mutate({ ids: [...selected], changes });
    else if (highlighted) single.mutate({ ticket: highlighted, changes: { ...changes } });
  };

  const setFilter = (name: string, value: string | null) => {
    const next = new URLSearchParams(search);
    if (value) next.set(name, value);
    else next.delete(name);
    setSearch(next);
  };

  const open = (t: Ticket | undefined, focus?: "reply" | "note") => {
    if (!t) return;
    markCurrent(t.id);
    navigate(`/agent/tickets/${t.id}`, focus ? { state: { focus } } : undefined);
  };

  const toggle = (id: number, index: number, shift: boolean) => {
    setSelected((old) => {
      const next = new Set(old);
      if (shift && anchor !== null && rows[anchor]) {
        const on = !old.has(id);
        const [from, to] = anchor < index ? [anchor, index] : [index, anchor];
        for (let i = from; i <= to; i++) {
          if (on) next.add(rows[i].id);
          else next.delete(rows[i].id);
        }
      } else if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
    setAnchor(index);
    setHighlight(index);
  };

  const allSelected = rows.length > 0 && rows.every((t) => selected.has(t.id));

  useShortcuts(
    helpOpen
      ? { Escape: () => setHelpOpen(false) }
      : {
          j: () => setHighlight((h) => Math.min(h + 1, Math.max(rows.length - 1, 0))),
          k: () => setHighlight((h) => Math.max(h - 1, 0)),
          Enter: () => open(highlighted),
          o: () => open(highlighted),
          x: () => highlighted && toggle(highlighted.id, rows.indexOf(highlighted), false),
          r: () => open(highlighted, "reply"),
          n: () => open(highlighted, "note"),
          a: () => user && applyToTargets({ assignee_id: user.id }),
          s: () => applyToTargets({ status: "solved" }),
          "?": () => setHelpOpen(true),
          Escape: () => {
            if (selected.size) setSelected(new Set());
          },
        },
  );

  // Keep the highlighted row in view when moving with j/k.
  const tableRef = useRef<HTMLTableSectionElement>(null);
  useEffect(() => {
    const row = tableRef.current?.querySelector<HTMLElement>("tr.is-highlighted");
    row?.scrollIntoView?.({ block: "nearest" });
  }, [highlight]);

  const statusFilter = (search.get("status") ?? "").split(",").filter(Boolean);
  const toggleStatus = (s: Status) => {
    const next = statusFilter.includes(s) ? statusFilter.filter((x) => x !== s) : [...statusFilter, s];
    setFilter("status", STATUSES.filter((x) => next.includes(x)).join(","));
  };
  const hasFilters = FILTERS.some((f) => search.get(f));
  const pageIndex = cursors.length - 1;
  const first = pageIndex * PAGE_SIZE + 1;

  return (
    <div className="ag-workspace">
      <aside className="ag-sidebar" aria-label="Views">
        <div className="ag-sidebar-title">Views</div>
        {views.isPending && <div className="ag-sidebar-loading muted">Loading views…</div>}
        {views.isError && <div className="ag-sidebar-note muted">Counts unavailable</div>}
        <nav>
          {(viewList ?? []).map((v, i) => {
            const firstQueue = v.id.startsWith("queue:") && !viewList![i - 1]?.id.startsWith("queue:");
            return (
              <div key={v.id}>
                {firstQueue && <div className="ag-sidebar-title ag-sidebar-sub">Queues</div>}
                <NavLink
                  to={`/agent/views/${encodeURIComponent(v.id).replace(/%3A/gi, ":")}`}
                  className="ag-view-link"
                  data-testid={`view-${v.id}`}
                >
                  <span className="ag-view-name">{v.name}</span>
                  <span
                    className={`ag-view-count${v.id === ALERT_VIEW && v.count > 0 ? " is-alert" : ""}`}
                    data-testid={`view-count-${v.id}`}
                  >
                    {v.count >= 0 ? v.count.toLocaleString() : "–"}
                  </span>
                </NavLink>
              </div>
            );
          })}
        </nav>
        <button type="button" className="link-button ag-help-link" onClick={() => setHelpOpen(true)}>
          Keyboard shortcuts <kbd>?</kbd>
        </button>
      </aside>

      <section className="ag-list-pane" aria-label="Tickets">
        <div className="ag-list-head">
          <h1>{view?.name ?? (viewList ? "Unknown view" : "Loading…")}</h1>
          {view && (
            <span className="ag-list-meta muted">
              {view.count >= 0 && !hasFilters ? `${view.count.toLocaleString()} tickets` : ""}
            </span>
          )}
          <label className="ag-sort">
            <span>Sort</span>
            <select aria-label="Sort" value={String(baseParams?.sort ?? "-updated_at")} onChange={(e) => setFilter("sort", e.target.value)}>
              {SORTS.map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
          </label>
        </div>

        <div className="ag-filters" role="group" aria-label="Filters">
          <div className="ag-status-filter" role="group" aria-label="Status filter">
            {STATUSES.map((s) => (
              <button
                key={s}
                type="button"
                className="ag-chip-toggle"
                aria-pressed={statusFilter.includes(s)}
                onClick={() => toggleStatus(s)}
              >
                {statusLabel(s)}
              </button>
            ))}
          </div>
          <select aria-label="Queue filter" value={search.get("queue") ?? ""} onChange={(e) => setFilter("queue", e.target.value)}>
            <option value="">Any queue</option>
            {(queues.data ?? []).map((q) => (
              <option key={q.id} value={q.name}>
                {q.name}
              </option>
            ))}
          </select>
          <select aria-label="Priority filter" value={search.get("priority") ?? ""} onChange={(e) => setFilter("priority", e.target.value)}>
            <option value="">Any priority</option>
            <PriorityOptions />
          </select>
          <select aria-label="Assignee filter" value={search.get("assignee") ?? ""} onChange={(e) => setFilter("assignee", e.target.value)}>
            <option value="">Any assignee</option>
            <option value="me">Me</option>
            <option value="none">Unassigned</option>
            {agents.map((u) => (
              <option key={u.id} value={String(u.id)}>
                {u.display_name}
              </option>
            ))}
          </select>
          <TagFilter value={search.get("tag") ?? ""} onChange={(v) => setFilter("tag", v)} />
          {hasFilters && (
            <button
              type="button"
              className="link-button"
              onClick={() => {
                const next = new URLSearchParams(search);
                FILTERS.forEach((f) => next.delete(f));
                setSearch(next);
              }}
            >
              Clear filters
            </button>
          )}
        </div>

        {selected.size > 0 && (
          <BulkBar
            count={selected.size}
            agents={agents}
            busy={bulk.isPending}
            onApply={(changes) => bulk.mutate({ ids: [...selected], changes })}
            onAssignToMe={() => user && bulk.mutate({ ids: [...selected], changes: { assignee_id: user.id } })}
            onClear={() => setSelected(new Set())}
          />
        )}
        {summary && (
          <div className="ag-summary" role="status" data-testid="bulk-summary">
            {summary}
            <button type="button" className="ag-icon-button" aria-label="Dismiss" onClick={() => setSummary(null)}>
              ×
            </button>
          </div>
        )}
        <ErrorBanner error={bulk.error ?? single.error} />

        {!view && views.isPending ? (
          <Loading label="Loading views…" />
        ) : !view ? (
          <Empty title="No such view">
            <Link to="/agent/views/mine">Go to my tickets</Link>
          </Empty>
        ) : list.isError ? (
          <ErrorBanner error={list.error} />
        ) : list.isPending ? (
          <Loading label="Loading tickets…" />
        ) : rows.length === 0 ? (
          <Empty title={hasFilters ? "No tickets match these filters" : "No tickets in this view"}>
            {pageIndex > 0 && (
              <button type="button" onClick={() => setStack({ sig, cursors: cursors.slice(0, -1) })}>
                Previous page
              </button>
            )}
          </Empty>
        ) : (
          <div className={`ag-table-wrap${list.isPlaceholderData ? " is-stale" : ""}`}>
            <table className="list ag-table">
              <colgroup>
                <col className="c-check" />
                <col className="c-id" />
                <col className="c-subject" />
                <col className="c-requester" />
                <col className="c-queue" />
                <col className="c-status" />
                <col className="c-priority" />
                <col className="c-due" />
                <col className="c-assignee" />
                <col className="c-updated" />
              </colgroup>
              <thead>
                <tr>
                  <th>
                    <input
                      type="checkbox"
                      aria-label="Select all on page"
                      checked={allSelected}
                      ref={(el) => {
                        if (el) el.indeterminate = selected.size > 0 && !allSelected;
                      }}
                      onChange={() => setSelected(allSelected ? new Set() : new Set(rows.map((t) => t.id)))}
                    />
                  </th>
                  <th>ID</th>
                  <th>Subject</th>
                  <th>Requester</th>
                  <th>Queue</th>
                  <th>Status</th>
                  <th>Priority</th>
                  <th>Due</th>
                  <th>Assignee</th>
                  <th>Updated</th>
                </tr>
              </thead>
              <tbody ref={tableRef}>
                {rows.map((t, i) => (
                  <tr
                    key={t.id}
                    data-testid="ticket-row"
                    data-ticket-id={t.id}
                    className={[
                      i === highlight ? "is-highlighted" : "",
                      selected.has(t.id) ? "is-selected" : "",
                    ].join(" ")}
                    aria-current={i === highlight ? "true" : undefined}
                    onClick={(e: MouseEvent) => {
                      if ((e.target as HTMLElement).closest("a,input,button")) return;
                      setHighlight(i);
                    }}
                    onDoubleClick={() => open(t)}
                  >
                    <td>
                      <input
                        type="checkbox"
                        aria-label={`Select ticket ${t.id}`}
                        checked={selected.has(t.id)}
                        onChange={() => undefined}
                        onClick={(e) => toggle(t.id, i, e.shiftKey)}
                      />
                    </td>
                    <td className="ag-id">#{t.id}</td>
                    <td className="ag-subject">
                      <Link to={`/agent/tickets/${t.id}`} onClick={() => markCurrent(t.id)} title={t.subject}>
                        {t.subject}
                      </Link>
                      {t.tags.length > 0 && (
                        <span className="ag-row-tags">
                          {t.tags.slice(0, 3).map((tag) => (
                            <span key={tag} className="ag-tag">
                              {tag}
                            </span>
                          ))}
                        </span>
                      )}
                    </td>
                    <td className="ag-ellipsis" title={t.requester.email}>
                      {t.requester.display_name}
                    </td>
                    <td className="ag-ellipsis">{t.queue?.name ?? <span className="muted">—</span>}</td>
                    <td>
                      <StatusBadge status={t.status} />
                    </td>
                    <td>
                      <PriorityBadge priority={t.priority} />
                    </td>
                    <td>
                      <SlaDueBadge ticket={t} />
                    </td>
                    <td className="ag-ellipsis">{t.assignee?.display_name ?? <span className="muted">Unassigned</span>}</td>
                    <td className="ag-updated" title={absoluteTime(t.updated_at)}>
                      {relativeTime(t.updated_at)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}

        {view && rows.length > 0 && (
          <div className="ag-pager">
            <span className="muted">
              {first.toLocaleString()}–{(first + rows.length - 1).toLocaleString()}
              {view.count >= 0 && !hasFilters ? ` of ${view.count.toLocaleString()}` : ""}
            </span>
            <button
              type="button"
              disabled={pageIndex === 0}
              onClick={() => setStack({ sig, cursors: cursors.slice(0, -1) })}
            >
              Previous page
            </button>
            <button
              type="button"
              disabled={!list.data?.next_cursor || list.isPlaceholderData}
              onClick={() => setStack({ sig, cursors: [...cursors, list.data!.next_cursor] })}
            >
              Next page
            </button>
          </div>
        )}
      </section>
      {helpOpen && <ShortcutHelp onClose={() => setHelpOpen(false)} />}
    </div>
  );
}

function TagFilter({ value, onChange }: { value: string; onChange: (v: string) => void }) {
  const [text, setText] = useState(value);
  useEffect(() => setText(value), [value]);
  return (
    <input
      aria-label="Tag filter"
      className="ag-tag-filter"
      placeholder="Tag"
      value={text}
      onChange={(e) => setText(e.target.value)}
      onBlur={() => text.trim() !== value && onChange(text.trim())}
      onKeyDown={(e) => {
        if (e.key === "Enter") onChange(text.trim());
      }}
    />
  );
}
