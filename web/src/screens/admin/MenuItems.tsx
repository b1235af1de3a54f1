/**
 * The items of one category: each with its sizes and prices, station, whether it is on
 * the menu, an "86" / "Back on" toggle (`PUT …/items/{id}/availability`, shown at once and
 * confirmed by the server; other screens see it through the `menu.item.availability`
 * event) and "Edit".
 */
import { useMutation } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";

import { unwrap } from "../../api/client";
import { queryKeys } from "../../api/queries";
import { useRestaurantScope } from "../../auth/restaurant";
import { formatMoney } from "../../lib/money";
import { useServices } from "../../services";
import { adminKeys, type CategoryRead, type MenuItemList, type MenuItemRead } from "./adminApi";
import { FormError } from "./common";

export interface MenuItemsProps {
  category: CategoryRead;
  items: readonly MenuItemRead[];
  currency: string;
  /** The item whose "Edit" button takes the focus (coming back from its editor). */
  focusItemId?: number | null;
  onEdit: (itemId: number) => void;
  onNew: () => void;
}

export function MenuItems({ category, items, currency, focusItemId = null, onEdit, onNew }: MenuItemsProps) {
  return (
    <section className="admin-panel menu-items" aria-labelledby="menu-items-title">
      <div className="panel-header">
        <h2 id="menu-items-title">{category.name}</h2>
        <button type="button" className="button button-primary" onClick={onNew}>
          New item
        </button>
      </div>
      {items.length === 0 ? <p className="admin-empty">No items in {category.name} yet.</p> : null}
      <ul className="admin-list item-list">
        {items.map((item) => (
          <li key={item.id}>
            <MenuItemRow item={item} currency={currency} focusEdit={item.id === focusItemId} onEdit={() => onEdit(item.id)} />
          </li>
        ))}
      </ul>
    </section>
  );
}

/** One item: name, status as text, sizes with prices, station, the 86 toggle and "Edit". */
export function MenuItemRow({
  item,
  currency,
  focusEdit = false,
  onEdit,
}: {
  item: MenuItemRead;
  currency: string;
  focusEdit?: boolean;
  onEdit: () => void;
}) {
  const toggle = useAvailabilityToggle();
  const editRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (focusEdit) editRef.current?.focus();
  }, [focusEdit]);
  const [error, setError] = useState<unknown>(null);
  const nameId = `menu-item-${item.id}-name`;
  const eightySixed = !item.is_available;
  return (
    <article className={eightySixed ? "menu-item-row is-86" : "menu-item-row"} aria-labelledby={nameId}>
      <div className="menu-item-main">
        <h3 id={nameId}>{item.name}</h3>
        <p className={eightySixed ? "item-status item-status-86" : "item-status"}>
          {eightySixed
            ? item.unavailable_reason === "stock"
              ? "86'd: an ingredient ran out (back when stock arrives)"
              : "86'd: sold out"
            : "On the menu"}
        </p>
        <p className="item-sizes">
          {item.variations.length === 0
            ? "No sizes yet: it cannot be ordered."
            : item.variations.map((v) => `${v.name} ${formatMoney(v.price, currency)}`).join(" · ")}
        </p>
        <p className="admin-muted">Station: {item.station}</p>
      </div>
      <div className="row-actions">
        <button
          type="button"
          className={eightySixed ? "button toggle-86 is-86" : "button toggle-86"}
          aria-label={eightySixed ? `Back on ${item.name}` : `86 ${item.name}`}
          disabled={toggle.isPending}
          onClick={() => {
            setError(null);
            toggle.mutate({ item, isAvailable: eightySixed }, { onError: setError });
          }}
        >
          {eightySixed ? "Back on" : "86"}
        </button>
        <button ref={editRef} type="button" className="button" aria-label={`Edit ${item.name}`} onClick={onEdit}>
          Edit
        </button>
      </div>
      <FormError error={error} />
    </article>
  );
}

/**
 * 86 (`isAvailable: false`) or un-86 an item: the cached item list changes at once, the
 * server's answer replaces it, a failure puts the old state back.
 */
export function useAvailabilityToggle() {
  const { api, queryClient } = useServices();
  const { restaurantId: rid } = useRestaurantScope();
  const key = adminKeys.items(rid);
  const setAvailability = (id: number, isAvailable: boolean, replacement?: MenuItemRead) =>
    queryClient.setQueryData<MenuItemList>(key, (list) =>
      list
        ? {
            ...list,
            items: list.items.map((i) => (i.id === id ? (replacement ?? { ...i, is_available: isAvailable }) : i)),
          }
        : list,
    );
  return useMutation({
    mutationFn: ({ item, isAvailable }: { item: MenuItemRead; isAvailable: boolean }) =>
      unwrap(
        api.PUT("/api/v1/restaurants/{restaurant_id}/menu/items/{item_id}/availability", {
          params: { path: { restaurant_id: rid, item_id: item.id } },
          body: { is_available: isAvailable },
        }),
      ),
    onMutate: async ({ item, isAvailable }) => {
      await queryClient.cancelQueries({ queryKey: key });
      setAvailability(item.id, isAvailable);
    },
    onSuccess: (updated) => setAvailability(updated.id, updated.is_available, updated),
    onError: (_error, { item }) => setAvailability(item.id, item.is_available),
    onSettled: () => queryClient.invalidateQueries({ queryKey: queryKeys.menu(rid) }),
  });
}
