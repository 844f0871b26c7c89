// Labels, the state badge and the state moves shared by the knowledge base pages.
import type { ArticleState } from "../api/kb";
import type { User } from "../api/types";

export const STATE_LABELS: Record<ArticleState, string> = {
  draft: "Draft",
  in_review: "In review",
  published: "Published",
  archived: "Archived",
};

export function StateBadge({ state }: { state: ArticleState }) {
  return <span className={`badge kb-state kb-state-${state}`}>{STATE_LABELS[state] ?? state}</span>;
}

export const isManager = (user: User | null) => user?.role === "lead" || user?.role === "admin";

export interface Move {
  to: ArticleState;
  label: string;
}

// The moves the user may make from `state` (docs/KB.md, States).
export function allowedMoves(state: ArticleState, manager: boolean): Move[] {
  const moves: Move[] = [];
  if (state === "draft") moves.push({ to: "in_review", label: "Submit for review" });
  if (manager && (state === "draft" || state === "in_review")) moves.push({ to: "published", label: "Publish" });
  if (manager && state === "published") moves.push({ to: "archived", label: "Archive" });
  if (state === "in_review" || (manager && (state === "published" || state === "archived"))) moves.push({ to: "draft", label: "Back to draft" });
  return moves;
}

// Agents edit drafts and articles in review; leads and admins edit any.
export const canEdit = (state: ArticleState, manager: boolean) => manager || state === "draft" || state === "in_review";

export const formatDate = (iso: string | null | undefined) => (iso ? iso.slice(0, 10) : "—");
