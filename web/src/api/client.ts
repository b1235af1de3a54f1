/**
 * The typed HTTP client. `paths` is generated from the server's OpenAPI document
 * (`npm run gen:api`), so every call is checked against the real routes, parameters
 * and bodies:
 *
 * ```ts
 * const { api } = useServices();
 * const menu = await unwrap(api.GET("/api/v1/restaurants/{restaurant_id}/menu", {
 *   params: { path: { restaurant_id: rid } },
 * }));
 * ```
 *
 * {@link createApiClient} adds `Authorization: Bearer <access token>` to every request
 * and, when the server answers 401, refreshes the session once (shared by every request
 * that failed at the same time) and retries the request with the new token. When the
 * refresh fails the session is signed out and the 401 is returned as is.
 */
import createClient, { type Client, type Middleware } from "openapi-fetch";

import { ApiError, toApiError } from "./errors";
import type { paths } from "./schema";

export type ApiClient = Client<paths>;

/** What the auth middleware needs from the session (see `AuthSession`). */
export interface TokenSource {
  /** The current access token, or null when signed out. */
  accessToken(): string | null;
  /**
   * Renew the session after `staleToken` was refused. Resolves to the new access token,
   * or null when the session could not be renewed (then it is signed out, unless the
   * server could not be reached). Concurrent calls share one refresh.
   */
  refresh(staleToken: string | null): Promise<string | null>;
}

export interface ClientOptions {
  /** Origin of the Brigade server; default: the page's own origin. */
  baseUrl?: string;
  /** The fetch to use; default: `globalThis.fetch` looked up at each call (so tests can stub it). */
  fetch?: (request: Request) => Promise<Response>;
}

/** Paths that must never carry a bearer token nor trigger a refresh. */
const NO_AUTH_PATHS = new Set(["/api/v1/auth/login", "/api/v1/auth/refresh", "/api/v1/auth/logout"]);

function defaultBaseUrl(): string {
  return typeof window !== "undefined" && window.location ? window.location.origin : "";
}

/** A client without the auth middleware: for login, refresh, logout and the guest menu. */
export function createPublicClient(options: ClientOptions = {}): ApiClient {
  const fetchImpl = options.fetch ?? ((request: Request) => globalThis.fetch(request));
  return createClient<paths>({ baseUrl: options.baseUrl ?? defaultBaseUrl(), fetch: fetchImpl });
}

/**
 * The middleware that authenticates requests with `tokens` and retries once after a
 * refresh when the server answers 401.
 */
export function authMiddleware(tokens: TokenSource): Middleware {
  // A copy of each request's body, taken before it is sent, to retry it after a refresh.
  const pending = new Map<string, { copy: Request; token: string | null }>();
  return {
    onRequest({ request, schemaPath, id }) {
      if (NO_AUTH_PATHS.has(schemaPath)) return undefined;
      const token = tokens.accessToken();
      if (token !== null && !request.headers.has("Authorization")) {
        request.headers.set("Authorization", `Bearer ${token}`);
      }
      pending.set(id, { copy: request.clone(), token });
      return request;
    },
    async onResponse({ response, id, options }) {
      const entry = pending.get(id);
      pending.delete(id);
      if (entry === undefined || response.status !== 401 || entry.token === null) return undefined;
      const fresh = await tokens.refresh(entry.token);
      if (fresh === null) return undefined;
      const retry = entry.copy;
      retry.headers.set("Authorization", `Bearer ${fresh}`);
      return options.fetch(retry);
    },
    onError({ id }) {
      pending.delete(id);
      return undefined;
    },
  };
}

/** The authenticated client of a session (see the module documentation). */
export function createApiClient(tokens: TokenSource, options: ClientOptions = {}): ApiClient {
  const client = createPublicClient(options);
  client.use(authMiddleware(tokens));
  return client;
}

/** What an openapi-fetch call resolves to. */
interface FetchResult<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/**
 * Await an openapi-fetch call and return its data, or throw an {@link ApiError}: the
 * problem+json body of a failed response, or `network-error` (status 0) when the server
 * could not be reached. An aborted request (a cancelled query) rethrows the abort.
 */
export async function unwrap<T>(call: Promise<FetchResult<T>>): Promise<T> {
  let result: FetchResult<T>;
  try {
    result = await call;
  } catch (error) {
    if (error instanceof DOMException && error.name === "AbortError") throw error;
    if (error instanceof ApiError) throw error;
    throw ApiError.network(error);
  }
  if (!result.response.ok) throw toApiError(result.error, result.response);
  return result.data as T;
}
