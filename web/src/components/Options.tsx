// <option>s for the fixed ticket priorities and statuses, in their usual order.
import { PRIORITIES, STATUSES, type Status } from "../api/types";
import { priorityLabel, statusLabel } from "./format";

export function PriorityOptions() {
  return PRIORITIES.map((p) => (
    <option key={p} value={p}>
      {priorityLabel(p)}
    </option>
  ));
}

export function StatusOptions({ disabled }: { disabled?: (status: Status) => boolean }) {
  return STATUSES.map((s) => (
    <option key={s} value={s} disabled={disabled?.(s)}>
      {statusLabel(s)}
    </option>
  ));
}
