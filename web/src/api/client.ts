// A thin fetch wrapper for opsdesk's API.
//
// The session lives in the HttpOnly `opsdesk_session` cookie set by
// POST /api/v1/auth/login, so scripts never hold the token. The server refuses
// cookie-authenticated writes without X-Requested-With (a header a cross-site
// form cannot send), so every call sends it.

export interface ApiErrorBody {
  code: string;
  message: string;
  fields?: Record<string, string>;
  request_id?: string;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly fields: Record<string, string>;

  constructor(status: number, body: ApiErrorBody) {
    super(body.message);
    this.status = status;
    this.code = body.code;
    this.fields = body.fields ?? {};
  }
}

export type QueryParams = Record<string, string | number | undefined | null>;

export function withQuery(path: string, params?: QueryParams): string {
  if (!params) return path;
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== "") search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `${path}?${text}` : path;
}

export async function api<T>(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<T> {
  const init: RequestInit = {
    method,
    credentials: "same-origin",
    headers: { "X-Requested-With": "opsdesk-web", Accept: "application/json", ...headers },
  };
  if (body !== undefined) {
    (init.headers as Record<string, string>)["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const response = await fetch(`/api/v1${path}`, init);
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  let json: unknown = undefined;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    throw new ApiError(response.status, { code: "bad_response", message: `unexpected response (${response.status})` });
  }
  if (!response.ok) {
    const error = (json as { error?: ApiErrorBody } | undefined)?.error;
    throw new ApiError(response.status, error ?? { code: "http_" + response.status, message: response.statusText });
  }
  return json as T;
}

export const get = <T>(path: string, params?: QueryParams) => api<T>("GET", withQuery(path, params));
export const post = <T>(path: string, body?: unknown, headers?: Record<string, string>) =>
  api<T>("POST", path, body ?? {}, headers);
export const patch = <T>(path: string, body: unknown, headers?: Record<string, string>) =>
  api<T>("PATCH", path, body, headers);
export const del = <T>(path: string) => api<T>("DELETE", path);
