// The "?" overlay listing the keyboard shortcuts.
import { useEffect, useRef } from "react";
import { SHORTCUTS } from "./shortcuts";

export function ShortcutHelp({ onClose }: { onClose: () => void }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const previous = document.activeElement as HTMLElement | null;
    ref.current?.focus();
    return () => previous?.focus?.();
  }, []);
  return (
    <div className="ag-overlay" onClick={onClose}>
      <div
        ref={ref}
        className="ag-dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby="ag-shortcuts-title"
        tabIndex={-1}
        onClick={(e) => e.stopPropagation()}
      >
        <div className="ag-dialog-head">
          <h2 id="ag-shortcuts-title">Keyboard shortcuts</h2>
          <button type="button" className="ag-icon-button" aria-label="Close" onClick={onClose}>
            ×
          </button>
        </div>
        <dl className="ag-shortcuts">
          {SHORTCUTS.map(([keys, what]) => (
            <div key={keys}>
              <dt>
                {keys.split(" ").map((k, i) =>
                  // "/" between keys reads "or"; the "/" key alone is a key.
                  (k === "/" && i > 0) || k === "then" ? (
                    <span key={i} className="muted"> {k} </span>
                  ) : (
                    <kbd key={i}>{k}</kbd>
                  ),
                )}
              </dt>
              <dd>{what}</dd>
            </div>
          ))}
        </dl>
      </div>
    </div>
  );
}
