// The "New …" panel at the top of the admin pages: a titled form with the
// fields in a grid and a "Create …" button that reads "Creating…" meanwhile.
import type { ReactNode } from "react";
import { FormError } from "../components/States";

interface Props {
  id: string; // the heading's id is `${id}-title`
  title: string;
  submitLabel: string;
  pending: boolean;
  error: unknown;
  onSubmit: () => void; // not called while `pending`
  notice?: ReactNode; // shown between the error and the fields
  children: ReactNode;
}

export function CreateForm({ id, title, submitLabel, pending, error, onSubmit, notice, children }: Props) {
  return (
    <form
      className="panel admin-form"
      onSubmit={(e) => {
        e.preventDefault();
        if (!pending) onSubmit();
      }}
      noValidate
      aria-labelledby={`${id}-title`}
    >
      <h2 id={`${id}-title`}>{title}</h2>
      <FormError error={error} />
      {notice}
      <div className="admin-form-grid">{children}</div>
      <button type="submit" className="primary" disabled={pending}>
        {pending ? "Creating…" : submitLabel}
      </button>
    </form>
  );
}
