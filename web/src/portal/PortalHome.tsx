// /portal: the requester's own tickets, filtered by status, newest activity first.
import { Link, useSearchParams } from "react-router";
import { useInfiniteQuery } from "@tanstack/react-query";
import { get } from "../api/client";
import { keys } from "../api/keys";
import type { Page, Ticket } from "../api/types";
import { StatusBadge } from "../components/Badges";
import { Empty, ErrorBanner, ListStates, LoadMore } from "../components/States";
import { absoluteTime, relativeTime } from "../components/format";
import "./portal.css";

export const PORTAL_TABS = [
  { id: "open", label: "Open", status: "new,open,pending,on_hold" },
  { id: "solved", label: "Solved", status: "solved,closed" },
  { id: "all", label: "All", status: undefined },
] as const;

type TabId = (typeof PORTAL_TABS)[number]["id"];

const PAGE_SIZE = 25;

const EMPTY_TITLES: Record<TabId, string> = {
  open: "You have no open tickets",
  solved: "You have no solved tickets",
  all: "You have not filed any tickets yet",
};

export default function PortalHome() {
  const [search, setSearch] = useSearchParams();
  const tab = PORTAL_TABS.find((t) => t.id === search.get("status")) ?? PORTAL_TABS[0];

  const params = { requester: "me", status: tab.status, sort: "-updated_at", limit: PAGE_SIZE };
  const list = useInfiniteQuery({
    queryKey: keys.tickets({ scope: "portal", ...params }),
    queryFn: ({ pageParam }) => get<Page<Ticket>>("/tickets", { ...params, cursor: pageParam }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });

  const tickets = list.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <div className="portal">
      <div className="portal-head">
        <h1>My tickets</h1>
        <Link to="/portal/new" className="button-link primary">
          File a ticket
        </Link>
      </div>

      <div className="portal-tabs" role="tablist" aria-label="Filter by status">
        {PORTAL_TABS.map((t) => (
          <button
            key={t.id}
            type="button"
            role="tab"
            aria-selected={t.id === tab.id}
            onClick={() => setSearch(t.id === "open" ? {} : { status: t.id }, { replace: true })}
          >
            {t.label}
          </button>
        ))}
      </div>

      <ListStates
        pending={list.isPending}
        items={list.data ? tickets : undefined}
        error={list.error}
        empty={
          <Empty title={EMPTY_TITLES[tab.id]}>
            <p className="muted">Something not working? Tell us and we will get back to you here.</p>
            <Link to="/portal/new" className="button-link primary">
              File a ticket
            </Link>
          </Empty>
        }
      >
        {(tickets) => (
          <>
            <ul className="portal-list" aria-label="Tickets">
              <li className="portal-list-head" aria-hidden="true">
                <span>Subject</span>
                <span>Status</span>
                <span>Component</span>
                <span>Updated</span>
              </li>
              {tickets.map((t) => (
                <li key={t.id} className="portal-row" data-testid="portal-ticket" data-ticket-id={t.id}>
                  <span className="portal-row-subject">
                    <Link to={`/portal/tickets/${t.id}`}>{t.subject}</Link>
                    <span className="muted portal-row-id">#{t.id}</span>
                  </span>
                  <span className="portal-row-status">
                    <StatusBadge status={t.status} />
                  </span>
                  <span className="portal-row-queue muted">{t.queue?.name ?? "—"}</span>
                  <span className="portal-row-updated muted">
                    <time dateTime={t.updated_at} title={absoluteTime(t.updated_at)}>
                      {relativeTime(t.updated_at)}
                    </time>
                  </span>
                </li>
              ))}
            </ul>
            {list.isError && <ErrorBanner error={list.error} />}
            <LoadMore query={list} className="portal-more" />
          </>
        )}
      </ListStates>
    </div>
  );
}
