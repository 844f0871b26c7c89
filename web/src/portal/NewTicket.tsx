// /portal/new: a requester files a ticket.
import { useRef, useState, type FormEvent } from "react";
import { Link, useNavigate } from "react-router";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { ApiError, post } from "../api/client";
import { keys } from "../api/keys";
import { PRIORITIES, type Priority, type Ticket } from "../api/types";
import { FieldError, FormError } from "../components/States";
import { MarkdownEditor } from "../components/MarkdownEditor";
import { priorityLabel } from "../components/format";
import { ArticleSuggestions } from "./ArticleSuggestions";
import { useQueues } from "./queues";
import "./portal.css";

interface NewTicketBody {
  subject: string;
  body: string;
  priority: Priority;
  queue?: string;
}

// A retry of the same submission (e.g. after a network error) reuses the key so
// the server creates the ticket only once; any edit gets a fresh key.
function newIdempotencyKey(): string {
  const c = globalThis.crypto as Crypto | undefined;
  if (c && typeof c.randomUUID === "function") return c.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`;
}

const invalid = (error: unknown, field: string) => (error instanceof ApiError && !!error.fields[field]) || undefined;

export default function NewTicket() {
  const navigate = useNavigate();
  const client = useQueryClient();
  const queues = useQueues();
  const [subject, setSubject] = useState("");
  const [body, setBody] = useState("");
  const [priority, setPriority] = useState<Priority>("normal");
  const [queue, setQueue] = useState("");
  const lastAttempt = useRef<{ json: string; key: string } | null>(null);

  const create = useMutation({
    mutationFn: (payload: NewTicketBody) => {
      const json = JSON.stringify(payload);
      if (!lastAttempt.current || lastAttempt.current.json !== json) {
        lastAttempt.current = { json, key: newIdempotencyKey() };
      }
      return post<Ticket>("/tickets", payload, { "Idempotency-Key": lastAttempt.current.key });
    },
    onSuccess: (ticket) => {
      client.setQueryData(keys.ticket(ticket.id), ticket);
      client.invalidateQueries({ queryKey: keys.allTickets });
      navigate(`/portal/tickets/${ticket.id}`);
    },
  });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (create.isPending) return;
    const payload: NewTicketBody = { subject, body, priority };
    if (queue) payload.queue = queue;
    create.mutate(payload);
  };

  const error = create.error;
  const selectedQueue = queues.data?.find((q) => q.name === queue);

  return (
    <div className="portal portal-narrow">
      <div className="portal-head">
        <h1>File a ticket</h1>
        <Link to="/portal">Back to my tickets</Link>
      </div>
      <form className="panel portal-form" onSubmit={submit} noValidate>
        <FormError error={error} />
        <div className="field">
          <label htmlFor="subject">Subject</label>
          <input
            id="subject"
            type="text"
            value={subject}
            maxLength={250}
            autoComplete="off"
            placeholder="A short summary of the problem"
            aria-invalid={invalid(error, "subject")}
            onChange={(e) => setSubject(e.target.value)}
          />
          <FieldError error={error} field="subject" />
        </div>

        <div className="field">
          <MarkdownEditor
            id="description"
            label="Description"
            value={body}
            onChange={setBody}
            rows={8}
            placeholder="What happened, what you expected, and any error messages"
            invalid={invalid(error, "body")}
          />
          <FieldError error={error} field="body" />
        </div>

        {/* Issue 6: article suggestions while typing. */}
        <ArticleSuggestions subject={subject} body={body} />

        <div className="portal-form-row">
          <div className="field">
            <label htmlFor="priority">Priority</label>
            <select
              id="priority"
              value={priority}
              aria-invalid={invalid(error, "priority")}
              onChange={(e) => setPriority(e.target.value as Priority)}
            >
              {PRIORITIES.map((p) => (
                <option key={p} value={p}>
                  {priorityLabel(p)}
                </option>
              ))}
            </select>
            <FieldError error={error} field="priority" />
          </div>

          <div className="field">
            <label htmlFor="queue">Component</label>
            <select
              id="queue"
              value={queue}
              aria-invalid={invalid(error, "queue")}
              aria-describedby="queue-help"
              onChange={(e) => setQueue(e.target.value)}
            >
              <option value="">Not sure</option>
              {queues.data?.map((q) => (
                <option key={q.id} value={q.name}>
                  {q.name}
                </option>
              ))}
            </select>
            <div id="queue-help" className="muted field-help">
              {queues.isError
                ? "Components could not be loaded; you can file the ticket without one."
                : selectedQueue
                  ? selectedQueue.description || selectedQueue.name
                  : "Optional: the part of the platform this is about."}
            </div>
            <FieldError error={error} field="queue" />
          </div>
        </div>

        <div className="portal-actions">
          <button type="submit" className="primary" disabled={create.isPending}>
            {create.isPending ? "Submitting…" : "Submit ticket"}
          </button>
          <Link to="/portal">Cancel</Link>
        </div>
      </form>
    </div>
  );
}
