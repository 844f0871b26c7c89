// The knowledge base on the agent's ticket page (side panel): articles
// suggested for the ticket (internal SOPs and public articles), each with
// "Insert link", "Insert article" and "Resolved with this"; the articles linked
// to the ticket (removable); and, once the ticket is solved, "Draft an article
// from this ticket". Internal articles go only into internal notes: requesters
// cannot open them.
import { Link, useNavigate } from "react-router";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { del, get, post } from "../api/client";
import { kbKeys, type Article } from "../api/kb";
import { kbLinkKeys, LINK_KIND_LABELS, type ArticleLink, type ArticleLinkKind, type SearchHit, type SearchPage } from "../api/search";
import type { Page, Ticket } from "../api/types";
import { ErrorBanner } from "../components/States";
import { AudienceBadge, Snippet } from "../search/shared";
import type { ComposerMode, InsertedArticle } from "./Composer";

// A Markdown link to the article: /kb/ID opens it for staff and, for public
// articles, in the requester's portal.
export function articleLink(title: string, id: number): string {
  return `[${title.replace(/([\\[\]])/g, "\\$1")}](/kb/${id})`;
}

const linkPath = (ticketId: number) => `/tickets/${ticketId}/articles`;

export function linkArticle(ticketId: number, articleId: number, kind: ArticleLinkKind) {
  return post<ArticleLink>(linkPath(ticketId), { article_id: articleId, kind });
}

// After a reply went out with public articles in it: record them as sent to
// the requester (fire-and-forget: the reply is sent either way).
export function recordSent(ticketId: number, articleIds: number[], refresh: () => void) {
  if (articleIds.length === 0) return;
  Promise.allSettled(articleIds.map((id) => linkArticle(ticketId, id, "sent_to_requester"))).then(refresh);
}

export function useTicketArticleLinks(ticketId: number) {
  return useQuery({
    queryKey: kbLinkKeys.ticketLinks(ticketId),
    queryFn: async () => (await get<Page<ArticleLink>>(linkPath(ticketId))).items,
    retry: false,
  });
}

interface Props {
  ticket: Ticket;
  composerMode: ComposerMode | null; // null: no composer (the ticket is closed)
  onInsert: (text: string, article?: InsertedArticle) => void;
}

function Suggestion({
  hit,
  ticketId,
  composerMode,
  resolvedWith,
  onInsert,
}: {
  hit: SearchHit;
  ticketId: number;
  composerMode: ComposerMode | null;
  resolvedWith: boolean;
  onInsert: Props["onInsert"];
}) {
  const client = useQueryClient();
  const internal = hit.audience !== "public";
  const blocked =
    composerMode === null
      ? "The ticket is closed"
      : internal && composerMode !== "note"
        ? "Internal article: requesters cannot open it. Switch the composer to Internal note to insert it."
        : undefined;
  const resolved = useMutation({
    mutationFn: () => linkArticle(ticketId, hit.id, "resolved_with"),
    onSettled: () => client.invalidateQueries({ queryKey: kbLinkKeys.ticketLinks(ticketId) }),
  });
  const body = useMutation({
    mutationFn: () => client.fetchQuery({ queryKey: kbKeys.article(hit.id), queryFn: () => get<Article>(`/articles/${hit.id}`) }),
    onSuccess: (article) => onInsert(article.body, internal ? undefined : { id: hit.id, marker: null }),
  });
  const insertLink = () => {
    const link = articleLink(hit.title, hit.id);
    onInsert(link, internal ? undefined : { id: hit.id, marker: `(/kb/${hit.id})` });
  };

  return (
    <li className="ag-kb-item" data-testid="suggested-article" data-article-id={hit.id}>
      <div className="ag-kb-head">
        <Link to={`/kb/${hit.id}`} className="ag-kb-title">
          {hit.title}
        </Link>
        <AudienceBadge audience={hit.audience} />
      </div>
      <Snippet hit={hit} className="search-snippet ag-kb-snippet" />
      <div className="ag-kb-actions">
        <button type="button" className="link-button" disabled={!!blocked} title={blocked} onClick={insertLink}>
          Insert link
        </button>
        <button type="button" className="link-button" disabled={!!blocked || body.isPending} title={blocked} onClick={() => body.mutate()}>
          {body.isPending ? "Inserting…" : "Insert article"}
        </button>
        <button
          type="button"
          className="link-button"
          disabled={resolvedWith || resolved.isPending}
          aria-pressed={resolvedWith}
          onClick={() => resolved.mutate()}
        >
          {resolvedWith ? "✓ Resolved with this" : "Resolved with this"}
        </button>
      </div>
      {internal && composerMode === "reply" && <div className="muted ag-small">Internal: insert it into an internal note.</div>}
      <ErrorBanner error={body.error ?? resolved.error} />
    </li>
  );
}

