/**
 * The admin screens' server data: query keys (under the shared factories of
 * `api/queries.ts`, so realtime events refresh them) and query options. Types come from
 * the generated OpenAPI schema.
 *
 * | key | holds | refreshed by |
 * | --- | --- | --- |
 * | `["r", rid, "menu", "categories"]` | `CategoryList` | every `menu.*` event |
 * | `["r", rid, "menu", "items"]` | `MenuItemList` (every item) | every `menu.*` event (86 included) |
 * | `["r", rid, "menu", "modifier-groups"]` | `ModifierGroupList` | every `menu.*` event |
 * | `["r", rid, "tables", "areas"]` | `AreaList` | `area.*` / `table.*` events |
 * | `["r", rid, "tables"]` | `TableList` (shared with the floor) | `table.*` events |
 * | `["r", rid, "staff"]`, `["r", rid, "api-tokens"]` | `StaffList`, `ApiTokenList` | `staff.*` events |
 */
import { queryOptions } from "@tanstack/react-query";

import type { ApiClient } from "../../api/client";
import { unwrap } from "../../api/client";
import { queryKeys } from "../../api/queries";
import type { components } from "../../api/schema";

type Schemas = components["schemas"];

export type CategoryRead = Schemas["CategoryRead"];
export type CategoryList = Schemas["CategoryList"];
export type MenuItemRead = Schemas["MenuItemRead"];
export type MenuItemList = Schemas["MenuItemList"];
export type MenuItemCreate = Schemas["MenuItemCreate"];
export type MenuItemUpdate = Schemas["MenuItemUpdate"];
export type VariationRead = Schemas["VariationRead"];
export type VariationCreate = Schemas["VariationCreate"];
export type ModifierGroupRead = Schemas["ModifierGroupRead"];
export type ModifierGroupList = Schemas["ModifierGroupList"];
export type ModifierCreate = Schemas["ModifierCreate"];
export type AreaRead = Schemas["AreaRead"];
export type AreaList = Schemas["AreaList"];
export type TableRead = Schemas["TableRead"];
export type StaffMemberRead = Schemas["StaffMemberRead"];
export type StaffCreate = Schemas["StaffCreate"];
export type StaffRole = Schemas["Role"];
export type ApiTokenRead = Schemas["ApiTokenRead"];
export type ApiTokenCreated = Schemas["ApiTokenCreated"];
export type RestaurantUpdate = Schemas["RestaurantUpdate"];
export type GuestMenuRead = Schemas["GuestMenuRead"];

export const adminKeys = {
  categories: (rid: number) => [...queryKeys.menu(rid), "categories"] as const,
  items: (rid: number) => [...queryKeys.menu(rid), "items"] as const,
  modifierGroups: (rid: number) => [...queryKeys.menu(rid), "modifier-groups"] as const,
  areas: (rid: number) => [...queryKeys.tables(rid), "areas"] as const,
};

const path = (rid: number) => ({ params: { path: { restaurant_id: rid } } });

/** `GET …/menu/categories`: the categories by position. */
export function categoriesQuery(api: ApiClient, rid: number) {
  return queryOptions({
    queryKey: adminKeys.categories(rid),
    queryFn: ({ signal }) => unwrap(api.GET("/api/v1/restaurants/{restaurant_id}/menu/categories", { ...path(rid), signal })),
  });
}

/** `GET …/menu/items`: every item with its variations and modifier group ids, by position. */
export function itemsQuery(api: ApiClient, rid: number) {
  return queryOptions({
    queryKey: adminKeys.items(rid),
    queryFn: ({ signal }) => unwrap(api.GET("/api/v1/restaurants/{restaurant_id}/menu/items", { ...path(rid), signal })),
  });
}

/** `GET …/menu/modifier-groups`: the groups with their modifiers, by position. */
export function modifierGroupsQuery(api: ApiClient, rid: number) {
  return queryOptions({
    queryKey: adminKeys.modifierGroups(rid),
    queryFn: ({ signal }) =>
      unwrap(api.GET("/api/v1/restaurants/{restaurant_id}/menu/modifier-groups", { ...path(rid), signal })),
  });
}

/** `GET …/areas`: the floor areas by position. */
export function areasQuery(api: ApiClient, rid: number) {
  return queryOptions({
    queryKey: adminKeys.areas(rid),
    queryFn: ({ signal }) => unwrap(api.GET("/api/v1/restaurants/{restaurant_id}/areas", { ...path(rid), signal })),
  });
}

/** `GET …/staff`: the members and their roles, by username. */
export function staffQuery(api: ApiClient, rid: number) {
  return queryOptions({
    queryKey: queryKeys.staff(rid),
    queryFn: ({ signal }) => unwrap(api.GET("/api/v1/restaurants/{restaurant_id}/staff", { ...path(rid), signal })),
  });
}

/** `GET …/api-tokens`: the API tokens without their secrets, newest first. */
export function apiTokensQuery(api: ApiClient, rid: number) {
  return queryOptions({
    queryKey: queryKeys.apiTokens(rid),
    queryFn: ({ signal }) => unwrap(api.GET("/api/v1/restaurants/{restaurant_id}/api-tokens", { ...path(rid), signal })),
  });
}

/**
 * The table label people say: a numeric name reads "Table 4", any other name ("Booth 2",
 * "T7") is shown as it is.
 */
export function tableLabel(name: string): string {
  return /^\d+$/.test(name.trim()) ? `Table ${name.trim()}` : name;
}

/**
 * The new order of `list` after moving the entry at `index` by `delta` (-1 up, +1 down);
 * the same list when the move would leave the list.
 */
export function moved<T>(list: readonly T[], index: number, delta: -1 | 1): T[] {
  const target = index + delta;
  if (index < 0 || index >= list.length || target < 0 || target >= list.length) return [...list];
  const copy = [...list];
  const [entry] = copy.splice(index, 1);
  if (entry !== undefined) copy.splice(target, 0, entry);
  return copy;
}
