// Test helpers for the agent pages: a fetch mock that answers like the API,
// and a render with the real providers (AuthProvider asks GET /me).
import { render } from "@testing-library/react";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { MemoryRouter, Route, Routes, useLocation } from "react-router";
import { vi } from "vitest";
import type { ReactNode } from "react";
import type { Ticket, User } from "../api/types";
import { AuthProvider } from "../auth";
import { LiveProvider } from "../live";
import Workspace from "./Workspace";
import AgentTicket from "./AgentTicket";

export interface Call {
  method: string;
  path: string; // without /api/v1, with the query string
  url: URL;
  headers: Record<string, string>;
  body: unknown;
}

export type Handler = (call: Call) => { status?: number; body?: unknown } | undefined;

export function json(status: number, body: unknown): Response {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/json" },
  });
}

// Installs a fetch mock; `handler` answers a call or returns undefined for 404.
export function mockApi(handler: Handler) {
  const calls: Call[] = [];
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(String(input), "http://localhost");
    const call: Call = {
      method: (init?.method ?? "GET").toUpperCase(),
      path: url.pathname.replace(/^\/api\/v1/, "") + url.search,
      url,
      headers: (init?.headers ?? {}) as Record<string, string>,
      body: init?.body ? JSON.parse(String(init.body)) : undefined,
    };
    calls.push(call);
    const answer = handler(call);
    if (!answer) return json(404, { error: { code: "not_found", message: "not found" } });
    return json(answer.status ?? 200, answer.body);
  });
  vi.stubGlobal("fetch", fetchMock);
  return calls;
}

export const me: User = {
  id: 1,
  email: "alice@example.com",
  display_name: "Alice Agent",
  role: "agent",
  is_active: true,
  time_zone: "UTC",
  group: null,
  created_at: "2026-01-01T00:00:00Z",
  updated_at: "2026-01-01T00:00:00Z",
};

export const bob: User = { ...me, id: 2, email: "bob@example.com", display_name: "Bob Builder", role: "lead" };
export const carol: User = { ...me, id: 3, email: "carol@example.com", display_name: "Carol Customer", role: "requester" };

export function ticket(id: number, extra: Partial<Ticket> = {}): Ticket {
  return {
    id,
    subject: `Ticket number ${id}`,
    body: "It broke",
    body_html: "<p>It broke</p>",
    status: "open",
    priority: "normal",
    queue: { id: 1, name: "ingestion" },
    requester: { id: 3, email: carol.email, display_name: carol.display_name },
    assignee: null,
    tags: [],
    links: [],
    created_at: new Date(Date.now() - 3600_000).toISOString(),
    updated_at: new Date(Date.now() - 180_000).toISOString(),
    version: 1,
    ...extra,
  };
}

// Answers the calls every page makes (me, users, queues) before `handler`.
export function withBasics(handler: Handler): Handler {
  return (call) => {
    const answer = handler(call);
    if (answer) return answer;
    const { url } = call;
    const path = url.pathname.replace(/^\/api\/v1/, "");
    if (path === "/me") return { body: me };
    if (path === "/users") return { body: { items: [me, bob, carol], next_cursor: null } };
    if (path === "/queues") {
      return {
        body: {
          items: [
            { id: 1, name: "ingestion", team_id: 1, description: "", created_at: me.created_at },
            { id: 2, name: "billing", team_id: 1, description: "", created_at: me.created_at },
          ],
          next_cursor: null,
        },
      };
    }
    if (call.method === "PUT" || call.method === "DELETE") return { status: 204 };
    return undefined;
  };
}

function LocationProbe() {
  const location = useLocation();
  return <div data-testid="location">{location.pathname + location.search}</div>;
}

export function renderAgent(path: string, extra?: ReactNode) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } });
  const utils = render(
    <QueryClientProvider client={client}>
      <MemoryRouter initialEntries={[path]}>
        <AuthProvider>
          <LiveProvider>
            <Routes>
              <Route path="/agent/views/:viewId" element={<Workspace />} />
              <Route path="/agent/tickets/:id" element={<AgentTicket />} />
            </Routes>
            <LocationProbe />
            {extra}
          </LiveProvider>
        </AuthProvider>
      </MemoryRouter>
    </QueryClientProvider>,
  );
  return { ...utils, client };
}
