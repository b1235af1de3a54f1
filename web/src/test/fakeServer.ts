/**
 * A fake Brigade HTTP server for component tests: answers `fetch` by
 * `"METHOD /path"` (path without the query), records every request.
 *
 * ```ts
 * const server = fakeServer({
 *   "POST /api/v1/auth/login": () => json(tokenPair()),
 *   "GET /api/v1/auth/me": () => json(me("waiter")),
 * });
 * const services = testServices({ fetch: server.fetch });
 * ```
 */
import type { MeRead, TokenPair } from "../api/types";

export type Handler = (request: Request) => Response | Promise<Response>;

export interface RecordedRequest {
  method: string;
  path: string;
  url: string;
  authorization: string | null;
  body: unknown;
}

export interface FakeServer {
  fetch: (request: Request) => Promise<Response>;
  requests: RecordedRequest[];
  /** Replace or add a route. */
  on(route: string, handler: Handler): void;
  /** The recorded requests of one route (`"POST /api/v1/auth/refresh"`). */
  calls(route: string): RecordedRequest[];
}

/** A JSON response. */
export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });
}

/** A problem+json response of Brigade's shape. */
export function problem(
  status: number,
  slug: string,
  title: string,
  extra: { detail?: string; errors?: { loc: (string | number)[]; msg: string; type?: string }[] } = {},
): Response {
  return new Response(
    JSON.stringify({ type: `https://brigade.dev/problems/${slug}`, title, status, ...extra }),
    { status, headers: { "content-type": "application/problem+json" } },
  );
}

let tokenCounter = 0;

/** A login/refresh answer with fresh, distinct tokens. */
export function tokenPair(expiresIn = 900): TokenPair {
  tokenCounter += 1;
  return {
    access_token: `access-${tokenCounter}`,
    refresh_token: `refresh-${tokenCounter}`,
    token_type: "bearer",
    expires_in: expiresIn,
    user: { id: 1, username: "user", full_name: "Test User", is_admin: false },
  };
}

/** `GET /auth/me` of a member of restaurant 1 with `role` (or a platform admin without memberships). */
export function me(role: string | null, restaurantName = "The Pizza Place"): MeRead {
  return {
    id: 1,
    username: role ?? "admin",
    full_name: role ? `Test ${role}` : "Platform Admin",
    is_admin: role === null,
    memberships: role ? [{ restaurant_id: 1, restaurant_name: restaurantName, role }] : [],
  };
}

export function fakeServer(routes: Record<string, Handler> = {}): FakeServer {
  const table = new Map(Object.entries(routes));
  const requests: RecordedRequest[] = [];
  return {
    requests,
    on(route, handler) {
      table.set(route, handler);
    },
    calls(route) {
      return requests.filter((r) => `${r.method} ${r.path}` === route);
    },
    async fetch(request) {
      const url = new URL(request.url);
      const text = request.body ? await request.clone().text() : "";
      let body: unknown = text;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        // not JSON: keep the text
      }
      requests.push({
        method: request.method,
        path: url.pathname,
        url: request.url,
        authorization: request.headers.get("authorization"),
        body,
      });
      const handler = table.get(`${request.method} ${url.pathname}`);
      if (!handler) return problem(404, "not-found", "Not found", { detail: `fake server: no ${request.method} ${url.pathname}` });
      return handler(request);
    },
  };
}
