// The reply / internal note composer. The draft lives in local state and in
// sessionStorage (per ticket), so live refreshes of the ticket, a reload or a
// trip to another ticket never lose what the agent was writing. Text from the
// knowledge base panel is appended to the draft; the public articles inserted
// into a reply are reported with the sent reply (onSent's `articles`), so the
// page can record them as sent to the requester.
import { useEffect, useImperativeHandle, useRef, useState, type Ref } from "react";
import { useMutation } from "@tanstack/react-query";
import { post } from "../api/client";
import type { Comment } from "../api/types";
import { FieldError, FormError } from "../components/States";
import { MarkdownEditor } from "../components/MarkdownEditor";

export type ComposerMode = "reply" | "note";

// An article whose link or body was inserted; `marker` (the link's target), when
// set, must still be in the reply for the article to count as sent.
export interface InsertedArticle {
  id: number;
  marker: string | null;
}

export interface ComposerHandle {
  focus: (mode: ComposerMode) => void;
  hasDraft: () => boolean;
  // Appends `text` to the draft (after a blank line) and focuses the editor.
  insert: (text: string, article?: InsertedArticle) => void;
}

interface Props {
  ticketId: number;
  onTyping: () => void;
  onSent: (comment: Comment, articles: number[]) => void;
  onModeChange?: (mode: ComposerMode) => void;
  ref?: Ref<ComposerHandle>;
}

const draftKey = (id: number) => `opsdesk.draft.${id}`;

interface Draft {
  mode: ComposerMode;
  body: string;
  articles: InsertedArticle[];
}

function loadDraft(id: number): Draft {
  try {
    const v = JSON.parse(sessionStorage.getItem(draftKey(id)) ?? "null") as Partial<Draft> | null;
    if (v && typeof v.body === "string") {
      const articles = Array.isArray(v.articles) ? v.articles.filter((a) => a && typeof a.id === "number") : [];
      return { mode: v.mode === "note" ? "note" : "reply", body: v.body, articles };
    }
  } catch {
    /* ignore a broken draft */
  }
  return { mode: "reply", body: "", articles: [] };
}

// Appends inserted text after what was typed, separated by a blank line.
export function appendText(body: string, text: string): string {
  const head = body.replace(/\s+$/, "");
  return head ? `${head}\n\n${text}` : text;
}

export function Composer({ ticketId, onTyping, onSent, onModeChange, ref }: Props) {
  const [initial] = useState(() => loadDraft(ticketId));
  const [mode, setMode] = useState<ComposerMode>(initial.mode);
  const [body, setBody] = useState(initial.body);
  // Emptying the draft forgets the articles inserted into it.
  const [inserted, setInserted] = useState<InsertedArticle[]>(initial.articles);
  const articles = body ? inserted : [];
  const textarea = useRef<HTMLTextAreaElement>(null);

  useEffect(() => {
    try {
      if (body) sessionStorage.setItem(draftKey(ticketId), JSON.stringify({ mode, body, articles: inserted }));
      else sessionStorage.removeItem(draftKey(ticketId));
    } catch {
      /* storage unavailable */
    }
  }, [ticketId, mode, body, inserted]);

  useEffect(() => {
    onModeChange?.(mode);
  }, [mode, onModeChange]);

  const send = useMutation({
    mutationFn: (input: { body: string; internal: boolean }) =>
      post<Comment>(`/tickets/${ticketId}/comments`, input),
    onSuccess: (comment, input) => {
      const sent = input.internal ? [] : articles.filter((a) => a.marker === null || input.body.includes(a.marker)).map((a) => a.id);
      setBody("");
      setInserted([]);
      onSent(comment, [...new Set(sent)]);
    },
  });

  useImperativeHandle(
    ref,
    () => ({
      focus: (m) => {
        setMode(m);
        // After the re-render, so the textarea exists even if the editor was on Preview.
        window.setTimeout(() => textarea.current?.focus(), 0);
        textarea.current?.focus();
      },
      hasDraft: () => body.trim().length > 0,
      insert: (text, article) => {
        setBody((b) => appendText(b, text));
        if (article) setInserted((list) => [...(body ? list : []), article]);
        window.setTimeout(() => {
          const el = textarea.current;
          if (!el) return;
          el.focus();
          el.setSelectionRange(el.value.length, el.value.length);
          el.scrollTop = el.scrollHeight;
        }, 0);
      },
    }),
    [body],
  );

  const submit = () => {
    if (send.isPending) return;
    send.mutate({ body, internal: mode === "note" });
  };

  const note = mode === "note";
  return (
    <form
      className={`ag-composer${note ? " is-note" : ""}`}
      aria-label="Composer"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <div className="ag-composer-modes" role="group" aria-label="Composer mode">
        <button type="button" aria-pressed={!note} onClick={() => setMode("reply")}>
          Reply
        </button>
        <button type="button" aria-pressed={note} onClick={() => setMode("note")}>
          Internal note
        </button>
        <span className="ag-composer-hint muted">
          {note ? "Only agents see internal notes." : "The requester sees your reply."}
        </span>
      </div>
      <MarkdownEditor
        id="composer"
        label="Message"
        value={body}
        onChange={setBody}
        rows={5}
        placeholder={note ? "Write an internal note…" : "Write a reply…"}
        invalid={!!send.error}
        textareaRef={textarea}
        onInput={onTyping}
        onKeyDown={(e) => {
          if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
            e.preventDefault();
            submit();
          }
        }}
      />
      <FieldError error={send.error} field="body" />
      <FormError error={send.error} />
      <div className="ag-composer-actions">
        <span className="muted ag-composer-keys">
          <kbd>Ctrl</kbd>+<kbd>Enter</kbd> to send
        </span>
        <button type="submit" className={note ? "ag-note-button" : "primary"} disabled={send.isPending}>
          {send.isPending ? "Sending…" : note ? "Add note" : "Send reply"}
        </button>
      </div>
    </form>
  );
}
