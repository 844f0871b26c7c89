// /kb/:id: one article as readers see it (body_html, rendered and sanitised by
// the server), its state and review date, the state moves the user may make,
// "Was this helpful?", and beside it the Versions panel (compare with the
// previous version, restore), the tickets it was used on and its feedback.
import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useNavigate, useParams } from "react-router";
import { get, post } from "../api/client";
import { kbKeys, type Article, type ArticleDiff, type ArticleState, type ArticleVersion } from "../api/kb";
import { kbLinkKeys, LINK_KIND_LABELS, type ArticleFeedback as Feedback, type ArticleUsage } from "../api/search";
import type { Page } from "../api/types";
import { ArticleFeedback } from "../components/ArticleFeedback";
import { StatusBadge } from "../components/Badges";
import { ErrorBanner, Loading } from "../components/States";
import { absoluteTime, relativeTime } from "../components/format";
import NotFound from "../pages/NotFound";
import { useAuth } from "../auth";
import { StateBadge, allowedMoves, canEdit, formatDate, isManager } from "./shared";
import "./kb.css";

export function DiffView({ diff }: { diff: ArticleDiff }) {
  return (
    <div className="kb-diff-wrap" data-testid="diff">
      {diff.fields.length > 0 && (
        <ul className="kb-diff-fields">
          {diff.fields.map((f) => (
            <li key={f.field}>
              <strong>{f.field}</strong>: <del>{f.before || "—"}</del> → <ins>{f.after || "—"}</ins>
            </li>
          ))}
        </ul>
      )}
      <div className="kb-diff">
        {diff.body.map((l, i) => (
          <div key={i} className={`kb-diff-${l.op}`} data-op={l.op}>
            {l.op === "delete" ? "- " : l.op === "insert" ? "+ " : "  "}
            {l.text}
          </div>
        ))}
      </div>
    </div>
  );
}

function Compare({ id, from, to }: { id: number; from: number; to: number }) {
  const diff = useQuery({ queryKey: kbKeys.diff(id, from, to), queryFn: () => get<ArticleDiff>(`/articles/${id}/diff`, { from, to }) });
  if (diff.isPending) return <Loading />;
  if (!diff.data) return <ErrorBanner error={diff.error} />;
  return <DiffView diff={diff.data} />;
}

