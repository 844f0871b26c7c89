// API-shaped test data for the portal tests.
import type { Comment, Queue, Ticket } from "../api/types";

export function makeTicket(over: Partial<Ticket> = {}): Ticket {
  return {
    id: 42,
    subject: "CSV upload fails",
    body: "It says unexpected delimiter.",
    body_html: "<p>It says <strong>unexpected delimiter</strong>.</p>\n",
    status: "open",
    priority: "normal",
    queue: { id: 1, name: "ingestion" },
    requester: { id: 9, email: "priya@example.com", display_name: "Priya Patel" },
    assignee: null,
    tags: [],
    links: [],
    created_at: "2026-11-20T10:00:00Z",
    updated_at: "2026-11-21T10:00:00Z",
    version: 3,
    ...over,
  };
}

export function makeComment(over: Partial<Comment> = {}): Comment {
  return {
    id: 500,
    ticket_id: 42,
    author: { id: 6, email: "dan@example.com", display_name: "Dan Agent" },
    body: "Looking into it.",
    body_html: "<p>Looking into it.</p>\n",
    internal: false,
    created_at: "2026-11-20T11:00:00Z",
    moved_from_ticket_id: null,
    ...over,
  };
}

export const QUEUES: Queue[] = [
  { id: 5, name: "billing", team_id: 6, description: "Cost reports, quotas and chargeback", created_at: "2026-10-01T00:00:00Z" },
  { id: 1, name: "ingestion", team_id: 2, description: "Batch and streaming ingestion into the lake", created_at: "2026-10-01T00:00:00Z" },
];
