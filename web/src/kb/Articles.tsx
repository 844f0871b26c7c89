// /kb: the knowledge base for staff. Articles newest change first, filtered by
// state and "Stale" (published articles past their review date); the filters
// live in the URL so a reload or a shared link keeps them. Leads also see the
// portal's deflection rate and a link to the gaps.
import { useInfiniteQuery } from "@tanstack/react-query";
import { Link, useNavigate, useSearchParams } from "react-router";
import { get } from "../api/client";
import { ARTICLE_STATES, kbKeys, type Article, type ArticleState } from "../api/kb";
import type { Page } from "../api/types";
import { Empty, ListStates, LoadMore } from "../components/States";
import { ListTable } from "../components/Table";
import { relativeTime } from "../components/format";
import { useAuth } from "../auth";
import { DeflectionSummary } from "./Deflection";
import { STATE_LABELS, StateBadge, formatDate, isManager } from "./shared";
import "./kb.css";

export default function Articles() {
  const [search, setSearch] = useSearchParams();
  const navigate = useNavigate();
  const manager = isManager(useAuth().user);
  const state = (ARTICLE_STATES as string[]).includes(search.get("state") ?? "") ? (search.get("state") as ArticleState) : "";
  const stale = search.get("stale") === "true";
  const params = { state: state || undefined, stale: stale ? "true" : undefined };
  const list = useInfiniteQuery({
    queryKey: kbKeys.list(params),
    queryFn: ({ pageParam }) => get<Page<Article>>("/articles", { ...params, cursor: pageParam, limit: 50 }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  const setParam = (key: string, value: string) => {
    const next = new URLSearchParams(search);
    if (value) next.set(key, value);
    else next.delete(key);
    setSearch(next, { replace: true });
  };
  const items = list.data?.pages.flatMap((p) => p.items);

  return (
    <div className="kb">
      <div className="kb-title">
        <h1>Knowledge base</h1>
        <span className="kb-spacer" />
        {manager && <Link to="/kb/gaps">Gaps</Link>}
        <button type="button" className="primary" onClick={() => navigate("/kb/new")}>
          New article
        </button>
      </div>
      {manager && <DeflectionSummary days={30} />}
      <div className="kb-filters">
        <label>
          State{" "}
          <select value={state} onChange={(e) => setParam("state", e.target.value)}>
            <option value="">All</option>
            {ARTICLE_STATES.map((s) => (
              <option key={s} value={s}>
                {STATE_LABELS[s]}
              </option>
            ))}
          </select>
        </label>
        <label>
          <input type="checkbox" checked={stale} onChange={(e) => setParam("stale", e.target.checked ? "true" : "")} /> Stale (past review date)
        </label>
      </div>
      <ListStates
        pending={list.isPending}
        items={items}
        error={list.error}
        empty={<Empty title={state || stale ? "No articles match these filters" : "No articles yet"} />}
      >
        {(articles) => (
          <ListTable
            className="kb-table"
            head={
              <>
                <th>Title</th>
                <th>State</th>
                <th>Audience</th>
                <th>Category</th>
                <th>Review due</th>
                <th>Updated</th>
              </>
            }
          >
            {articles.map((a) => (
              <tr key={a.id} data-testid="article-row">
                <td>
                  <Link to={`/kb/${a.id}`}>{a.title}</Link>
                  {a.tags.length > 0 && (
                    <div>
                      {a.tags.map((t) => (
                        <span key={t} className="kb-tag">
                          {t}
                        </span>
                      ))}
                    </div>
                  )}
                </td>
                <td>
                  <StateBadge state={a.state} />
                </td>
                <td>{a.audience === "public" ? "Public" : "Internal"}</td>
                <td>{a.category || <span className="muted">—</span>}</td>
                <td>{formatDate(a.review_due_at)}</td>
                <td title={a.updated_at}>{relativeTime(a.updated_at)}</td>
              </tr>
            ))}
          </ListTable>
        )}
      </ListStates>
      <LoadMore query={list} className="kb-more" />
    </div>
  );
}
