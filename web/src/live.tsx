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
}

const LiveContext = createContext<LiveState>({ connected: false, presence: new Map(), lastChange: null });

export function LiveProvider({ children }: { children: ReactNode }) {
  const client = useQueryClient();
  const [connected, setConnected] = useState(false);
  const [presence, setPresence] = useState<Map<number, Viewer[]>>(new Map());
  const [lastChange, setLastChange] = useState<TicketChange | null>(null);
  const listTimer = useRef<number | null>(null);

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
      setPresence((old) => {
        const next = new Map(old);
        next.set(data.ticket_id, data.viewers);
        return next;
      });
    });
    // A reconnect may have missed events: refetch what is on screen.
    source.addEventListener("hello", () => client.invalidateQueries());
    return () => {
      source.close();
      if (listTimer.current !== null) window.clearTimeout(listTimer.current);
    };
  }, [client]);

  return <LiveContext.Provider value={{ connected, presence, lastChange }}>{children}</LiveContext.Provider>;
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
  const { presence } = useLive();
  const lastTyping = useRef(0);
  const staff = isStaff(user);

  useEffect(() => {
    if (!staff || !ticketId) return;
    const path = `/tickets/${ticketId}/presence`;
    const announce = () => api("PUT", path, { state: "viewing" }).catch(() => undefined);
    announce();
    const timer = window.setInterval(announce, HEARTBEAT_MS);
    return () => {
      window.clearInterval(timer);
      api("DELETE", path).catch(() => undefined);
    };
  }, [ticketId, staff]);

  const typing = useCallback(() => {
    if (!staff) return;
    const now = Date.now();
    if (now - lastTyping.current < TYPING_THROTTLE_MS) return;
    lastTyping.current = now;
    api("PUT", `/tickets/${ticketId}/presence`, { state: "typing" }).catch(() => undefined);
  }, [ticketId, staff]);

  const others = (presence.get(ticketId) ?? []).filter((v) => v.user_id !== user?.id);
  return { others, typing };
}
