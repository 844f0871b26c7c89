// The JSON shapes of opsdesk's API (see GET /api/v1/openapi.json).

export type Role = "requester" | "agent" | "lead" | "admin";
export type Status = "new" | "open" | "pending" | "on_hold" | "solved" | "closed";
export type Priority = "low" | "normal" | "high" | "urgent";

export const STATUSES: Status[] = ["new", "open", "pending", "on_hold", "solved", "closed"];
export const PRIORITIES: Priority[] = ["low", "normal", "high", "urgent"];

export interface User {
  id: number;
  email: string;
  display_name: string;
  role: Role;
  is_active: boolean;
  time_zone: string;
  created_at: string;
  updated_at: string;
}

export interface PersonRef {
  id: number;
  email: string;
  display_name: string;
}

export interface QueueRef {
  id: number;
  name: string;
}

export interface TicketLink {
  kind: string;
  ticket_id: number;
}

export interface Ticket {
  id: number;
  subject: string;
  body: string;
  body_html: string;
  status: Status;
  priority: Priority;
  queue: QueueRef | null;
  requester: PersonRef;
  assignee: PersonRef | null;
  tags: string[];
  links: TicketLink[];
  created_at: string;
  updated_at: string;
  version: number;
}

export interface Comment {
  id: number;
  ticket_id: number;
  author: PersonRef;
  body: string;
  body_html: string;
  internal: boolean;
  created_at: string;
  moved_from_ticket_id: number | null;
}

export interface TicketEvent {
  id: number;
  ticket_id: number;
  actor_id: number;
  at: string;
  kind: string;
  field: string | null;
  before: string | null;
  after: string | null;
  internal: boolean;
}

export interface Queue {
  id: number;
  name: string;
  team_id: number;
  description: string;
  created_at: string;
}

export interface Team {
  id: number;
  name: string;
  description: string;
  member_ids: number[];
  created_at: string;
}

export interface TokenInfo {
  id: number;
  name: string;
  kind: string;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
}

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

// One entry of GET /api/v1/views: a saved filter of the agent workspace with its count.
export interface View {
  id: string;
  name: string;
  count: number;
  query: Record<string, string>;
}
