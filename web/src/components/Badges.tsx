import type { Priority, Status } from "../api/types";
import { priorityLabel, statusLabel } from "./format";

export function StatusBadge({ status }: { status: Status }) {
  return <span className={`badge status-${status}`}>{statusLabel(status)}</span>;
}

export function PriorityBadge({ priority }: { priority: Priority }) {
  return <span className={`badge priority-${priority}`}>{priorityLabel(priority)}</span>;
}
