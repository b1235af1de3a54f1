/**
 * Which screens each role opens, and where a role lands after signing in. The server
 * checks every permission again; this table only decides what the web app offers
 * (mirrors `ROLE_PERMISSIONS` in `src/brigade/auth/permissions.py`).
 */
import type { MeRead, MembershipRead } from "./types";

/** A member's role in one restaurant, plus `admin` for the platform admin who is not a member. */
export type Role = "owner" | "manager" | "waiter" | "kitchen" | "cashier" | "admin";

/** The screens behind a sign-in. */
export type Screen = "floor" | "orderPad" | "kitchen" | "till" | "dashboard" | "admin";

const ROLES: readonly Role[] = ["owner", "manager", "waiter", "kitchen", "cashier", "admin"];

export const SCREEN_ROLES: Readonly<Record<Screen, readonly Role[]>> = {
  floor: ["owner", "manager", "waiter", "cashier", "admin"],
  orderPad: ["owner", "manager", "waiter", "cashier", "admin"],
  kitchen: ["owner", "manager", "kitchen", "admin"],
  till: ["owner", "manager", "cashier", "admin"],
  dashboard: ["owner", "manager", "admin"],
  admin: ["owner", "manager", "admin"],
};

/** The screen each role opens first. */
export const LANDING_SCREEN: Readonly<Record<Role, Screen>> = {
  owner: "floor",
  manager: "floor",
  waiter: "floor",
  kitchen: "kitchen",
  cashier: "till",
  admin: "floor",
};

/** The label of each screen in the nav bar. */
export const SCREEN_LABELS: Readonly<Record<Screen, string>> = {
  floor: "Floor",
  orderPad: "Order",
  kitchen: "Kitchen",
  till: "Till",
  dashboard: "Dashboard",
  admin: "Admin",
};

/** Whether `value` is a role the web app knows (the server sends it as a string). */
export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

/** Whether `role` may open `screen`. */
export function canOpen(role: Role | null, screen: Screen): boolean {
  return role !== null && SCREEN_ROLES[screen].includes(role);
}

/** The path of `screen` in restaurant `restaurantId` (the order pad needs `orderId`). */
export function screenPath(restaurantId: number, screen: Exclude<Screen, "orderPad">): string {
  const base = `/r/${restaurantId}`;
  switch (screen) {
    case "floor":
      return `${base}/floor`;
    case "kitchen":
      return `${base}/kitchen`;
    case "till":
      return `${base}/till`;
    case "dashboard":
      return `${base}/dashboard`;
    case "admin":
      return `${base}/admin/menu`;
  }
}

/** Where `role` lands in restaurant `restaurantId`: waiter → floor, kitchen → kitchen display, cashier → till, owner/manager/admin → floor. */
export function landingPath(role: Role, restaurantId: number): string {
  const screen = LANDING_SCREEN[role];
  return screenPath(restaurantId, screen === "orderPad" ? "floor" : screen);
}

/**
 * The caller's role in `restaurantId`: their membership's role, `admin` for a platform
 * admin who is not a member, null when they have no access (or an unknown role).
 */
export function roleIn(me: MeRead, restaurantId: number): Role | null {
  const membership = me.memberships.find((m) => m.restaurant_id === restaurantId);
  if (membership !== undefined) return isRole(membership.role) ? membership.role : null;
  return me.is_admin ? "admin" : null;
}

/** The membership of `restaurantId`, if the caller is a member. */
export function membershipOf(me: MeRead, restaurantId: number): MembershipRead | undefined {
  return me.memberships.find((m) => m.restaurant_id === restaurantId);
}

/**
 * Where to go after signing in (or when opening `/`): the landing screen of the only
 * restaurant; the restaurant picker (`/restaurants`) for a platform admin or a member of
 * several; `/no-restaurant` for a user without any.
 */
export function homePath(me: MeRead): string {
  const only = me.memberships.length === 1 ? me.memberships[0] : undefined;
  if (!me.is_admin && only !== undefined) {
    const role = isRole(only.role) ? only.role : null;
    if (role !== null) return landingPath(role, only.restaurant_id);
  }
  if (me.is_admin || me.memberships.length > 1) return "/restaurants";
  return "/no-restaurant";
}
