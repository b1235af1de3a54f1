/**
 * `/r/:restaurantId/admin/menu` — the menu editor: categories on the side, the chosen
 * category's items (86 toggle, edit, new) or the item editor, and the modifier groups.
 * Everything is read from the admin lists (`adminApi.ts`), which every `menu.*` realtime
 * event refreshes, so an 86 from the kitchen shows here at once.
 */
import { useQuery } from "@tanstack/react-query";
import { useMemo, useState } from "react";

import { useRestaurantScope } from "../../auth/restaurant";
import { useServices } from "../../services";
import {
  categoriesQuery,
  itemsQuery,
  modifierGroupsQuery,
  type CategoryRead,
  type MenuItemRead,
  type ModifierGroupRead,
} from "./adminApi";
import { QueryGate, useRestaurant } from "./common";
import { ItemEditor } from "./ItemEditor";
import { MenuCategories } from "./MenuCategories";
import { MenuItems } from "./MenuItems";
import { ModifierGroups } from "./ModifierGroups";

export function MenuAdmin() {
  const { api } = useServices();
  const { restaurantId: rid } = useRestaurantScope();
  const restaurant = useRestaurant();
  const categories = useQuery(categoriesQuery(api, rid));
  const items = useQuery(itemsQuery(api, rid));
  const groups = useQuery(modifierGroupsQuery(api, rid));
  return (
    <div className="admin-page">
      <h1>Menu editor</h1>
      <QueryGate queries={[restaurant, categories, items, groups]} what="the menu">
        {() => (
          <MenuEditor
            currency={restaurant.data?.currency ?? "USD"}
            categories={categories.data?.items ?? []}
            items={items.data?.items ?? []}
            groups={groups.data?.items ?? []}
          />
        )}
      </QueryGate>
    </div>
  );
}

function MenuEditor({
  currency,
  categories,
  items,
  groups,
}: {
  currency: string;
  categories: readonly CategoryRead[];
  items: readonly MenuItemRead[];
  groups: readonly ModifierGroupRead[];
}) {
  const [chosenCategory, setChosenCategory] = useState<number | null>(null);
  const [editing, setEditing] = useState<number | "new" | null>(null);
  /** The item whose "Edit" gets the focus back when the editor closes. */
  const [returnTo, setReturnTo] = useState<number | null>(null);
  const selected = categories.find((c) => c.id === chosenCategory) ?? categories[0] ?? null;
  const itemCounts = useMemo(() => {
    const counts = new Map<number, number>();
    for (const item of items) counts.set(item.category_id, (counts.get(item.category_id) ?? 0) + 1);
    return counts;
  }, [items]);
  const stations = useMemo(() => [...new Set(items.map((i) => i.station))].sort(), [items]);
  const editedItem = typeof editing === "number" ? (items.find((i) => i.id === editing) ?? null) : null;

  return (
    <div className="menu-admin">
      <MenuCategories
        categories={categories}
        itemCounts={itemCounts}
        selectedId={selected?.id ?? null}
        onSelect={(id) => {
          setChosenCategory(id);
          setEditing(null);
        }}
      />
      {selected === null ? (
        <section className="admin-panel menu-items" aria-label="Items">
          <p className="admin-empty">Create a category first; items live in categories.</p>
        </section>
      ) : editing === "new" || editedItem !== null ? (
        <ItemEditor
          key={editedItem?.id ?? "new"}
          item={editedItem}
          categoryId={selected.id}
          categories={categories}
          groups={groups}
          currency={currency}
          stations={stations}
          onClose={() => {
            setReturnTo(typeof editing === "number" ? editing : null);
            setEditing(null);
          }}
          onCreated={(created) => {
            setChosenCategory(created.category_id);
            setEditing(created.id);
          }}
        />
      ) : (
        <MenuItems
          category={selected}
          items={items.filter((i) => i.category_id === selected.id)}
          currency={currency}
          focusItemId={returnTo}
          onEdit={(id) => setEditing(id)}
          onNew={() => setEditing("new")}
        />
      )}
      <ModifierGroups groups={groups} currency={currency} />
    </div>
  );
}
