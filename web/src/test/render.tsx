/**
 * Render the real app (its routes, guards and providers) at `path` for a component
 * test, with a fake server, a fake socket and in-memory storage. Returns the
 * services so a test can look at the session and the query cache.
 */
import { render, type RenderResult } from "@testing-library/react";
import { RouterProvider, createMemoryRouter, type RouteObject } from "react-router";

import { STORAGE_KEY, type Tokens } from "../auth/tokens";
import { routes as appRoutes } from "../routes";
import { ServicesProvider, createServices, type Services } from "../services";
import type { FakeServer } from "./fakeServer";
import { fakeSocketFactory } from "./fakeSocket";

export interface RenderAppOptions {
  path: string;
  server: FakeServer;
  /** Start signed in with these tokens. */
  tokens?: Tokens;
  routes?: RouteObject[];
}

export function renderApp({ path, server, tokens, routes = appRoutes }: RenderAppOptions): RenderResult & {
  services: Services;
  router: ReturnType<typeof createMemoryRouter>;
  sockets: ReturnType<typeof fakeSocketFactory>["sockets"];
} {
  if (tokens) window.localStorage.setItem(STORAGE_KEY, JSON.stringify(tokens));
  const socketFactory = fakeSocketFactory();
  const services = createServices({
    fetch: server.fetch,
    baseUrl: "http://brigade.test",
    socketFactory,
    locks: null,
  });
  services.queryClient.setDefaultOptions({ queries: { retry: false, staleTime: Infinity } });
  const router = createMemoryRouter(routes, { initialEntries: [path] });
  const result = render(
    <ServicesProvider services={services}>
      <RouterProvider router={router} />
    </ServicesProvider>,
  );
  return { ...result, services, router, sockets: socketFactory.sockets };
}

/** Tokens that expire in 15 minutes. */
export function signedInTokens(accessToken = "access-0"): Tokens {
  return { accessToken, refreshToken: `refresh-of-${accessToken}`, expiresAt: Date.now() + 15 * 60_000 };
}
