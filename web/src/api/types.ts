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
  // The requester's group (department, organisation): one word of letters,
  // digits, '-', '_' and '.'; SLA policies may match on it. Null: none.
  group: string | null;
  // An agent who publishes and edits published knowledge base articles as leads do.
  kb_editor?: boolean;
  // A senior specialist: paged with the leads when a ticket is escalated to L2.
  senior?: boolean;
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
  // The nearest due and warning instants of the ticket's running SLA clocks.
  // Null for requesters and while no clock runs (no policy, paused, met);
  // optional so fixtures written before the field existed still type-check.
  sla_due_at?: string | null;
  sla_warn_at?: string | null;
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

// --- SLA (docs/SLA.md) ---

export type Weekday = "mon" | "tue" | "wed" | "thu" | "fri" | "sat" | "sun";
export const WEEKDAYS: Weekday[] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

export interface Interval {
  start: string; // HH:MM
  end: string;
}

export interface Holiday {
  date: string; // YYYY-MM-DD
  recurring?: boolean;
  name?: string;
}

export interface Calendar {
  id: number;
  name: string;
  time_zone: string;
  hours: Partial<Record<Weekday, Interval[]>>;
  holidays: Holiday[];
  created_at: string;
  updated_at: string;
}

export type SlaKind = "first_response" | "next_response" | "resolution";
export const SLA_KINDS: SlaKind[] = ["first_response", "next_response", "resolution"];

export interface SlaPolicy {
  id: number;
  name: string;
  position: number;
  calendar_id: number;
  conditions: { priorities?: Priority[]; queue_ids?: number[]; tags?: string[]; requester_groups?: string[] };
  targets: Partial<Record<SlaKind, number | null>>;
  pause_on: Status[];
  warn_at_percent: number;
  created_at: string;
  updated_at: string;
}

export interface SlaTarget {
  kind: SlaKind;
  target_minutes: number;
  state: "running" | "paused" | "met" | "breached";
  due_at: string | null;
  warn_at: string | null;
  warning: boolean;
  remaining_minutes: number;
  met_at: string | null;
  breached_at: string | null;
}

export interface TicketSla {
  ticket_id: number;
  policy: { id: number; name: string } | null;
  targets: SlaTarget[];
}

// --- On-call (docs/ONCALL.md) ---

export type Rotation = "daily" | "weekly" | "custom";

export interface Layer {
  name?: string;
  participant_ids: number[];
  rotation: Rotation;
  rotation_hours?: number;
  start_date: string; // YYYY-MM-DD
  handoff_time: string; // HH:MM
}

export interface ScheduleOverride {
  id: number;
  schedule_id: number;
  user_id: number;
  start_at: string;
  end_at: string;
  created_by: number | null;
  created_at: string;
}

export interface Schedule {
  id: number;
  team_id: number;
  name: string;
  description: string;
  time_zone: string;
  layers: Layer[];
  overrides: ScheduleOverride[];
  version: number;
  created_at: string;
  updated_at: string;
}

export interface Shift {
  user_id: number;
  start_at: string;
  end_at: string;
}

export interface OnCall {
  schedule_id: number;
  at: string;
  user_id: number | null;
  until: string | null;
}

export type EscalationTargetType = "user" | "schedule" | "team_on_call";

export interface EscalationTarget {
  type: EscalationTargetType;
  id: number;
}

export interface EscalationLevel {
  targets: EscalationTarget[];
  ack_timeout_minutes: number;
}

export interface EscalationPolicy {
  id: number;
  team_id: number;
  name: string;
  description: string;
  levels: EscalationLevel[];
  repeat: number;
  notify_lead_when_exhausted: boolean;
  queue_ids: number[];
  created_at: string;
  updated_at: string;
}

export interface TeamOnCall {
  team_id: number;
  at: string;
  schedules: { schedule_id: number; schedule_name: string; user_id: number | null; until: string | null }[];
}

// --- Escalations (docs/ESCALATION.md) ---

export type Severity = "sev1" | "sev2" | "sev3" | "sev4";
export const SEVERITIES: Severity[] = ["sev1", "sev2", "sev3", "sev4"];
export type EscalationTier = "engineering" | "l2";
export type EscalationState = "triggered" | "acknowledged" | "unacknowledged" | "resolved" | "cancelled";
export const ESCALATION_STATES: EscalationState[] = ["triggered", "acknowledged", "unacknowledged", "resolved", "cancelled"];

export interface Escalation {
  id: number;
  ticket_id: number;
  policy_id: number | null;
  tier: EscalationTier;
  severity: Severity;
  reason: string;
  state: EscalationState;
  open: boolean;
  level: number; // 0-based policy level
  step: number;
  created_by: number | null;
  created_at: string;
  updated_at: string;
  acknowledged_by: number | null;
  acknowledged_at: string | null;
  resolved_by: number | null;
  resolved_at: string | null;
  cancelled_by: number | null;
  cancelled_at: string | null;
}
