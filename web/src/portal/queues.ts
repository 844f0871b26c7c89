// GET /queues, shown to requesters as "Component". Shared by the portal pages
// and the admin Queues page (same cache entry).
import { useQuery } from "@tanstack/react-query";
import { get } from "../api/client";
import { keys } from "../api/keys";
import type { Page, Queue } from "../api/types";

export function useQueues() {
  return useQuery({
    queryKey: keys.queues,
    queryFn: async () => (await get<Page<Queue>>("/queues")).items,
    staleTime: 5 * 60_000,
  });
}
