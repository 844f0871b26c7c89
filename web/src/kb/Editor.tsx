// /kb/new and /kb/:id/edit: an article's title, category, audience, tags and
// Markdown body (with the server's preview). Saving an existing article sends
// If-Match with the version being edited; a 412 means someone saved in between
// and nothing was written. /kb/new?component=ID (the component page's "Write
// one") relates the new article to that component.
import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useNavigate, useParams, useSearchParams } from "react-router";
import { ApiError, get, patch, post } from "../api/client";
import { kbKeys, type Article, type ArticleInput, type Audience } from "../api/kb";
import { SelectField, TextField } from "../components/Field";
import { FormActions } from "../components/FormActions";
import { MarkdownEditor } from "../components/MarkdownEditor";
import { ErrorBanner, FieldError, FormError, Loading } from "../components/States";
import NotFound from "../pages/NotFound";
import "./kb.css";

const parseTags = (text: string) =>
  text
    .split(",")
    .map((t) => t.trim())
    .filter(Boolean);

// The tags' errors may be reported per item ("tags[1]"): show them all under Tags.
function TagErrors({ error }: { error: unknown }) {
  if (!(error instanceof ApiError)) return null;
  const names = Object.keys(error.fields).filter((f) => f === "tags" || f.startsWith("tags["));
  return (
    <>
      {names.map((f) => (
        <FieldError key={f} error={error} field={f} />
      ))}
    </>
  );
}

export function ArticleForm({ article, componentId }: { article?: Article; componentId?: number }) {
  const client = useQueryClient();
  const navigate = useNavigate();
  const [title, setTitle] = useState(article?.title ?? "");
  const [category, setCategory] = useState(article?.category ?? "");
  const [audience, setAudience] = useState<Audience>(article?.audience ?? "internal");
  const [tags, setTags] = useState(article?.tags.join(", ") ?? "");
  const [body, setBody] = useState(article?.body ?? "");
  const save = useMutation({
    mutationFn: (input: ArticleInput) =>
      article ? patch<Article>(`/articles/${article.id}`, input, { "If-Match": `"${article.version}"` }) : post<Article>("/articles", input),
    onSuccess: (a) => {
      client.setQueryData(kbKeys.article(a.id), a);
      client.invalidateQueries({ queryKey: kbKeys.all, predicate: (q) => q.queryKey[1] !== "article" });
      navigate(`/kb/${a.id}`);
    },
  });
  const conflict = save.error instanceof ApiError && save.error.status === 412;
  const error = conflict ? null : save.error;

  return (
    <form
      className="panel kb-form"
      aria-labelledby="kb-form-title"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        if (save.isPending) return;
        const input: ArticleInput = { title: title.trim(), body, category: category.trim(), audience, tags: parseTags(tags) };
        if (!article && componentId) input.queue_ids = [componentId];
        save.mutate(input);
      }}
    >
      <h1 id="kb-form-title">{article ? `Edit ${article.title}` : "New article"}</h1>
      {conflict && (
        <div className="state state-error" role="alert">
          Someone else saved this article after you opened it (you are editing version {article?.version}). Nothing was saved. Copy your changes,
          then{" "}
          <button
            type="button"
            className="link-button"
            onClick={() => {
              client.invalidateQueries({ queryKey: kbKeys.article(article!.id) });
              save.reset();
            }}
          >
            load the latest version
          </button>{" "}
          and apply them again.
        </div>
      )}
      <FormError error={error} />
      {!article && componentId && (
        <p className="muted" data-testid="kb-form-component">
          Related to component #{componentId}: once published, it is listed among the component's SOPs.
        </p>
      )}
      <TextField id="kb-title" label="Title" value={title} onChange={setTitle} error={error} field="title" maxLength={200} />
      <div className="kb-form-grid">
        <TextField id="kb-category" label="Category" value={category} onChange={setCategory} error={error} field="category" placeholder="e.g. Runbooks" />
        <SelectField id="kb-audience" label="Audience" value={audience} onChange={(v) => setAudience(v as Audience)} error={error} field="audience">
          <option value="internal">Internal (staff only)</option>
          <option value="public">Public (requesters, once published)</option>
        </SelectField>
        <div className="field">
          <label htmlFor="kb-tags">Tags</label>
          <input id="kb-tags" value={tags} onChange={(e) => setTags(e.target.value)} placeholder="comma, separated" aria-describedby="kb-tags-help" />
          <div id="kb-tags-help" className="muted field-help">
            Separated by commas; at most 20
          </div>
          <TagErrors error={error} />
        </div>
      </div>
      <div className="field">
        <MarkdownEditor id="kb-body" label="Body" value={body} onChange={setBody} rows={16} invalid={error instanceof ApiError && !!error.fields.body} />
        <FieldError error={error} field="body" />
      </div>
      <FormActions pending={save.isPending} saveLabel={article ? "Save" : "Create article"} onCancel={() => navigate(article ? `/kb/${article.id}` : "/kb")} />
    </form>
  );
}

export default function Editor() {
  const { id: idParam } = useParams();
  const id = idParam === undefined ? undefined : Number(idParam);
  const valid = id === undefined || (Number.isInteger(id) && id > 0);
  const [search] = useSearchParams();
  const component = Number(search.get("component"));
  const article = useQuery({ queryKey: kbKeys.article(id ?? 0), enabled: valid && id !== undefined, queryFn: () => get<Article>(`/articles/${id}`) });
  if (!valid) return <NotFound />;
  if (id === undefined) {
    return (
      <div className="kb">
        <ArticleForm componentId={Number.isInteger(component) && component > 0 ? component : undefined} />
      </div>
    );
  }
  if (article.isPending) return <Loading />;
  if (!article.data) return <ErrorBanner error={article.error} />;
  // Keyed by version: loading the latest after a 412 starts the form afresh.
  return (
    <div className="kb">
      <ArticleForm key={article.data.version} article={article.data} />
    </div>
  );
}
