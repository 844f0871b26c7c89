// /portal/new: a requester files a ticket.
import { useRef, useState, type FormEvent } from "react";
import { Link, useNavigate } from "react-router";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { post } from "../api/client";
import { keys } from "../api/keys";
import type { Priority, Ticket } from "../api/types";
import { invalid, SelectField, TextField } from "../components/Field";
import { PriorityOptions } from "../components/Options";
import { FieldError, FormError } from "../components/States";
import { MarkdownEditor } from "../components/MarkdownEditor";
import { ArticleSuggestions, recordDeflection } from "./ArticleSuggestions";
import { useQueues } from "./queues";
import "./portal.css";

interface NewTicketBody {
  subject: string;
  body: string;
  priority: Priority;
  queue?: string;
}

// A retry of the same submission (e.g. after a network error) reuses the key so
// the server creates the ticket only once; any edit gets a fresh key. Also the
// form's deflection session id.
function newIdempotencyKey(): string {
  const c = globalThis.crypto as Crypto | undefined;
  if (c && typeof c.randomUUID === "function") return c.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`;
}

export default function NewTicket() {
  const navigate = useNavigate();
  const client = useQueryClient();
  const queues = useQueues();
  const [subject, setSubject] = useState("");
  const [body, setBody] = useState("");
  const [priority, setPriority] = useState<Priority>("normal");
  const [queue, setQueue] = useState("");
  const lastAttempt = useRef<{ json: string; key: string } | null>(null);
  // One deflection session for the form's lifetime: the suggestions opened
  // while writing and the ticket filed at the end belong together.
  const [session] = useState(newIdempotencyKey);

  const create = useMutation({
    mutationFn: (payload: NewTicketBody) => {
      const json = JSON.stringify(payload);
      if (!lastAttempt.current || lastAttempt.current.json !== json) {
        lastAttempt.current = { json, key: newIdempotencyKey() };
      }
      return post<Ticket>("/tickets", payload, { "Idempotency-Key": lastAttempt.current.key });
    },
    onSuccess: (ticket) => {
      recordDeflection("/deflection/filed", { session, ticket_id: ticket.id });
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
        <TextField
          id="subject"
          label="Subject"
          type="text"
          maxLength={250}
          autoComplete="off"
          placeholder="A short summary of the problem"
          value={subject}
          onChange={setSubject}
          error={error}
          field="subject"
        />

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
        <ArticleSuggestions subject={subject} body={body} session={session} />

        <div className="portal-form-row">
          <SelectField id="priority" label="Priority" value={priority} onChange={(v) => setPriority(v as Priority)} error={error} field="priority">
            <PriorityOptions />
          </SelectField>

          <SelectField
            id="queue"
            label="Component"
            value={queue}
            onChange={setQueue}
            error={error}
            field="queue"
            help={
              queues.isError
                ? "Components could not be loaded; you can file the ticket without one."
                : selectedQueue
                  ? selectedQueue.description || selectedQueue.name
                  : "Optional: the part of the platform this is about."
            }
          >
            <option value="">Not sure</option>
            {queues.data?.map((q) => (
              <option key={q.id} value={q.name}>
                {q.name}
              </option>
            ))}
          </SelectField>
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
