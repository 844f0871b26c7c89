// /portal/tickets/:id: one ticket as its requester sees it: the public
// conversation, a reply box and "Mark as solved".
import { useState, type FormEvent } from "react";
import { Link, useParams } from "react-router";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { ApiError, get, patch, post } from "../api/client";
import { keys } from "../api/keys";
import type { Comment, Page, PersonRef, Ticket } from "../api/types";
import { StatusBadge } from "../components/Badges";
import { Empty, ErrorBanner, FieldError, FormError, Loading } from "../components/States";
import { MarkdownEditor } from "../components/MarkdownEditor";
import { absoluteTime, relativeTime } from "../components/format";
import { useQueues } from "./queues";
import "./portal.css";

// All public comments, oldest first (the API pages them 200 at a time).
async function fetchConversation(id: number): Promise<Comment[]> {
  const all: Comment[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < 50; i++) {
    const page = await get<Page<Comment>>(`/tickets/${id}/comments`, { limit: 200, cursor });
    all.push(...page.items);
    if (!page.next_cursor) break;
    cursor = page.next_cursor;
  }
  return all.filter((c) => !c.internal);
}

function Entry({ author, at, html, testId, first }: { author: PersonRef; at: string; html: string; testId: string; first?: boolean }) {
  return (
    <li className={`conv-entry${first ? " conv-first" : ""}`} data-testid={testId}>
      <div className="conv-meta">
        <span className="conv-author">{author.display_name}</span>
        <time className="muted" dateTime={at} title={absoluteTime(at)}>
          {first ? "wrote " : ""}
          {relativeTime(at)}
        </time>
      </div>
      {/* body_html is rendered and sanitised by the server (cmark-gfm, safe mode). */}
      <div className="conv-body markdown" dangerouslySetInnerHTML={{ __html: html }} />
    </li>
  );
}

export default function PortalTicket() {
  const { id: rawId } = useParams();
  const id = Number(rawId);
  const validId = Number.isInteger(id) && id > 0;
  const client = useQueryClient();
  const queues = useQueues();
  const [reply, setReply] = useState("");
  const [notice, setNotice] = useState<string | null>(null);

  const ticket = useQuery({
    queryKey: keys.ticket(id),
    queryFn: () => get<Ticket>(`/tickets/${id}`),
    enabled: validId,
    retry: (count, e) => !(e instanceof ApiError && e.status < 500) && count < 1,
  });
  const comments = useQuery({
    queryKey: keys.comments(id),
    queryFn: () => fetchConversation(id),
    enabled: validId && ticket.isSuccess,
  });

  const sendReply = useMutation({
    mutationFn: (body: string) => post<Comment>(`/tickets/${id}/comments`, { body }),
    onSuccess: (comment) => {
      setReply("");
      setNotice(null);
      client.setQueryData<Comment[]>(keys.comments(id), (old) =>
        old && !old.some((c) => c.id === comment.id) ? [...old, comment] : old,
      );
      client.invalidateQueries({ queryKey: keys.ticket(id) });
      client.invalidateQueries({ queryKey: keys.comments(id) });
      client.invalidateQueries({ queryKey: keys.allTickets });
    },
  });

  const markSolved = useMutation({
    mutationFn: (t: Ticket) => patch<Ticket>(`/tickets/${t.id}`, { status: "solved" }, { "If-Match": String(t.version) }),
    onSuccess: (updated) => {
      setNotice("Marked as solved. Reply any time if the problem comes back.");
      client.setQueryData(keys.ticket(id), updated);
      client.invalidateQueries({ queryKey: keys.allTickets });
    },
    onError: (e) => {
      // 412: someone changed the ticket meanwhile; show the fresh state.
      if (e instanceof ApiError && e.status === 412) client.invalidateQueries({ queryKey: keys.ticket(id) });
    },
  });

  if (!validId || (ticket.error instanceof ApiError && ticket.error.status === 404)) {
    return (
      <div className="portal portal-narrow">
        <Empty title="Ticket not found">
          <p className="muted">It may have been merged or you may not have access to it.</p>
          <Link to="/portal">Back to my tickets</Link>
        </Empty>
      </div>
    );
  }
  if (ticket.isPending) return <Loading />;
  if (!ticket.data) return <ErrorBanner error={ticket.error} />;

  const t = ticket.data;
  const queue = t.queue ? queues.data?.find((q) => q.id === t.queue!.id) : undefined;
  const done = t.status === "solved" || t.status === "closed";

  const submitReply = (e: FormEvent) => {
    e.preventDefault();
    if (sendReply.isPending) return;
    sendReply.mutate(reply);
  };

  const solveError =
    markSolved.error instanceof ApiError && markSolved.error.status === 412
      ? new Error("This ticket was updated meanwhile. Check the latest reply and try again.")
      : markSolved.error;

  return (
    <div className="portal portal-narrow">
      <Link to="/portal" className="portal-back">
        ← My tickets
      </Link>
      <div className="portal-ticket-head">
        <h1 data-testid="ticket-subject">{t.subject}</h1>
        <dl className="portal-facts">
          <div>
            <dt>Status</dt>
            <dd data-testid="ticket-status">
              <StatusBadge status={t.status} />
            </dd>
          </div>
          <div>
            <dt>Component</dt>
            <dd title={queue?.description || undefined}>{t.queue?.name ?? "Not set"}</dd>
          </div>
          <div>
            <dt>Ticket</dt>
            <dd>#{t.id}</dd>
          </div>
          <div>
            <dt>Updated</dt>
            <dd>
              <time dateTime={t.updated_at} title={absoluteTime(t.updated_at)}>
                {relativeTime(t.updated_at)}
              </time>
            </dd>
          </div>
        </dl>
        {!done && (
          <button
            type="button"
            className="portal-solve"
            onClick={() => markSolved.mutate(t)}
            disabled={markSolved.isPending}
          >
            {markSolved.isPending ? "Saving…" : "Mark as solved"}
          </button>
        )}
      </div>
      {notice && (
        <div className="portal-notice" role="status">
          {notice}
        </div>
      )}
      <ErrorBanner error={solveError} />
      {ticket.isError && <ErrorBanner error={ticket.error} />}

      <ol className="conversation" aria-label="Conversation">
        <Entry author={t.requester} at={t.created_at} html={t.body_html} testId="comment" first />
        {comments.data?.map((c) => (
          <Entry key={c.id} author={c.author} at={c.created_at} html={c.body_html} testId="comment" />
        ))}
      </ol>
      {comments.isPending && <Loading label="Loading replies…" />}
      {comments.isError && <ErrorBanner error={comments.error} />}

      {t.status === "closed" ? (
        <div className="panel portal-closed">
          This ticket is closed. <Link to="/portal/new">File a follow-up ticket</Link> if you need more help.
        </div>
      ) : (
        <form className="panel portal-reply" onSubmit={submitReply} noValidate>
          <MarkdownEditor
            id="reply"
            label="Your reply"
            value={reply}
            onChange={setReply}
            rows={5}
            invalid={(sendReply.error instanceof ApiError && !!sendReply.error.fields.body) || undefined}
          />
          <FieldError error={sendReply.error} field="body" />
          <FormError error={sendReply.error instanceof ApiError && sendReply.error.fields.body ? null : sendReply.error} />
          {t.status === "solved" && <p className="muted">Replying will reopen this ticket.</p>}
          <div className="portal-actions">
            <button type="submit" className="primary" disabled={sendReply.isPending || reply.trim() === ""}>
              {sendReply.isPending ? "Sending…" : "Send reply"}
            </button>
          </div>
        </form>
      )}
    </div>
  );
}
