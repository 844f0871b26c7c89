// Fixtures for the search and suggestion tests.
import type { SearchHit } from "../api/search";

export function makeHit(over: Partial<SearchHit> = {}): SearchHit {
  return {
    type: "ticket",
    id: 230,
    title: "Kafka connector for orders topic stuck at offset",
    snippet: "<mark>Kafka</mark> connector for orders topic stuck at offset",
    score: 3.1,
    status: "open",
    queue: "ingestion",
    updated_at: "2026-11-25T00:07:58Z",
    ...over,
  };
}

export const articleHit = (over: Partial<SearchHit> = {}) =>
  makeHit({
    type: "article",
    id: 1,
    title: "Fix CSV upload delimiter errors",
    snippet: "Save the file as UTF-8 <mark>CSV</mark>",
    status: "published",
    queue: undefined,
    audience: "public",
    ...over,
  });
