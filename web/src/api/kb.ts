// The knowledge base's JSON shapes (docs/KB.md) and its React Query keys. Kept
// apart from types.ts / keys.ts; every KB query starts with "kb".
export type ArticleState = "draft" | "in_review" | "published" | "archived";
export const ARTICLE_STATES: ArticleState[] = ["draft", "in_review", "published", "archived"];
export type Audience = "public" | "internal";

export interface Article {
  id: number;
  title: string;
  body: string;
  body_html: string; // rendered and sanitised by the server (cmark-gfm, safe mode)
  category: string;
  audience: Audience;
  state: ArticleState;
  tags: string[];
  queue_ids: number[];
  version: number;
  updated_at: string;
  published_at: string | null;
  // Staff only:
  owner_id?: number | null;
  review_interval_days?: number;
  reviewed_at?: string | null;
  review_due_at?: string | null;
  created_by?: number | null;
  created_at?: string;
}

export interface ArticleVersion {
  article_id: number;
  version: number;
  title: string;
  body: string;
  category: string;
  audience: Audience;
  tags: string[];
  queue_ids: number[];
  author_id: number | null;
  note: string;
  created_at: string;
}

export interface ArticleDiff {
  article_id: number;
  from: number;
  to: number;
  fields: { field: string; before: string; after: string }[];
  body: { op: "equal" | "delete" | "insert"; text: string }[];
}

export interface ArticleInput {
  title: string;
  body: string;
  category: string;
  audience: Audience;
  tags: string[];
  queue_ids?: number[]; // related components; the form sets them only on create from a component's page
}

export const kbKeys = {
  all: ["kb"] as const,
  list: (params: Record<string, unknown>) => ["kb", "list", params] as const,
  article: (id: number) => ["kb", "article", id] as const,
  versions: (id: number) => ["kb", "versions", id] as const,
  diff: (id: number, from: number, to: number) => ["kb", "diff", id, from, to] as const,
};
