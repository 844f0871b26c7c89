// The reply / internal note composer. The draft lives in local state and in
// sessionStorage (per ticket), so live refreshes of the ticket, a reload or a
// trip to another ticket never lose what the agent was writing.
import { useEffect, useImperativeHandle, useRef, useState, type Ref } from "react";
import { useMutation } from "@tanstack/react-query";
import { post } from "../api/client";
import type { Comment } from "../api/types";
import { FieldError, FormError } from "../components/States";
import { MarkdownEditor } from "../components/MarkdownEditor";

export type ComposerMode = "reply" | "note";

export interface ComposerHandle {
  focus: (mode: ComposerMode) => void;
  hasDraft: () => boolean;
}

interface Props {
  ticketId: number;
  onTyping: () => void;
  onSent: (comment: Comment) => void;
  ref?: Ref<ComposerHandle>;
}

const draftKey = (id: number) => `opsdesk.draft.${id}`;

function loadDraft(id: number): { mode: ComposerMode; body: string } {
  try {
    const v = JSON.parse(sessionStorage.getItem(draftKey(id)) ?? "null") as { mode?: string; body?: string } | null;
    if (v && typeof v.body === "string") return { mode: v.mode === "note" ? "note" : "reply", body: v.body };
  } catch {
    /* ignore a broken draft */
  }
  return { mode: "reply", body: "" };
}

export function Composer({ ticketId, onTyping, onSent, ref }: Props) {
  const [initial] = useState(() => loadDraft(ticketId));
  const [mode, setMode] = useState<ComposerMode>(initial.mode);
  const [body, setBody] = useState(initial.body);
  const textarea = useRef<HTMLTextAreaElement>(null);

  useEffect(() => {
    try {
      if (body) sessionStorage.setItem(draftKey(ticketId), JSON.stringify({ mode, body }));
      else sessionStorage.removeItem(draftKey(ticketId));
    } catch {
      /* storage unavailable */
    }
  }, [ticketId, mode, body]);

  const send = useMutation({
    mutationFn: (input: { body: string; internal: boolean }) =>
      post<Comment>(`/tickets/${ticketId}/comments`, input),
    onSuccess: (comment) => {
      setBody("");
      onSent(comment);
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
