// Data hooks shared by the agent workspace pages. Keys come from api/keys.ts so
// the live stream's invalidations reach them.
import { useQuery } from "@tanstack/react-query";
import { get } from "../api/client";
import { keys } from "../api/keys";
import type { Page, Queue, User, View } from "../api/types";

export const PAGE_SIZE = 50;
export const OPEN_STATUSES = "new,open,pending,on_hold";

// Staff may list users. The pickers need only staff, so the three staff roles
// are fetched in parallel (a desk has thousands of requesters and a few dozen
// agents); a role with more than one page follows its cursor.
async function fetchRole(role: "agent" | "lead" | "admin"): Promise<User[]> {
  const users: User[] = [];
  let cursor: string | null | undefined;
  do {
    const page: Page<User> = await get<Page<User>>("/users", { limit: 200, role, cursor: cursor ?? undefined });
    users.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor);
  return users;
}

async function fetchUsers(): Promise<User[]> {
  const roles = await Promise.all((["agent", "lead", "admin"] as const).map(fetchRole));
  return roles.flat();
}

export function useUsers() {
  return useQuery({ queryKey: keys.users, queryFn: fetchUsers, staleTime: 5 * 60_000 });
}

export function assignable(users: User[] | undefined): User[] {
  return (users ?? [])
    .filter((u) => u.role !== "requester" && u.is_active)
    .sort((a, b) => a.display_name.localeCompare(b.display_name));
}

export function useQueues() {
  return useQuery({
    queryKey: keys.queues,
    queryFn: async () => {
      const page = await get<Page<Queue> | Queue[]>("/queues");
      const items = Array.isArray(page) ? page : page.items;
      return [...items].sort((a, b) => a.name.localeCompare(b.name));
    },
    staleTime: 5 * 60_000,
  });
}

export function useViews() {
  return useQuery({
    queryKey: keys.views,
    queryFn: async () => (await get<Page<View>>("/views")).items,
    retry: false,
  });
}

// Used when GET /views fails: the same standard views without counts.
export function fallbackViews(queues: Queue[] | undefined): View[] {
  const views: View[] = [
    { id: "mine", name: "My open tickets", count: -1, query: { assignee: "me", status: OPEN_STATUSES } },
    { id: "unassigned", name: "Unassigned", count: -1, query: { assignee: "none", status: OPEN_STATUSES } },
    { id: "all_open", name: "All open", count: -1, query: { status: OPEN_STATUSES } },
    { id: "pending", name: "Pending", count: -1, query: { status: "pending" } },
    {
      id: "breaching_soon",
      name: "Breaching soon",
      count: -1,
      query: { status: OPEN_STATUSES, sla: "at_risk", sort: "sla_due_at" },
    },
  ];
  for (const q of queues ?? []) {
    views.push({ id: `queue:${q.name}`, name: q.name, count: -1, query: { queue: q.name, status: OPEN_STATUSES } });
  }
  return views;
}
