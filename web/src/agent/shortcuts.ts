// Keyboard shortcuts of the agent workspace, and the list the agent came from
// (kept in sessionStorage so j/k on a ticket page walk that list).
import { useEffect, useRef } from "react";
import { isTyping } from "../components/keyboard";

export { isTyping }; // the pages import it from here

export type ShortcutMap = Partial<Record<string, () => void>>;

export const SHORTCUTS: [keys: string, what: string][] = [
  ["j / k", "Next / previous ticket"],
  ["Enter / o", "Open the highlighted ticket"],
  ["x", "Select the highlighted row"],
  ["r", "Reply (focus the composer)"],
  ["n", "Internal note"],
  ["a", "Assign to me"],
  ["s", "Solve (set status to solved)"],
  ["e", "Escalate the ticket"],
  ["g then l", "Back to the list"],
  ["Ctrl+Enter", "Send the reply or note"],
  ["/", "Search tickets and articles"],
  ["?", "Show this help"],
  ["Esc", "Close dialogs, leave the editor"],
];

// Binds single keys ("j", "?", "Enter", "Escape") and two-key sequences
// written "g l". Escape is delivered even from inside inputs.
export function useShortcuts(map: ShortcutMap, enabled = true) {
  const mapRef = useRef(map);
  mapRef.current = map;
  useEffect(() => {
    if (!enabled) return;
    let pending: string | null = null;
    let pendingTimer = 0;
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented) return;
      const handlers = mapRef.current;
      if (e.key === "Escape") {
        const h = handlers["Escape"];
        if (h) h();
        return;
      }
      if (e.ctrlKey || e.metaKey || e.altKey) return;
      if (isTyping(e.target)) return;
      const key = e.key;
      // Enter on a focused link, button or checkbox belongs to that control.
      if (key === "Enter" && e.target instanceof HTMLElement && e.target.closest("a,button,input,summary")) return;
      if (pending) {
        const seq = handlers[`${pending} ${key}`];
        pending = null;
        window.clearTimeout(pendingTimer);
        if (seq) {
          e.preventDefault();
          seq();
          return;
        }
      }
      if (Object.keys(handlers).some((k) => k.startsWith(key + " "))) {
        pending = key;
        pendingTimer = window.setTimeout(() => (pending = null), 1500);
        return;
      }
      const h = handlers[key];
      if (h) {
        e.preventDefault();
        h();
      }
    };
    document.addEventListener("keydown", onKey);
    return () => {
      document.removeEventListener("keydown", onKey);
      window.clearTimeout(pendingTimer);
    };
  }, [enabled]);
}

const LIST_KEY = "opsdesk.agent.list";

export interface LastList {
  url: string; // path + search of the list
  ids: number[]; // ticket ids on the page, in order
  current?: number; // the ticket last opened from it
  cursors?: (string | null)[]; // the pagination stack, to come back to the same page
}

export function saveLastList(list: LastList) {
  try {
    sessionStorage.setItem(LIST_KEY, JSON.stringify(list));
  } catch {
    /* storage full or disabled: shortcuts just do less */
  }
}

export function loadLastList(): LastList | null {
  try {
    const text = sessionStorage.getItem(LIST_KEY);
    if (!text) return null;
    const value = JSON.parse(text) as LastList;
    return Array.isArray(value.ids) && typeof value.url === "string" ? value : null;
  } catch {
    return null;
  }
}

export function markCurrent(id: number) {
  const list = loadLastList();
  if (list) saveLastList({ ...list, current: id });
}
