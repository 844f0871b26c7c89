// Helpers shared by the admin/lead pages.
import { useQuery } from "@tanstack/react-query";
import { ApiError, get } from "../api/client";
import { keys } from "../api/keys";
import type { Page, Team, User } from "../api/types";

// Every user (GET /users pages through 200 at a time). Used for pickers and
// name look-ups; the Users page itself pages with "Load more".
export function useAllUsers(enabled = true) {
  return useQuery({
    queryKey: [...keys.users, "all"],
    enabled,
    queryFn: async () => {
      const all: User[] = [];
      let cursor: string | undefined;
      for (let i = 0; i < 100; i++) {
        const page = await get<Page<User>>("/users", { limit: 200, cursor });
        all.push(...page.items);
        if (!page.next_cursor) break;
        cursor = page.next_cursor;
      }
      return all;
    },
  });
}

export function useTeams() {
  return useQuery({
    queryKey: keys.teams,
    queryFn: async () => (await get<Page<Team>>("/teams")).items,
  });
}

// A 409 (name or e-mail taken) carries no `fields`; pin its message to the field
// it is about so it shows under that input like a 422 would.
export function asFieldError(error: unknown, field: string): unknown {
  if (error instanceof ApiError && error.status === 409 && !error.fields[field]) {
    return new ApiError(409, { code: error.code, message: error.message, fields: { ...error.fields, [field]: error.message } });
  }
  return error;
}

// Moved to components/Field; re-exported for the admin pages.
export { invalid } from "../components/Field";
