// The header's search box, for every signed-in user. `/` focuses it from
// anywhere (not while typing in a field), Escape leaves it. While one types
// (debounced) it shows the top matches; the arrow keys move through them,
// Enter opens the highlighted one, Enter with none highlighted opens the full
// results page (/search?q=…).
import { useEffect, useRef, useState, type KeyboardEvent } from "react";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useNavigate } from "react-router";
import { ApiError, get } from "../api/client";
import { hitUrl, retryServerErrors, searchKeys, type SearchHit, type SearchPage } from "../api/search";
import type { Status } from "../api/types";
import { StatusBadge } from "../components/Badges";
import { isTyping } from "../components/keyboard";
import { useDebounced } from "../components/useDebounced";
import { Snippet, TypeBadge } from "./shared";
import "./search.css";

export const TYPEAHEAD_DELAY_MS = 150;
const TYPEAHEAD_LIMIT = 8;

export const resultsUrl = (q: string) => `/search?q=${encodeURIComponent(q)}`;

export function SearchBox({ staff }: { staff: boolean }) {
  const navigate = useNavigate();
  const input = useRef<HTMLInputElement>(null);
  const [text, setText] = useState("");
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const q = useDebounced(text.trim(), TYPEAHEAD_DELAY_MS);
  const typed = text.trim() !== "";
  const results = useQuery({
    queryKey: searchKeys.typeahead(q),
    queryFn: () => get<SearchPage>("/search", { q, as_you_type: "true", limit: TYPEAHEAD_LIMIT }),
    enabled: q !== "",
    placeholderData: keepPreviousData,
    staleTime: 30_000,
    retry: retryServerErrors,
  });

  // `/` from anywhere but a text field or an open dialog.
  useEffect(() => {
    const onKey = (e: globalThis.KeyboardEvent) => {
      if (e.key !== "/" || e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return;
      if (isTyping(e.target) || document.querySelector('[aria-modal="true"]')) return;
      e.preventDefault();
      input.current?.focus();
      input.current?.select();
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, []);

  const items = typed && q !== "" ? (results.data?.items ?? []) : [];
  const error = typed && q !== "" && results.error instanceof ApiError ? results.error : null;
  const leave = () => {
    setOpen(false);
    setActive(-1);
    input.current?.blur();
  };
  const go = (url: string) => {
    leave();
    setText("");
    navigate(url);
  };
  const openHit = (hit: SearchHit) => go(hitUrl(hit, staff));

  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === "ArrowDown") {
      e.preventDefault();
      setOpen(true);
      setActive((a) => Math.min(a + 1, items.length - 1));
    } else if (e.key === "ArrowUp") {
      e.preventDefault();
      setActive((a) => Math.max(a - 1, -1));
    } else if (e.key === "Enter") {
      e.preventDefault();
      const hit = open ? items[active] : undefined;
      if (hit) openHit(hit);
      else if (typed) go(resultsUrl(text.trim()));
    } else if (e.key === "Escape") {
      // Leaves the box; the page's own Escape shortcuts do not see it.
      e.preventDefault();
      e.stopPropagation();
      leave();
    }
  };

  const showDrop = open && typed && q !== "" && (items.length > 0 || !!error || results.isSuccess);
  const activeHit = active >= 0 ? items[active] : undefined;

  return (
    <div className="search-box" role="search">
      <input
        ref={input}
        type="search"
        role="combobox"
        aria-label="Search"
        aria-expanded={showDrop && items.length > 0}
        aria-controls="search-box-list"
        aria-autocomplete="list"
        aria-activedescendant={activeHit ? `search-box-${active}` : undefined}
        aria-invalid={error?.fields.q ? true : undefined}
        autoComplete="off"
        maxLength={500}
        placeholder="Search  /"
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          setActive(-1);
          setOpen(true);
        }}
        onFocus={() => setOpen(true)}
        onBlur={() => setOpen(false)}
        onKeyDown={onKeyDown}
      />
      {showDrop && (
        <div className="search-drop" data-testid="search-dropdown">
          {error ? (
            <div className="field-error search-drop-note" role="alert">
              {error.fields.q ?? error.message}
            </div>
          ) : items.length === 0 ? (
            <div className="muted search-drop-note">No matches</div>
          ) : (
            <ul id="search-box-list" role="listbox" aria-label="Search results">
              {items.map((hit, i) => (
                <li
                  key={`${hit.type}-${hit.id}`}
                  id={`search-box-${i}`}
                  role="option"
                  aria-selected={i === active}
                  className={i === active ? "is-active" : undefined}
                  onMouseDown={(e) => e.preventDefault()} // keep the focus in the box
                  onMouseEnter={() => setActive(i)}
                  onClick={() => openHit(hit)}
                >
                  <div className="search-drop-title">
                    <TypeBadge type={hit.type} />
                    <span className="search-drop-name">{hit.title}</span>
                    {hit.type === "ticket" && (
                      <>
                        <span className="muted">#{hit.id}</span>
                        <StatusBadge status={hit.status as Status} />
                      </>
                    )}
                  </div>
                  <Snippet hit={hit} />
                </li>
              ))}
            </ul>
          )}
          <div className="search-drop-foot muted">
            <kbd>↑</kbd> <kbd>↓</kbd> to choose, <kbd>Enter</kbd> to open{activeHit ? "" : " all results"}, <kbd>Esc</kbd> to leave
          </div>
        </div>
      )}
    </div>
  );
}
