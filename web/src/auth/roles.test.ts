import { describe, expect, it } from "vitest";

import { canOpen, homePath, landingPath, roleIn } from "./roles";
import type { MeRead } from "./types";

function me(memberships: MeRead["memberships"], isAdmin = false): MeRead {
  return { id: 1, username: "u", full_name: "U", is_admin: isAdmin, memberships };
}

describe("landing route by role", () => {
  it.each([
    ["waiter", "/r/3/floor"],
    ["kitchen", "/r/3/kitchen"],
    ["cashier", "/r/3/till"],
    ["owner", "/r/3/floor"],
    ["manager", "/r/3/floor"],
  ] as const)("%s lands on %s", (role, path) => {
    expect(landingPath(role, 3)).toBe(path);
    expect(homePath(me([{ restaurant_id: 3, restaurant_name: "Pizza", role }]))).toBe(path);
  });

  it("sends a platform admin and a member of several restaurants to the picker", () => {
    expect(homePath(me([], true))).toBe("/restaurants");
    expect(
      homePath(
        me([
          { restaurant_id: 1, restaurant_name: "A", role: "waiter" },
          { restaurant_id: 2, restaurant_name: "B", role: "owner" },
        ]),
      ),
    ).toBe("/restaurants");
  });

  it("tells a user without a restaurant so", () => {
    expect(homePath(me([]))).toBe("/no-restaurant");
  });
});

describe("screen access", () => {
  it("keeps waiters, kitchen and cashiers out of admin", () => {
    for (const role of ["waiter", "kitchen", "cashier"] as const) expect(canOpen(role, "admin")).toBe(false);
    for (const role of ["owner", "manager", "admin"] as const) expect(canOpen(role, "admin")).toBe(true);
  });

  it("gives the kitchen only the kitchen display", () => {
    expect(canOpen("kitchen", "kitchen")).toBe(true);
    expect(canOpen("kitchen", "floor")).toBe(false);
    expect(canOpen("kitchen", "till")).toBe(false);
    expect(canOpen("kitchen", "orderPad")).toBe(false);
  });

  it("treats a platform admin who is not a member as admin, and a stranger as nobody", () => {
    const member = me([{ restaurant_id: 1, restaurant_name: "A", role: "cashier" }]);
    expect(roleIn(member, 1)).toBe("cashier");
    expect(roleIn(member, 2)).toBeNull();
    expect(roleIn(me([], true), 2)).toBe("admin");
    expect(canOpen(null, "floor")).toBe(false);
  });
});
