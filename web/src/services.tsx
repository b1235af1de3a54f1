/**
 * The app's long-lived objects (session, API clients, query cache) and the React
 * context that hands them to components. `main.tsx` builds them once with
 * {@link createServices}; tests build their own with a fake `fetch` and storage.
 */
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { createContext, useContext, useEffect, useSyncExternalStore, type ReactNode } from "react";

import { createApiClient, createPublicClient, type ApiClient } from "./api/client";
import { ApiError } from "./api/errors";
import { AuthSession } from "./auth/session";
import { TokenStore } from "./auth/tokens";
import type { SocketFactory } from "./realtime/types";

export interface Services {
  auth: AuthSession;
  /** Authenticated client (bearer token, refresh on 401). */
  api: ApiClient;
  /** Client without credentials (guest menu). */
  publicApi: ApiClient;
  queryClient: QueryClient;
  /** Opens Socket.IO connections; undefined: socket.io-client. */
  socketFactory?: SocketFactory;
}

export interface ServicesOptions {
  storage?: Storage;
  fetch?: (request: Request) => Promise<Response>;
  baseUrl?: string;
  socketFactory?: SocketFactory;
  /** Cross-tab refresh lock; default `navigator.locks` when present (null: none). */
  locks?: LockManager | null;
}

/** Retry a failed query twice, except for client errors (4xx): those will not heal. */
function shouldRetry(failureCount: number, error: unknown): boolean {
  if (error instanceof ApiError && error.status >= 400 && error.status < 500) return false;
  return failureCount < 2;
}

/** A query cache with Brigade's defaults. */
export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: { retry: shouldRetry, staleTime: 10_000, refetchOnWindowFocus: true },
      mutations: { retry: false },
    },
  });
}

/** Build the services of one browser tab. */
export function createServices(options: ServicesOptions = {}): Services {
  const clientOptions = {
    ...(options.baseUrl !== undefined ? { baseUrl: options.baseUrl } : {}),
    ...(options.fetch !== undefined ? { fetch: options.fetch } : {}),
  };
  const publicApi = createPublicClient(clientOptions);
  const auth = new AuthSession({
    store: new TokenStore(options.storage ?? window.localStorage),
    publicApi,
    ...(options.locks !== undefined ? { locks: options.locks } : {}),
  });
  return {
    auth,
    api: createApiClient(auth, clientOptions),
    publicApi,
    queryClient: createQueryClient(),
    ...(options.socketFactory ? { socketFactory: options.socketFactory } : {}),
  };
}

const ServicesContext = createContext<Services | null>(null);

/**
 * Provide `services` and the query cache to `children`; while mounted it keeps the
 * session fresh (silent refresh) and clears every cached query when the session ends.
 */
export function ServicesProvider({ services, children }: { services: Services; children: ReactNode }) {
  const { auth, queryClient } = services;
  useEffect(() => auth.startSilentRefresh(), [auth]);
  useEffect(
    () =>
      auth.subscribe(() => {
        if (auth.tokens() === null) queryClient.clear();
      }),
    [auth, queryClient],
  );
  return (
    <ServicesContext.Provider value={services}>
      <QueryClientProvider client={queryClient}>{children}</QueryClientProvider>
    </ServicesContext.Provider>
  );
}

/** The services of the surrounding {@link ServicesProvider}. */
export function useServices(): Services {
  const services = useContext(ServicesContext);
  if (services === null) throw new Error("useServices() outside <ServicesProvider>");
  return services;
}

/** Whether the session holds tokens (re-renders on sign-in, sign-out, refresh failure). */
export function useSignedIn(): boolean {
  const { auth } = useServices();
  return useSyncExternalStore(
    (listener) => auth.subscribe(listener),
    () => auth.tokens() !== null,
  );
}
