// A list table that scrolls sideways on narrow screens.
import type { ReactNode } from "react";

export function ListTable({ className, head, children }: { className: string; head: ReactNode; children: ReactNode }) {
  return (
    <div className="table-scroll">
      <table className={`list ${className}`}>
        <thead>
          <tr>{head}</tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}