function LinkedArticles({ ticketId, links }: { ticketId: number; links: ReturnType<typeof useTicketArticleLinks> }) {
  const client = useQueryClient();
  const remove = useMutation({
    mutationFn: (articleId: number) => del<void>(`${linkPath(ticketId)}/${articleId}`),
    onSettled: () => client.invalidateQueries({ queryKey: kbLinkKeys.ticketLinks(ticketId) }),
  });
  return (
    <div className="ag-side-section" data-testid="linked-articles">
      <div className="ag-side-label">Linked articles</div>
      {links.isPending ? (
        <span className="muted ag-small">Loading…</span>
      ) : !links.data ? (
        <span className="muted ag-small">Linked articles could not be loaded.</span>
      ) : links.data.length === 0 ? (
        <span className="muted ag-small">No articles linked yet</span>
      ) : (
        <ul className="ag-kb-links">
          {links.data.map((l) => (
            <li key={`${l.article_id}-${l.kind}`} data-testid="linked-article">
              <Link to={`/kb/${l.article_id}`}>{l.article_title}</Link> <span className="muted">v{l.article_version}</span>{" "}
              <span className={`ag-kb-kind ag-kb-kind-${l.kind}`}>{LINK_KIND_LABELS[l.kind] ?? l.kind}</span>
              <button
                type="button"
                className="ag-icon-button"
                aria-label={`Remove ${l.article_title}`}
                title="Remove the link"
                disabled={remove.isPending}
                onClick={() => remove.mutate(l.article_id)}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      <ErrorBanner error={remove.error} />
    </div>
  );
}

function DraftArticle({ ticketId }: { ticketId: number }) {
  const navigate = useNavigate();
  const client = useQueryClient();
  const draft = useMutation({
    mutationFn: () => post<Article>(`/tickets/${ticketId}/draft-article`),
    onSuccess: (a) => {
      client.setQueryData(kbKeys.article(a.id), a);
      client.invalidateQueries({ queryKey: kbKeys.all, predicate: (q) => q.queryKey[1] !== "article" });
      navigate(`/kb/${a.id}/edit`);
    },
  });
  return (
    <div className="ag-side-section">
      <button type="button" disabled={draft.isPending} onClick={() => draft.mutate()}>
        {draft.isPending ? "Drafting…" : "Draft an article from this ticket"}
      </button>
      <ErrorBanner error={draft.error} />
    </div>
  );
}

export function KbPanel({ ticket: t, composerMode, onInsert }: Props) {
  const suggested = useQuery({
    queryKey: kbLinkKeys.ticketSuggested(t.id),
    queryFn: async () => (await get<SearchPage>(`/tickets/${t.id}/suggested-articles`, { limit: 5 })).items,
    staleTime: 60_000,
  });
  const links = useTicketArticleLinks(t.id);
  const resolvedWith = new Set((links.data ?? []).filter((l) => l.kind === "resolved_with").map((l) => l.article_id));
  const items = suggested.data ?? [];

  return (
    <>
      <div className="ag-side-section" data-testid="suggested-articles">
        <div className="ag-side-label">Suggested articles</div>
        {suggested.isPending ? (
          <span className="muted ag-small">Loading…</span>
        ) : !suggested.data ? (
          <ErrorBanner error={suggested.error} />
        ) : items.length === 0 ? (
          <span className="muted ag-small">No articles match this ticket</span>
        ) : (
          <ul className="ag-kb-list">
            {items.map((hit) => (
              <Suggestion
                key={hit.id}
                hit={hit}
                ticketId={t.id}
                composerMode={composerMode}
                resolvedWith={resolvedWith.has(hit.id)}
                onInsert={onInsert}
              />
            ))}
          </ul>
        )}
      </div>
      <LinkedArticles ticketId={t.id} links={links} />
      {(t.status === "solved" || t.status === "closed") && <DraftArticle ticketId={t.id} />}
    </>
  );
}
