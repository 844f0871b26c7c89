// Knowledge-base articles that may answer what a requester is typing as a new
// ticket (issue 6). NewTicket renders this with the current subject and
// description and the form's session id. The suggestions follow the text
// (debounced); opening one shows the article here, in the page, so the draft
// ticket stays as it is. Opening one records a deflection view; NewTicket
// records the ticket filed in the same session. Both are fire-and-forget: the
// form works the same when they fail.
import { useRef, useState, type MouseEvent } from "react";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { get, post } from "../api/client";
import { kbLinkKeys, utf8Prefix, type SearchPage } from "../api/search";
import { useDebounced } from "../components/useDebounced";
import { Snippet } from "../search/shared";
import { ArticleView } from "./ArticleView";

export const SUGGESTIONS_DELAY_MS = 250;
const MAX_SUGGESTIONS = 5;
const MAX_TEXT_BYTES = 4000; // the endpoint's limit

export interface ArticleSuggestionsProps {
  subject: string;
  body: string;
  session: string; // the form's deflection session id
}

export function recordDeflection(path: "/deflection/views" | "/deflection/filed", body: object) {
  post<void>(path, body).catch(() => undefined);
}

export function ArticleSuggestions({ subject, body, session }: ArticleSuggestionsProps) {
  const text = useDebounced(utf8Prefix(`${subject.trim()} ${body.trim()}`.trim(), MAX_TEXT_BYTES), SUGGESTIONS_DELAY_MS);
  const [openId, setOpenId] = useState<number | null>(null);
  const viewed = useRef(new Set<number>());
  const suggestions = useQuery({
    queryKey: kbLinkKeys.suggestions(text),
    queryFn: async () =>
      (await get<SearchPage>("/search/suggestions", { q: text, as_you_type: "true", limit: MAX_SUGGESTIONS })).items,
    enabled: text !== "",
    placeholderData: keepPreviousData,
    staleTime: 60_000,
    retry: false,
  });
  const items = text !== "" ? (suggestions.data ?? []) : [];

  const open = (e: MouseEvent, id: number) => {
    if (!viewed.current.has(id)) {
      viewed.current.add(id);
      recordDeflection("/deflection/views", { session, article_id: id });
    }
    // A modified click opens the article page in a new tab, as links do.
    if (e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    setOpenId(id);
  };

  if (openId === null && items.length === 0) return null;
  return (
    <section className="portal-suggestions" aria-label="Suggested articles" data-testid="article-suggestions">
      {openId !== null ? (
        <div className="portal-suggestion-open">
          <div className="portal-suggestion-bar">
            <button type="button" className="link-button" onClick={() => setOpenId(null)}>
              ← Back to the suggestions
            </button>
            <a href={`/portal/kb/${openId}`} target="_blank" rel="noopener noreferrer">
              Open in a new tab
            </a>
          </div>
          <ArticleView id={openId} heading="h2" />
          <p className="muted portal-suggestion-note">Still need help? Your ticket is kept: finish it below and submit it.</p>
        </div>
      ) : (
        <>
          <h2 className="portal-suggestions-title">These articles may answer your question</h2>
          <ul className="portal-suggestion-list">
            {items.map((hit) => (
              <li key={hit.id} data-testid="suggestion">
                <a href={`/portal/kb/${hit.id}`} className="portal-suggestion" onClick={(e) => open(e, hit.id)}>
                  <span className="portal-suggestion-name">{hit.title}</span>
                  <Snippet hit={hit} />
                </a>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
