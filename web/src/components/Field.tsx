// Labelled form fields: the label, the control, an optional help line and the
// API's message for the field under it, the same markup on every form.
import type { InputHTMLAttributes, ReactNode, SelectHTMLAttributes } from "react";
import { ApiError } from "../api/client";
import { FieldError } from "./States";

// aria-invalid for a control whose field the API rejected (undefined, not false,
// so the attribute is left out).
export const invalid = (error: unknown, field: string) =>
  (error instanceof ApiError && !!error.fields[field]) || undefined;

interface FieldProps {
  id: string; // the control's id; the help line's is `${id}-help`
  label: ReactNode;
  error?: unknown; // the mutation's error
  field?: string; // the API's name for the field; its message shows under the control
  help?: ReactNode;
  className?: string; // the wrapper's class
}

// The wrapper alone, for a control that is not a plain input or select.
export function Field({ id, label, error, field, help, className = "field", children }: FieldProps & { children: ReactNode }) {
  return (
    <div className={className}>
      <label htmlFor={id}>{label}</label>
      {children}
      {help != null && (
        <div id={`${id}-help`} className="muted field-help">
          {help}
        </div>
      )}
      {field && <FieldError error={error} field={field} />}
    </div>
  );
}

// The attributes the field sets on its control.
function controlProps({ id, error, field, help }: FieldProps) {
  return {
    id,
    "aria-invalid": field ? invalid(error, field) : undefined,
    "aria-describedby": help != null ? `${id}-help` : undefined,
  };
}

type Control<E> = FieldProps & { value: string; onChange: (value: string) => void } & Omit<E, keyof FieldProps | "value" | "onChange">;

export function TextField({ id, label, error, field, help, className, value, onChange, ...input }: Control<InputHTMLAttributes<HTMLInputElement>>) {
  const own = { id, label, error, field, help, className };
  return (
    <Field {...own}>
      <input {...input} {...controlProps(own)} value={value} onChange={(e) => onChange(e.target.value)} />
    </Field>
  );
}

export function SelectField({ id, label, error, field, help, className, value, onChange, ...select }: Control<SelectHTMLAttributes<HTMLSelectElement>>) {
  const own = { id, label, error, field, help, className };
  return (
    <Field {...own}>
      <select {...select} {...controlProps(own)} value={value} onChange={(e) => onChange(e.target.value)} />
    </Field>
  );
}
