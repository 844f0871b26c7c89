// React Query keys. Live updates invalidate by these prefixes, so every page
// must build its keys here.
export const keys = {
  ticket: (id: number) => ["ticket", id] as const,
  comments: (id: number) => ["comments", id] as const,
  events: (id: number) => ["events", id] as const,
  // Every ticket list (workspace, portal) starts with "tickets".
  tickets: (params: Record<string, unknown>) => ["tickets", params] as const,
  allTickets: ["tickets"] as const,
  views: ["views"] as const,
  users: ["users"] as const,
  queues: ["queues"] as const,
  teams: ["teams"] as const,
  tokens: ["tokens"] as const,
  // A ticket's SLA clocks; refreshed with the ticket.
  sla: (id: number) => ["sla", id] as const,
  calendars: ["calendars"] as const,
  slaPolicies: ["sla-policies"] as const,
  // Every on-call query (schedules, shifts, who is on call) starts with "oncall".
  oncall: ["oncall"] as const,
  schedules: ["oncall", "schedules"] as const,
  shifts: (id: number, from: string, to: string) => ["oncall", "shifts", id, from, to] as const,
  onCallNow: (id: number) => ["oncall", "now", id] as const,
  escalationPolicies: ["oncall", "escalation-policies"] as const,
  teamOnCall: (teamId: number) => ["oncall", "team", teamId] as const,
  // Every escalation query starts with "escalations".
  escalations: ["escalations"] as const,
  // A ticket's escalations; refreshed with the ticket.
  ticketEscalations: (id: number) => ["escalations", "ticket", id] as const,
  escalationList: (state: string) => ["escalations", "list", state] as const,
};
