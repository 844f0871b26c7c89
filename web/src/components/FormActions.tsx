// The footer of an edit form: extra buttons on the left (children), then
// Cancel and the submit button, which reads "Saving…" while pending.
import type { ReactNode } from "react";

export function FormActions({ pending, saveLabel, onCancel, children }: { pending: boolean; saveLabel: string; onCancel: () => void; children?: ReactNode }) {
  return (
    <div className="oc-form-actions">
      {children}
      <span className="oc-spacer" />
      <button type="button" onClick={onCancel}>
        Cancel
      </button>
      <button type="submit" className="primary" disabled={pending}>
        {pending ? "Saving…" : saveLabel}
      </button>
    </div>
  );
}
