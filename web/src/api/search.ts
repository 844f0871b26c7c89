// Search (GET /api/v1/search, /search/suggestions, /tickets/{id}/suggested-articles)
// and the knowledge base's links to tickets, usage, feedback, gaps and
// deflection. Every search query key starts with "search"; the KB ones with
// "kb" (kbKeys in kb.ts), so article changes refresh them.
import { ApiError } from "./client";
import type { Audience } from "./kb";
import type { Status } from "./types";

export interface SearchHit {
  type: "ticket" | "article";
  id: number;
  title: string;
  // HTML: the server escapes the text and marks the matches with <mark>…</mark>.
  snippet: string;
  score: number;
  status: string; // the ticket's status or the article's state
  queue?: string | null; // tickets
  audience?: Audience | null; // articles
  updated_at: string;
}

export interface SearchPage {
  items: SearchHit[];
  next_cursor: string | null;
}

export type ArticleLinkKind = "resolved_with" | "sent_to_requester";

export const LINK_KIND_LABELS: Record<ArticleLinkKind, string> = {
  resolved_with: "Resolved with",
  sent_to_requester: "Sent to requester",
};

// POST/GET /tickets/{id}/articles.
export interface ArticleLink {
  ticket_id: number;
  article_id: number;
  article_title: string;
  article_audience?: Audience;
  article_version: number;
  kind: ArticleLinkKind;
  linked_by: number | null;
  linked_at: string;
}

// GET /articles/{id}/usage.
export interface ArticleUsage {
  ticket_count: number;
  recent: {
    ticket_id: number;
    subject: string;
    status: Status;
    kind: ArticleLinkKind;
    article_version: number;
    linked_at: string;
    linked_by: number | null;
  }[];
}

export interface FeedbackCounts {
  helpful_count: number;
  not_helpful_count: number;
}

// GET /articles/{id}/feedback (staff).
export interface ArticleFeedback extends FeedbackCounts {
  items: { user_id: number; helpful: boolean; comment: string; article_version?: number; at: string }[];
  next_cursor: string | null;
}

// GET /kb/gaps: solved tickets that used no article, by component and tag.
export interface KbGaps {
  days: number;
  total: number;
  groups: { queue: string | null; tag: string | null; count: number; ticket_ids: number[] }[];
}

// GET /deflection: portal sessions that viewed a suggestion, and how many filed no ticket.
export interface Deflection {
  days: number;
  sessions: number;
  filed: number;
  deflected: number;
  rate: number | null;
  open: number;
}

export const searchKeys = {
  all: ["search"] as const,
  typeahead: (q: string) => ["search", "typeahead", q] as const,
  results: (q: string) => ["search", "results", q] as const,
};

export const kbLinkKeys = {
  suggestions: (text: string) => ["kb", "suggestions", text] as const,
  ticketSuggested: (ticketId: number) => ["kb", "ticket-suggested", ticketId] as const,
  ticketLinks: (ticketId: number) => ["kb", "ticket-links", ticketId] as const,
  usage: (id: number) => ["kb", "usage", id] as const,
  feedback: (id: number) => ["kb", "feedback", id] as const,
  gaps: (days: number) => ["kb", "gaps", days] as const,
  deflection: (days: number) => ["kb", "deflection", days] as const,
};

// Where a hit opens: tickets on the agent or portal ticket page, articles on
// /kb/ID (which shows requesters the portal's read-only article page).
export function hitUrl(hit: Pick<SearchHit, "type" | "id">, staff: boolean): string {
  if (hit.type === "article") return staff ? `/kb/${hit.id}` : `/portal/kb/${hit.id}`;
  return staff ? `/agent/tickets/${hit.id}` : `/portal/tickets/${hit.id}`;
}

// A text cut to at most `max` bytes of UTF-8 (the suggestion endpoints' limit),
// never in the middle of a character.
export function utf8Prefix(text: string, max: number): string {
  const encoder = new TextEncoder();
  if (encoder.encode(text).length <= max) return text;
  let bytes = 0;
  let out = "";
  for (const ch of text) {
    bytes += encoder.encode(ch).length;
    if (bytes > max) break;
    out += ch;
  }
  return out;
}

// Retry a failed search once, but not a query the server rejected (4xx).
export const retryServerErrors = (count: number, error: unknown) => !(error instanceof ApiError && error.status < 500) && count < 1;
