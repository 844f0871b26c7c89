// Fixtures for the knowledge base tests.
import type { Article } from "../api/kb";

export function makeArticle(over: Partial<Article> = {}): Article {
  return {
    id: 1,
    title: "Restart the ingestion workers",
    body: "Step one",
    body_html: "<p>Step one</p>",
    category: "Runbooks",
    audience: "internal",
    state: "draft",
    tags: ["ingestion"],
    queue_ids: [],
    version: 3,
    updated_at: "2026-11-20T10:00:00Z",
    published_at: null,
    owner_id: 3,
    review_interval_days: 180,
    reviewed_at: null,
    review_due_at: null,
    created_by: 3,
    created_at: "2026-11-01T10:00:00Z",
    ...over,
  };
}
