/** React hooks of the session: the signed-in user, signing in and out. */
import { useQuery, type UseQueryResult } from "@tanstack/react-query";
import { useCallback } from "react";
import { useNavigate } from "react-router";

import { meQuery } from "../api/queries";
import { useServices, useSignedIn } from "../services";
import { homePath } from "./roles";
import type { MeRead } from "./types";

/** `GET /auth/me` while signed in: the user and their restaurants with role. */
export function useMe(): UseQueryResult<MeRead> {
  const { api } = useServices();
  const signedIn = useSignedIn();
  return useQuery({ ...meQuery(api), enabled: signedIn });
}

/**
 * Sign in and open the screen of the caller's role (or `next`, a path inside the app).
 * Rejects with the `ApiError` of the login (401 `invalid-credentials`, 429, 422, network).
 */
export function useSignIn(): (username: string, password: string, next?: string | null) => Promise<void> {
  const { auth, api, queryClient } = useServices();
  const navigate = useNavigate();
  return useCallback(
    async (username, password, next) => {
      await auth.signIn(username, password);
      const me = await queryClient.fetchQuery(meQuery(api));
      const target = next && next.startsWith("/") && !next.startsWith("//") && next !== "/login" ? next : homePath(me);
      await navigate(target, { replace: true });
    },
    [auth, api, queryClient, navigate],
  );
}

/** Sign out (ends the login on the server, clears the cache) and show the sign-in page. */
export function useSignOut(): () => Promise<void> {
  const { auth } = useServices();
  const navigate = useNavigate();
  return useCallback(async () => {
    await auth.signOut();
    await navigate("/login", { replace: true });
  }, [auth, navigate]);
}
