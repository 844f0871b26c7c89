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
};
