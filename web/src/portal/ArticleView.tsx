// A published article as a requester reads it (body_html is rendered and
// sanitised by the server), with "Was this helpful?". Used by the portal's
// article page and by the suggestions panel of the new-ticket form.
import { useQuery } from "@tanstack/react-query";
import { ApiError, get } from "../api/client";
import { kbKeys, type Article } from "../api/kb";
import { ArticleFeedback } from "../components/ArticleFeedback";
import { Empty, ErrorBanner, Loading } from "../components/States";
import { absoluteTime, relativeTime } from "../components/format";

export function useArticle(id: number) {
  return useQuery({
    queryKey: kbKeys.article(id),
    queryFn: () => get<Article>(`/articles/${id}`),
    enabled: Number.isInteger(id) && id > 0,
    retry: false,
  });
}

export function ArticleView({ id, heading: Heading = "h1" }: { id: number; heading?: "h1" | "h2" }) {
  const article = useArticle(id);
  if (article.error instanceof ApiError && article.error.status === 404) {
    return (
      <Empty title="Article not found">
        <p className="muted">It may have been archived or moved.</p>
      </Empty>
    );
  }
  if (article.isPending) return <Loading />;
  if (!article.data) return <ErrorBanner error={article.error} />;
  const a = article.data;
  const at = a.published_at ?? a.updated_at;
  return (
    <article className="portal-article" data-testid="portal-article" data-article-id={a.id}>
      <Heading className="portal-article-title">{a.title}</Heading>
      <div className="muted portal-article-meta">
        {a.category && <span>{a.category}</span>}
        <time dateTime={at} title={absoluteTime(at)}>
          Updated {relativeTime(at)}
        </time>
      </div>
      {/* body_html is rendered and sanitised by the server (cmark-gfm, safe mode). */}
      <div className="markdown portal-article-body" dangerouslySetInnerHTML={{ __html: a.body_html }} />
      <ArticleFeedback articleId={a.id} />
    </article>
  );
}
