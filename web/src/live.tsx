// Live updates and presence over Server-Sent Events.
//
// GET /api/v1/live streams `ticket` events (a ticket was created, changed or
// commented on) and `presence` events (who is viewing or typing on a ticket).
// The server sends each user only what they may see, so a requester's stream
// never mentions other people's tickets or internal notes. We do not patch
// caches from the event: we invalidate the affected queries and let them
// refetch through the normal, permission-checked endpoints.
import { createContext, useCallback, useContext, useEffect, useRef, useState, type ReactNode } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { api } from "./api/client";
import { keys } from "./api/keys";
import { isStaff, useAuth } from "./auth";

export interface TicketChange {
  ticket_id: number;
  kind: string; // created | updated | commented | merged
  actor_id: number;
  version: number;
}

export interface Viewer {
  user_id: number;
  display_name: string;
  state: "viewing" | "typing";
}

interface LiveState {
  connected: boolean;
  presence: Map<number, Viewer[]>;
  lastChange: TicketChange | null;
  // Counts stream (re)connections: presence is re-announced on each, since
  // events sent while the stream was down are not replayed.
  generation: number;
  setViewers: (ticketId: number, viewers: Viewer[]) => void;
}

const LiveContext = createContext<LiveState>({
  connected: false,
  presence: new Map(),
  lastChange: null,
  generation: 0,
  setViewers: () => undefined,
});

export function LiveProvider({ children }: { children: ReactNode }) {
  const client = useQueryClient();
  const [connected, setConnected] = useState(false);
  const [presence, setPresence] = useState<Map<number, Viewer[]>>(new Map());
  const [lastChange, setLastChange] = useState<TicketChange | null>(null);
  const [generation, setGeneration] = useState(0);
  const listTimer = useRef<number | null>(null);
  const setViewers = useCallback((ticketId: number, viewers: Viewer[]) => {
    setPresence((old) => {
      const next = new Map(old);
      next.set(ticketId, viewers);
      return next;
    });
  }, []);

  useEffect(() => {
    if (typeof EventSource === "undefined") return;
    const source = new EventSource("/api/v1/live", { withCredentials: true });
    source.onopen = () => setConnected(true);
    source.onerror = () => setConnected(false); // EventSource reconnects by itself
    source.addEventListener("ticket", (e) => {
      const change = JSON.parse((e as MessageEvent).data) as TicketChange;
      setLastChange(change);
      client.invalidateQueries({ queryKey: keys.ticket(change.ticket_id) });
      client.invalidateQueries({ queryKey: keys.comments(change.ticket_id) });
      client.invalidateQueries({ queryKey: keys.events(change.ticket_id) });
      client.invalidateQueries({ queryKey: keys.sla(change.ticket_id) });
      client.invalidateQueries({ queryKey: keys.ticketEscalations(change.ticket_id) });
      // Lists and counts: at most one refetch per 500 ms however busy the desk is.
      if (listTimer.current === null) {
        listTimer.current = window.setTimeout(() => {
          listTimer.current = null;
          client.invalidateQueries({ queryKey: keys.allTickets });
          client.invalidateQueries({ queryKey: keys.views });
        }, 500);
      }
    });
    source.addEventListener("presence", (e) => {
      const data = JSON.parse((e as MessageEvent).data) as { ticket_id: number; viewers: Viewer[] };
      setViewers(data.ticket_id, data.viewers);
    });
    // A (re)connect may have missed events: refetch what is on screen, and
    // let usePresence announce again to learn who is on its ticket.
    let connections = 0;
    source.addEventListener("hello", () => {
      if (connections++ > 0) client.invalidateQueries();
      setGeneration((g) => g + 1);
    });
    return () => {
      source.close();
      if (listTimer.current !== null) window.clearTimeout(listTimer.current);
    };
  }, [client, setViewers]);

  return (
    <LiveContext.Provider value={{ connected, presence, lastChange, generation, setViewers }}>
      {children}
    </LiveContext.Provider>
  );
}

export function useLive(): LiveState {
  return useContext(LiveContext);
}

const HEARTBEAT_MS = 10_000;
const TYPING_THROTTLE_MS = 3_000;

// Announces that the signed-in agent views ticket `ticketId` (heartbeat while
// mounted, gone on unmount) and returns the *other* people on it, plus a
// function to call on every keystroke in the reply box.
export function usePresence(ticketId: number): { others: Viewer[]; typing: () => void } {
  const { user } = useAuth();
  const { presence, generation, setViewers } = useLive();
  const lastTyping = useRef(0);
  const staff = isStaff(user);

  // The answer to each announcement lists who is on the ticket now, which
  // covers what the stream said before it was connected.
  const announce = useCallback(
    (state: "viewing" | "typing") =>
      api<{ items: Viewer[] }>("PUT", `/tickets/${ticketId}/presence`, { state })
        .then((r) => setViewers(ticketId, r.items))
        .catch(() => undefined),
    [ticketId, setViewers],
  );

  useEffect(() => {
    if (!staff || !ticketId) return;
    const path = `/api/v1/tickets/${ticketId}/presence`;
    announce("viewing");
    const timer = window.setInterval(() => announce("viewing"), HEARTBEAT_MS);
    // A reload or a closed tab never unmounts: say goodbye on pagehide, with
    // keepalive so the request outlives the page.
    const leave = () => {
      fetch(path, {
        method: "DELETE",
        credentials: "same-origin",
        keepalive: true,
        headers: { "X-Requested-With": "opsdesk-web" },
      }).catch(() => undefined);
    };
    window.addEventListener("pagehide", leave);
    return () => {
      window.clearInterval(timer);
      window.removeEventListener("pagehide", leave);
      api("DELETE", `/tickets/${ticketId}/presence`).catch(() => undefined);
    };
  }, [ticketId, staff, announce]);

  // Announce again whenever the stream (re)connects.
  useEffect(() => {
    if (staff && ticketId && generation > 0) announce("viewing");
  }, [generation, staff, ticketId, announce]);

  const typing = useCallback(() => {
    if (!staff) return;
    const now = Date.now();
    if (now - lastTyping.current < TYPING_THROTTLE_MS) return;
    lastTyping.current = now;
    announce("typing");
  }, [staff, announce]);

  const others = (presence.get(ticketId) ?? []).filter((v) => v.user_id !== user?.id);
  return { others, typing };
}
