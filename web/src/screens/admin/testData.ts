/**
 * Test data of the admin and guest screen tests: a restaurant, a small menu, a floor,
 * staff and tokens in the API's shapes, and a fake server that answers them for an owner.
 */
import type { RestaurantRead } from "../../api/types";
import { fakeServer, json, me, type FakeServer, type Handler } from "../../test/fakeServer";
import type {
  AreaRead,
  ApiTokenRead,
  CategoryRead,
  GuestMenuRead,
  MenuItemRead,
  ModifierGroupRead,
  StaffMemberRead,
  TableRead,
} from "./adminApi";

export function restaurant(overrides: Partial<RestaurantRead> = {}): RestaurantRead {
  return {
    id: 1,
    name: "The Pizza Place",
    slug: "pizza",
    currency: "USD",
    time_zone: "America/New_York",
    tax_rate_bp: 825,
    tax_inclusive: false,
    service_charge_bp: 0,
    service_charge_min_covers: 0,
    service_charge_taxable: false,
    cash_rounding_unit: 1,
    discount_approval_bp: 2000,
    address: "",
    locale: "en_US",
    course_auto_fire_minutes: 0,
    void_reasons: [],
    quick_notes: [],
    opening_hours: [],
    station_prep_targets: {},
    features: { coursing: true, tips: true, loyalty: false, guest_ordering: false },
    ...overrides,
  };
}

export const categories: CategoryRead[] = [
  { id: 1, name: "Pizzas", position: 0 },
  { id: 2, name: "Drinks", position: 1 },
];

export function item(overrides: Partial<MenuItemRead> = {}): MenuItemRead {
  return {
    id: 10,
    category_id: 1,
    name: "Margherita",
    description: "Tomato, mozzarella, basil",
    ingredients: [],
    station: "oven",
    is_available: true,
    position: 0,
    modifier_group_ids: [100],
    variations: [
      { id: 11, item_id: 10, name: "Small", sku: "MAR-S", price: 1200, position: 0, is_available: true },
      { id: 12, item_id: 10, name: "Large", sku: "MAR-L", price: 2050, position: 1, is_available: true },
    ],
    ...overrides,
  };
}

export const groups: ModifierGroupRead[] = [
  {
    id: 100,
    name: "Extra toppings",
    min_choices: 0,
    max_choices: 3,
    position: 0,
    modifiers: [
      { id: 101, name: "Extra cheese", price_delta: 0, position: 0, is_available: true, kind: "add" },
      { id: 102, name: "Pepperoni", price_delta: 150, position: 1, is_available: true, kind: "add" },
    ],
  },
  {
    id: 200,
    name: "Crust",
    min_choices: 0,
    max_choices: 1,
    position: 1,
    modifiers: [{ id: 201, name: "Gluten-free", price_delta: 250, position: 0, is_available: true, kind: "add" }],
  },
];

export const areas: AreaRead[] = [
  { id: 1, name: "Dining room", position: 0 },
  { id: 2, name: "Terrace", position: 1 },
];

export function table(overrides: Partial<TableRead> = {}): TableRead {
  return {
    id: 1,
    area_id: 1,
    name: "1",
    seats: 4,
    status: "free",
    current_order_id: null,
    seated_at: null,
    version: 1,
    position: 0,
    waiter_id: null,
    plan_x: null,
    plan_y: null,
    plan_width: 80,
    plan_height: 80,
    shape: "square",
    ...overrides,
  };
}

export const staff: StaffMemberRead[] = [
  { user_id: 1, username: "owner", full_name: "Olga Owner", role: "owner", is_active: true, joined_at: "2026-01-01T10:00:00Z" },
  { user_id: 2, username: "waiter", full_name: "Walt Waiter", role: "waiter", is_active: true, joined_at: "2026-01-02T10:00:00Z" },
];

export function token(overrides: Partial<ApiTokenRead> = {}): ApiTokenRead {
  return {
    id: 5,
    restaurant_id: 1,
    name: "Kitchen screen",
    prefix: "brg_abcd",
    scopes: ["kitchen:read", "kitchen:bump"],
    created_by: 1,
    created_at: "2026-01-03T10:00:00Z",
    last_used_at: null,
    revoked_at: null,
    ...overrides,
  };
}

export function guestMenu(overrides: Partial<GuestMenuRead> = {}): GuestMenuRead {
  return {
    restaurant_id: 1,
    restaurant_name: "Chez Brigade",
    currency: "EUR",
    table: { id: 4, name: "4" },
    categories: [
      {
        id: 1,
        name: "Pizzas",
        position: 0,
        items: [
          {
            id: 10,
            name: "Margherita",
            description: "Tomato, mozzarella, basil",
            ingredients: [],
            station: "oven",
            is_available: true,
            position: 0,
            variations: [
              { id: 11, name: "Small", sku: "MAR-S", price: 1200, is_available: true },
              { id: 12, name: "Large", sku: "MAR-L", price: 2050, is_available: true },
            ],
            modifier_groups: [
              {
                id: 100,
                name: "Extra toppings",
                min_choices: 0,
                max_choices: 3,
                modifiers: [
                  { id: 101, name: "Extra cheese", label: "Extra cheese", price_delta: 0, is_available: true },
                  { id: 102, name: "Pepperoni", label: "Pepperoni", price_delta: 150, is_available: true },
                ],
              },
            ],
          },
          {
            id: 20,
            name: "Calzone",
            description: "",
            ingredients: [],
            station: "oven",
            is_available: false,
            position: 1,
            variations: [{ id: 21, name: "Regular", sku: "CAL", price: 1450, is_available: true }],
            modifier_groups: [],
          },
        ],
      },
    ],
    ...overrides,
  };
}

/** A fake server that knows an owner of restaurant 1 and its admin data; `extra` adds or replaces routes. */
export function adminServer(
  extra: Record<string, Handler> = {},
  { role = "owner", items = [item()] }: { role?: string; items?: MenuItemRead[] } = {},
): FakeServer {
  const base = "/api/v1/restaurants/1";
  return fakeServer({
    "GET /api/v1/auth/me": () => json(me(role)),
    [`GET ${base}`]: () => json(restaurant()),
    [`GET ${base}/menu/categories`]: () => json({ items: categories, total: categories.length }),
    [`GET ${base}/menu/items`]: () => json({ items, total: items.length }),
    [`GET ${base}/menu/modifier-groups`]: () => json({ items: groups, total: groups.length }),
    [`GET ${base}/areas`]: () => json({ items: areas, total: areas.length }),
    [`GET ${base}/staff`]: () => json({ items: staff, total: staff.length }),
    [`GET ${base}/api-tokens`]: () => json({ items: [token()], total: 1 }),
    ...extra,
  });
}
