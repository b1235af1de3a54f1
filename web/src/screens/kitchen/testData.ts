/** Test data of the kitchen display's tests (not part of the app). */
import type { MenuRead, TicketRead } from "../../api/types";
import type { TicketItem } from "./tickets";

let nextItemId = 500;

/** A ticket line: 1 × Margherita (M), new, unless `extra` says otherwise. */
export function line(extra: Partial<TicketItem> = {}): TicketItem {
  nextItemId += 1;
  return {
    id: nextItemId,
    order_item_id: nextItemId + 1000,
    name: "Margherita",
    variation_name: "M",
    quantity: 1,
    modifiers: [],
    notes: "",
    seat: null,
    status: "new",
    voided: false,
    started_at: null,
    ready_at: null,
    bumped_at: null,
    batch: 1,
    added_at: null,
    ...extra,
  };
}

/** A ticket of station `oven` fired at `createdAt`, for table "4" unless `extra` says otherwise. */
export function ticket(id: number, createdAt: string, extra: Partial<TicketRead> = {}): TicketRead {
  return {
    id,
    order_id: id + 100,
    station: "oven",
    course: 1,
    table_name: "4",
    status: "new",
    version: 1,
    created_at: createdAt,
    started_at: null,
    ready_at: null,
    bumped_at: null,
    recalled_at: null,
    added_at: null,
    items: [line()],
    ...extra,
  };
}

/** A menu whose items cook at `stations`. */
export function menuWithStations(...stations: string[]): MenuRead {
  return {
    restaurant_id: 1,
    currency: "USD",
    categories: [
      {
        id: 1,
        name: "Pizza",
        position: 1,
        items: stations.map((station, index) => ({
          id: index + 1,
          name: `Item ${index + 1}`,
          description: "",
          ingredients: [],
          is_available: true,
          modifier_groups: [],
          position: index,
          station,
          variations: [],
        })),
      },
    ],
  };
}
