// /kb/:id: one article as readers see it (body_html, rendered and sanitised by
// the server), its state and review date, the state moves the user may make,
// and the Versions panel (compare with the previous version, restore).
import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useNavigate, useParams } from "react-router";
import { get, post } from "../api/client";
import { kbKeys, type Article, type ArticleDiff, type ArticleState, type ArticleVersion } from "../api/kb";
import type { Page } from "../api/types";
import { ErrorBanner, Loading } from "../components/States";
import { absoluteTime } from "../components/format";
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
        <article className="panel markdown" dangerouslySetInnerHTML={{ __html: a.body_html }} />
        <Versions article={a} />
      </div>
    </div>
  );
}
