// The bar that appears when rows are selected. One "Apply" button sends every
// change picked in the bar (status, priority, assignee, tag) in a single
// POST /tickets/bulk; "Assign to me" is applied at once on its own.
import { useState } from "react";
import type { User } from "../api/types";
import { PriorityOptions, StatusOptions } from "../components/Options";

export interface BulkChanges {
  status?: string;
  priority?: string;
  assignee_id?: number | null;
  queue?: string;
  add_tags?: string[];
  remove_tags?: string[];
}

interface Props {
  count: number;
  agents: User[];
  busy: boolean;
  onApply: (changes: BulkChanges) => void;
  onAssignToMe: () => void;
  onClear: () => void;
}

export function BulkBar({ count, agents, busy, onApply, onAssignToMe, onClear }: Props) {
  const [status, setStatus] = useState("");
  const [priority, setPriority] = useState("");
  const [assignee, setAssignee] = useState("");
  const [tag, setTag] = useState("");

  const changes: BulkChanges = {};
  if (status) changes.status = status;
  if (priority) changes.priority = priority;
  if (assignee === "none") changes.assignee_id = null;
  else if (assignee) changes.assignee_id = Number(assignee);
  const tags = tag
    .split(/[\s,]+/)
    .map((t) => t.trim())
    .filter(Boolean);
  if (tags.length) changes.add_tags = tags;
  const empty = Object.keys(changes).length === 0;

  const apply = () => {
    if (empty) return;
    onApply(changes);
    setStatus("");
    setPriority("");
    setAssignee("");
    setTag("");
  };

  return (
    <div className="ag-bulk-bar" data-testid="bulk-bar" role="region" aria-label="Bulk actions">
      <span className="ag-bulk-count">
        <strong>{count}</strong> selected
      </span>
      <button type="button" onClick={onAssignToMe} disabled={busy}>
        Assign to me
      </button>
      <span className="ag-sep" aria-hidden="true" />
      <select aria-label="Bulk assignee" value={assignee} onChange={(e) => setAssignee(e.target.value)}>
        <option value="">Assignee…</option>
        <option value="none">Unassigned</option>
        {agents.map((u) => (
          <option key={u.id} value={u.id}>
            {u.display_name}
          </option>
        ))}
      </select>
      <select aria-label="Bulk status" value={status} onChange={(e) => setStatus(e.target.value)}>
        <option value="">Status…</option>
        <StatusOptions />
      </select>
      <select aria-label="Bulk priority" value={priority} onChange={(e) => setPriority(e.target.value)}>
        <option value="">Priority…</option>
        <PriorityOptions />
      </select>
      <input
        aria-label="Bulk tag"
        placeholder="Add tag"
        value={tag}
        onChange={(e) => setTag(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === "Enter") {
            e.preventDefault();
            apply();
          }
        }}
        className="ag-bulk-tag"
      />
      <button type="button" className="primary" onClick={apply} disabled={busy || empty}>
        Apply
      </button>
      <button type="button" className="link-button ag-bulk-clear" onClick={onClear}>
        Clear selection
      </button>
    </div>
  );
}

export interface BulkItem {
  id: number;
  ok: boolean;
  error?: { code: string; message: string; fields?: Record<string, string> };
}

// "12 updated, 1 failed: #34 closed tickets cannot change"
export function bulkSummary(items: BulkItem[]): string {
  const ok = items.filter((i) => i.ok).length;
  const failed = items.filter((i) => !i.ok);
  let text = `${ok} updated`;
  if (failed.length) {
    const shown = failed.slice(0, 3).map((f) => {
      const detail = f.error?.fields ? Object.values(f.error.fields)[0] : undefined;
      const message = f.error?.message ?? "failed";
      return `#${f.id} ${detail ? `${message}: ${detail}` : message}`;
    });
    text += `, ${failed.length} failed: ${shown.join("; ")}`;
    if (failed.length > 3) text += `; and ${failed.length - 3} more`;
  }
  return text;
}
