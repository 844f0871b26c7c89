// Loading, empty and error states, used by every page so they look alike.
import type { ReactNode } from "react";
import { ApiError } from "../api/client";

export function Loading({ label = "Loading…" }: { label?: string }) {
  return (
    <div className="state state-loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" /> {label}
    </div>
  );
}

export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="state state-empty">
      <p className="state-title">{title}</p>
      {children}
    </div>
  );
}

export function ErrorBanner({ error }: { error: unknown }) {
  if (!error) return null;
  const message = error instanceof Error ? error.message : String(error);
  const id = error instanceof ApiError ? ` (${error.code})` : "";
  return (
    <div className="state state-error" role="alert">
      {message}
      {id}
    </div>
  );
}

// The API's field-level message for `field`, shown under the input it belongs to.
export function FieldError({ error, field }: { error: unknown; field: string }) {
  if (!(error instanceof ApiError)) return null;
  const message = error.fields[field];
  if (!message) return null;
  return (
    <div className="field-error" role="alert" data-field={field}>
      {message}
    </div>
  );
}

// The error message when it is not about one field (those show under their inputs).
export function FormError({ error }: { error: unknown }) {
  if (!error) return null;
  if (error instanceof ApiError && Object.keys(error.fields).length > 0) {
    return (
      <div className="state state-error" role="alert">
        {error.message}
      </div>
    );
  }
  return <ErrorBanner error={error} />;
}

// A list query's states: loading, failed (nothing loaded), nothing yet, or the items.
export function ListStates<T>({
  pending,
  items,
  error,
  empty,
  children,
}: {
  pending: boolean;
  items: T[] | undefined; // undefined: nothing loaded
  error: unknown;
  empty: ReactNode;
  children: (items: T[]) => ReactNode;
}) {
  if (pending) return <Loading />;
  if (!items) return <ErrorBanner error={error} />;
  if (items.length === 0) return <>{empty}</>;
  return <>{children(items)}</>;
}

// The "Load more" button under a paged list (an infinite query).
export function LoadMore({
  query,
  className,
}: {
  query: { hasNextPage: boolean; isFetchingNextPage: boolean; fetchNextPage: () => unknown };
  className: string;
}) {
  if (!query.hasNextPage) return null;
  return (
    <div className={className}>
      <button type="button" onClick={() => query.fetchNextPage()} disabled={query.isFetchingNextPage}>
        {query.isFetchingNextPage ? "Loading…" : "Load more"}
      </button>
    </div>
  );
}
