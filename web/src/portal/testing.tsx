// Test helpers for the portal, admin and page tests: a fake API behind a
// stubbed fetch, and a render that wraps a page in React Query, a memory
// router and the real AuthProvider.
import type { ReactElement } from "react";
import { render } from "@testing-library/react";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { MemoryRouter, Route, Routes, useLocation } from "react-router";
import { vi } from "vitest";
import { AuthProvider } from "../auth";
import type { User } from "../api/types";

export interface ApiCall {
  method: string;
  path: string; // without /api/v1 and without the query
  query: URLSearchParams;
  body: unknown;
  headers: Record<string, string>;
}

export interface Reply {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type Handler = Reply | ((call: ApiCall) => Reply | Promise<Reply>);

export const apiError = (status: number, code: string, message: string, fields?: Record<string, string>): Reply => ({
  status,
  body: { error: { code, message, ...(fields ? { fields } : {}), request_id: "r-test" } },
});

export function makeUser(over: Partial<User> = {}): User {
  return {
    id: 9,
    email: "priya@example.com",
    display_name: "Priya Patel",
    role: "requester",
    is_active: true,
    time_zone: "UTC",
    group: null,
    created_at: "2026-10-01T10:00:00Z",
    updated_at: "2026-10-01T10:00:00Z",
    ...over,
  };
}

// Routes are "METHOD /path" (path after /api/v1, no query). `me` answers
// GET /me unless a route overrides it (null: signed out, 401).
export function mockApi(routes: Record<string, Handler>, me: User | null = makeUser()) {
  const calls: ApiCall[] = [];
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(String(input), "http://localhost");
    const method = (init?.method ?? "GET").toUpperCase();
    const path = url.pathname.replace(/^\/api\/v1/, "");
    let body: unknown = undefined;
    if (typeof init?.body === "string") body = JSON.parse(init.body);
    const call: ApiCall = { method, path, query: url.searchParams, body, headers: { ...(init?.headers as Record<string, string>) } };
    calls.push(call);
    let handler = routes[`${method} ${path}`];
    if (!handler && method === "GET" && path === "/me") {
      handler = me ? { body: me } : apiError(401, "unauthenticated", "not signed in");
    }
    if (!handler) handler = apiError(404, "not_found", `no mock for ${method} ${path}`);
    const reply = typeof handler === "function" ? await handler(call) : handler;
    const status = reply.status ?? 200;
    const text = reply.body === undefined ? "" : JSON.stringify(reply.body);
    return {
      ok: status >= 200 && status < 300,
      status,
      statusText: String(status),
      headers: new Headers(reply.headers ?? {}),
      text: async () => text,
      json: async () => JSON.parse(text),
    } as unknown as Response;
  });
  vi.stubGlobal("fetch", fetchMock);
  return {
    calls,
    fetchMock,
    // The calls to METHOD PATH, in order.
    find: (method: string, path: string) => calls.filter((c) => c.method === method && c.path === path),
  };
}

function LocationProbe() {
  const location = useLocation();
  return <div data-testid="location">{location.pathname + location.search}</div>;
}

// Renders `ui` at `path` (a route pattern) with the browser at `url`. Any other
// URL renders a probe showing where the app navigated to.
export function renderPage(ui: ReactElement, { path, url }: { path: string; url: string }) {
  const client = new QueryClient({
    defaultOptions: { queries: { retry: false, staleTime: Infinity }, mutations: { retry: false } },
  });
  const result = render(
    <QueryClientProvider client={client}>
      <MemoryRouter initialEntries={[url]}>
        <AuthProvider>
          <Routes>
            <Route path={path} element={ui} />
            <Route path="*" element={<LocationProbe />} />
          </Routes>
        </AuthProvider>
      </MemoryRouter>
    </QueryClientProvider>,
  );
  return { ...result, client };
}
