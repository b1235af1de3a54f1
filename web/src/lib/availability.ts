/**
 * 86 and counted items ("5 left"), shared by the kitchen display and the order pad.
 *
 * `PUT …/menu/items/{id}/availability` takes `is_available` and/or `remaining` (portions
 * left; null: not counted). Every order counts `remaining` down and the server 86s the
 * item at 0; raising the count brings it back. It needs `menu:availability` (owner,
 * manager, kitchen; the platform admin), mirrored by {@link may86}.
 */
import { unwrap, type ApiClient } from "../api/client";
import type { components } from "../api/schema";
import type { Role } from "../auth/roles";

type MenuItemRead = components["schemas"]["MenuItemRead"];

/** The roles holding `menu:availability` (mirrors `ROLE_PERMISSIONS` on the server). */
export const AVAILABILITY_ROLES: readonly Role[] = ["owner", "manager", "kitchen", "admin"];

/** Whether `role` may 86 an item or set its count. */
export function may86(role: Role | null): boolean {
  return role !== null && AVAILABILITY_ROLES.includes(role);
}

/** "5 left" for a counted item, "86'd" at 0, null when it is not counted. */
export function remainingText(remaining: number | null | undefined): string | null {
  if (remaining === null || remaining === undefined) return null;
  return remaining === 0 ? "86'd" : `${remaining} left`;
}

/** The body of the availability route: an 86 / un-86, a count, or both. */
export interface AvailabilityChange {
  is_available?: boolean;
  remaining?: number | null;
}

/**
 * Parse what was typed as a count: "" is "not counted" (null), a whole number 0…100000
 * is the count; anything else is `undefined` (refuse it before sending).
 */
export function parseCount(text: string): number | null | undefined {
  const trimmed = text.trim();
  if (trimmed === "") return null;
  if (!/^\d{1,6}$/.test(trimmed)) return undefined;
  const value = Number(trimmed);
  return value <= 100_000 ? value : undefined;
}

/** Send an availability change of item `itemId`; resolves to the item as it now is. */
export function putAvailability(api: ApiClient, restaurantId: number, itemId: number, change: AvailabilityChange): Promise<MenuItemRead> {
  return unwrap(
    api.PUT("/api/v1/restaurants/{restaurant_id}/menu/items/{item_id}/availability", {
      params: { path: { restaurant_id: restaurantId, item_id: itemId } },
      body: change,
    }),
  );
}
