// /search?q=…: the full results of a search over tickets and articles, best
// first, with "Load more" through the cursor. A malformed query shows the
// API's message (which says what and where) under the input.
import { useEffect, useState, type FormEvent } from "react";
import { useInfiniteQuery } from "@tanstack/react-query";
import { Link, useSearchParams } from "react-router";
import { ApiError, get } from "../api/client";
import { hitUrl, retryServerErrors, searchKeys, type SearchHit, type SearchPage as Page } from "../api/search";
import type { Status } from "../api/types";
import { isStaff, useAuth } from "../auth";
import { StatusBadge } from "../components/Badges";
import { TextField } from "../components/Field";
import { Empty, ErrorBanner, ListStates, LoadMore } from "../components/States";
import { absoluteTime, relativeTime } from "../components/format";
import { resultsUrl } from "./SearchBox";
import { AudienceBadge, Snippet, TypeBadge } from "./shared";
import "./search.css";

const PAGE_SIZE = 20;

const ARTICLE_STATES: Record<string, string> = { draft: "Draft", in_review: "In review", published: "Published", archived: "Archived" };

export function SearchHelp() {
  return (
    <>
      Words match anywhere; <code>"exact phrase"</code>, <code>-exclude</code>, <code>prefix*</code>. Filters:{" "}
      <code>type:ticket|article</code> <code>status:open</code> <code>queue:ingestion</code> <code>tag:vip</code>{" "}
      <code>author:me</code> <code>assignee:me|none</code> <code>after:2026-01-31</code> <code>before:2026-02-28</code>
    </>
  );
}

function Result({ hit, staff }: { hit: SearchHit; staff: boolean }) {
  return (
    <li data-testid="search-result" data-type={hit.type} data-id={hit.id}>
      <div className="search-result-head">
        <TypeBadge type={hit.type} />
        <Link to={hitUrl(hit, staff)}>{hit.title}</Link>
        {hit.type === "ticket" && <span className="muted">#{hit.id}</span>}
      </div>
      <div className="search-result-meta muted">
        {hit.type === "ticket" ? (
          <>
            <StatusBadge status={hit.status as Status} />
            <span>{hit.queue ?? "No queue"}</span>
          </>
        ) : (
          <>
            {staff && <AudienceBadge audience={hit.audience} />}
            {hit.status !== "published" && <span>{ARTICLE_STATES[hit.status] ?? hit.status}</span>}
          </>
        )}
        <time dateTime={hit.updated_at} title={absoluteTime(hit.updated_at)}>
          updated {relativeTime(hit.updated_at)}
        </time>
      </div>
      <Snippet hit={hit} />
    </li>
  );
}

// The query's last word when it is a plain word (not a phrase, a filter, an
// exclusion or already a prefix): the full search matches whole words only.
export function lastPlainWord(q: string): string | null {
  if ((q.match(/"/g) ?? []).length % 2 === 1) return null;
  const m = /(?:^|\s)([^\s"*:-][^\s"*:]*)$/.exec(q);
  return m ? m[1]! : null;
}

function NoMatches({ q }: { q: string }) {
  const word = lastPlainWord(q);
  return (
    <Empty title="No matches">
      {word ? (
        <p className="muted">
          Words match whole words. To match words starting with “{word}”, search for{" "}
          <Link to={resultsUrl(`${q}*`)}>{`${q}*`}</Link>.
        </p>
      ) : (
        <p className="muted">Try fewer or other words, or fewer filters.</p>
      )}
    </Empty>
  );
}

export default function SearchPage() {
  const [search, setSearch] = useSearchParams();
  const q = (search.get("q") ?? "").trim();
  const staff = isStaff(useAuth().user);
  const [text, setText] = useState(q);
  // A new search from the header box lands here with another q.
  useEffect(() => setText(q), [q]);

  const results = useInfiniteQuery({
    queryKey: searchKeys.results(q),
    queryFn: ({ pageParam }) => get<Page>("/search", { q, limit: PAGE_SIZE, cursor: pageParam }),
    enabled: q !== "",
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    retry: retryServerErrors,
    // A malformed query stays malformed: when the page remounts (its lazy
    // chunk arriving) the error stays on screen rather than loading again.
    retryOnMount: false,
  });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const next = text.trim();
    setSearch(next ? { q: next } : {});
  };

  const error = results.error;
  const fieldError = error instanceof ApiError && !!error.fields.q;
  const items = results.data?.pages.flatMap((p) => p.items);

  return (
    <div className="search-page">
      <h1>Search</h1>
      <form className="search-form" role="search" aria-label="Search tickets and articles" onSubmit={submit} noValidate>
        <TextField
          id="search-q"
          label="Query"
          type="search"
          autoComplete="off"
          maxLength={500}
          value={text}
          onChange={setText}
          error={error}
          field="q"
        />
        <button type="submit" className="primary">
          Search
        </button>
      </form>
      <p className="muted search-help" data-testid="search-help">
        <SearchHelp />
      </p>
      {q === "" ? (
        <Empty title="Search tickets and articles">
          <p className="muted">Type a few words from a subject, a reply or an article.</p>
        </Empty>
      ) : fieldError ? null : (
        <ListStates
          pending={results.isPending}
          items={items}
          error={error}
          empty={<NoMatches q={q} />}
        >
          {(hits) => (
            <>
              <ol className="search-results" aria-label="Results">
                {hits.map((hit) => (
                  <Result key={`${hit.type}-${hit.id}`} hit={hit} staff={staff} />
                ))}
              </ol>
              {results.isFetchNextPageError && <ErrorBanner error={error} />}
              <LoadMore query={results} className="search-more" />
            </>
          )}
        </ListStates>
      )}
    </div>
  );
}