function Versions({ article }: { article: Article }) {
  const client = useQueryClient();
  const [open, setOpen] = useState<number | null>(null);
  const editable = canEdit(article.state, isManager(useAuth().user));
  const versions = useQuery({
    queryKey: kbKeys.versions(article.id),
    queryFn: async () => (await get<Page<ArticleVersion>>(`/articles/${article.id}/versions`)).items,
  });
  const restore = useMutation({
    mutationFn: (n: number) => post<Article>(`/articles/${article.id}/versions/${n}/restore`),
    onSuccess: (a) => {
      client.setQueryData(kbKeys.article(a.id), a);
      client.invalidateQueries({ queryKey: kbKeys.all });
    },
  });
  return (
    <section className="panel kb-versions" aria-labelledby="kb-versions-title">
      <h2 id="kb-versions-title">Versions</h2>
      <ErrorBanner error={restore.error} />
      {versions.isPending ? (
        <Loading />
      ) : !versions.data ? (
        <ErrorBanner error={versions.error} />
      ) : (
        <ol>
          {versions.data.map((v) => (
            <li key={v.version} data-testid="version">
              <div>
                <strong>Version {v.version}</strong> <span className="muted">{absoluteTime(v.created_at)}</span>
              </div>
              {v.note && <div className="muted">{v.note}</div>}
              <div className="kb-version-actions">
                {v.version > 1 && (
                  <button type="button" className="link-button" aria-expanded={open === v.version} onClick={() => setOpen(open === v.version ? null : v.version)}>
                    Compare with previous
                  </button>
                )}
                {v.version !== article.version && editable && (
                  <button type="button" className="link-button" disabled={restore.isPending} onClick={() => restore.mutate(v.version)}>
                    Restore
                  </button>
                )}
              </div>
              {open === v.version && <Compare id={article.id} from={v.version - 1} to={v.version} />}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

function Usage({ id }: { id: number }) {
  const usage = useQuery({ queryKey: kbLinkKeys.usage(id), queryFn: () => get<ArticleUsage>(`/articles/${id}/usage`), retry: false });
  return (
    <section className="panel kb-usage" aria-labelledby="kb-usage-title">
      <h2 id="kb-usage-title">Usage</h2>
      {usage.isPending ? (
        <Loading />
      ) : !usage.data ? (
        <p className="muted">The tickets using this article could not be loaded.</p>
      ) : (
        <>
          <p data-testid="article-usage">{usage.data.ticket_count === 1 ? "Used on 1 ticket" : `Used on ${usage.data.ticket_count} tickets`}</p>
          {usage.data.recent.length > 0 && (
            <ul>
              {usage.data.recent.map((u) => (
                <li key={`${u.ticket_id}-${u.kind}`} data-testid="usage-ticket">
                  <div className="kb-usage-row">
                    <Link to={`/agent/tickets/${u.ticket_id}`}>#{u.ticket_id}</Link>
                    <span>{u.subject}</span>
                  </div>
                  <div className="kb-usage-row muted">
                    <StatusBadge status={u.status} />
                    <span>{LINK_KIND_LABELS[u.kind] ?? u.kind}</span>
                    <span>v{u.article_version}</span>
                    <time dateTime={u.linked_at} title={absoluteTime(u.linked_at)}>
                      {relativeTime(u.linked_at)}
                    </time>
                  </div>
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </section>
  );
}

function FeedbackSummary({ id }: { id: number }) {
  const feedback = useQuery({ queryKey: kbLinkKeys.feedback(id), queryFn: () => get<Feedback>(`/articles/${id}/feedback`), retry: false });
  const comments = feedback.data?.items.filter((f) => f.comment.trim()) ?? [];
  return (
    <section className="panel kb-feedback" aria-labelledby="kb-feedback-title">
      <h2 id="kb-feedback-title">Feedback</h2>
      {feedback.isPending ? (
        <Loading />
      ) : !feedback.data ? (
        <p className="muted">The feedback could not be loaded.</p>
      ) : (
        <>
          <div className="kb-feedback-counts" data-testid="feedback-counts">
            <span>{feedback.data.helpful_count} helpful</span>
            <span>{feedback.data.not_helpful_count} not helpful</span>
          </div>
          {comments.length === 0 ? (
            <p className="muted">No comments yet.</p>
          ) : (
            <ul>
              {comments.map((f) => (
                <li key={`${f.user_id}-${f.at}`} data-testid="feedback-comment">
                  <span className={f.helpful ? "kb-vote-yes" : "kb-vote-no"}>{f.helpful ? "Helpful" : "Not helpful"}</span>{" "}
                  <time className="muted" dateTime={f.at} title={absoluteTime(f.at)}>
                    {relativeTime(f.at)}
                  </time>
                  <div className="kb-feedback-comment">{f.comment}</div>
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </section>
  );
}

export default function ArticlePage() {
  const { id: idParam } = useParams();
  const id = Number(idParam);
  const valid = Number.isInteger(id) && id > 0;
  const { user } = useAuth();
  const manager = isManager(user);
  const client = useQueryClient();
  const navigate = useNavigate();
  const article = useQuery({ queryKey: kbKeys.article(id), enabled: valid, queryFn: () => get<Article>(`/articles/${id}`) });
  const onSaved = (a: Article) => {
    client.setQueryData(kbKeys.article(a.id), a);
    client.invalidateQueries({ queryKey: kbKeys.all, predicate: (q) => q.queryKey[1] !== "article" });
  };
  const move = useMutation({ mutationFn: (to: ArticleState) => post<Article>(`/articles/${id}/state`, { state: to }), onSuccess: onSaved });
  const reviewed = useMutation({ mutationFn: () => post<Article>(`/articles/${id}/reviewed`), onSuccess: onSaved });

  if (!valid) return <NotFound />;
  if (article.isPending) return <Loading />;
  if (!article.data) return <ErrorBanner error={article.error} />;
  const a = article.data;

  return (
    <div className="kb">
      <p>
        <Link to="/kb">← Knowledge base</Link>
      </p>
      <div className="kb-title">
        <h1>{a.title}</h1>
        <StateBadge state={a.state} />
      </div>
      <div className="kb-meta muted" data-testid="article-meta">
        <span>{a.audience === "public" ? "Public" : "Internal"}</span>
        <span>Category: {a.category || "—"}</span>
        <span>Version {a.version}</span>
        <span>Review due: {formatDate(a.review_due_at)}</span>
        {a.tags.length > 0 && (
          <span>
            {a.tags.map((t) => (
              <span key={t} className="kb-tag">
                {t}
              </span>
            ))}
          </span>
        )}
      </div>
      <div className="kb-actions">
        {canEdit(a.state, manager) && (
          <button type="button" onClick={() => navigate(`/kb/${a.id}/edit`)}>
            Edit
          </button>
        )}
        {allowedMoves(a.state, manager).map((m) => (
          <button key={m.to} type="button" className={m.to === "published" ? "primary" : undefined} disabled={move.isPending} onClick={() => move.mutate(m.to)}>
            {m.label}
          </button>
        ))}
        {a.state === "published" && (manager || a.owner_id === user?.id) && (
          <button type="button" disabled={reviewed.isPending} onClick={() => reviewed.mutate()}>
            Mark reviewed
          </button>
        )}
      </div>
      <ErrorBanner error={move.error ?? reviewed.error} />
      <div className="kb-layout">
        {/* body_html is rendered and sanitised by the server (cmark-gfm, safe mode). */}
        <div className="panel">
          <article className="markdown" dangerouslySetInnerHTML={{ __html: a.body_html }} />
          {a.state === "published" && <ArticleFeedback articleId={a.id} />}
        </div>
        <div className="kb-side">
          <Versions article={a} />
          <Usage id={a.id} />
          <FeedbackSummary id={a.id} />
        </div>
      </div>
    </div>
  );
}
