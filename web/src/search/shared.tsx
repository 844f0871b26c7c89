// Pieces shared by the header's search box, the results page and the article
// suggestions: the type and audience badges and the snippet.
import type { Audience } from "../api/kb";
import type { SearchHit } from "../api/search";

export function TypeBadge({ type }: { type: SearchHit["type"] }) {
  return <span className={`badge search-type search-type-${type}`}>{type === "ticket" ? "Ticket" : "Article"}</span>;
}

export function AudienceBadge({ audience }: { audience: Audience | null | undefined }) {
  if (!audience) return null;
  return audience === "internal" ? (
    <span className="badge search-audience-internal" title="Staff only: requesters cannot open it">
      Internal SOP
    </span>
  ) : (
    <span className="badge search-audience-public" title="Requesters can read it in the portal">
      Public
    </span>
  );
}

// The server escapes the snippet's text and marks the matches with <mark>, so
// it is rendered as HTML.
export function Snippet({ hit, className = "search-snippet" }: { hit: Pick<SearchHit, "snippet">; className?: string }) {
  if (!hit.snippet) return null;
  return <div className={className} dangerouslySetInnerHTML={{ __html: hit.snippet }} />;
}
