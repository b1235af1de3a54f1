/**
 * The restaurant a `/r/:restaurantId/...` page works in and the caller's role there,
 * from `GET /auth/me`. `useRestaurantScope()` gives screens `{restaurantId, role, name}`.
 */
import { useQuery } from "@tanstack/react-query";
import { createContext, useContext } from "react";

import { restaurantQuery } from "../api/queries";
import { useServices } from "../services";
import type { Role } from "./roles";

export interface RestaurantScope {
  restaurantId: number;
  role: Role;
  /** The restaurant's name (from the membership, or fetched for a platform admin). */
  name: string;
}

export const RestaurantScopeContext = createContext<RestaurantScope | null>(null);

/** The surrounding restaurant scope; throws outside `/r/:restaurantId/...`. */
export function useRestaurantScope(): RestaurantScope {
  const scope = useContext(RestaurantScopeContext);
  if (scope === null) throw new Error("useRestaurantScope() outside a /r/:restaurantId route");
  return scope;
}

/** The restaurant's name: the membership's, else `GET /restaurants/{id}` (platform admin). */
export function useRestaurantName(restaurantId: number, membershipName: string | undefined): string {
  const { api } = useServices();
  const query = useQuery({ ...restaurantQuery(api, restaurantId), enabled: membershipName === undefined });
  return membershipName ?? query.data?.name ?? `Restaurant ${restaurantId}`;
}
