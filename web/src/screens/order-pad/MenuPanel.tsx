/**
 * The order pad's menu: category buttons and a search box that filters items by name
 * across every category (accents and case ignored). An item is a button named by the
 * item's name; an 86'd item is shown, disabled, with the word "86'd"; a counted item says
 * how many are left ("5 left"). With `on86` (the caller may 86: `menu:availability`),
 * each item has a small "86 <name>" / "Back on <name>" button beside it.
 *
 * By keyboard: while searching, ↓/↑ move the highlighted result and Enter adds it (the
 * search is cleared for the next item, focus stays in it).
 */
import { useId, useMemo, useState } from "react";

import { remainingText } from "../../lib/availability";
import { formatMoney } from "../../lib/money";
import { fromPrice, isOrderable } from "./lineRules";
import type { MenuEntry, MenuRead } from "./types";

export interface MenuPanelProps {
  menu: MenuRead;
  onPick: (item: MenuEntry) => void;
  /** 86 (`available` false) or put back an item; absent when the caller may not. */
  on86?: (item: MenuEntry, available: boolean) => void;
  /** Add `item` in size `variationId` at once (the tile's size buttons), when given. */
  onPickSize?: (item: MenuEntry, variationId: number) => void;
}

/** A size's short name on a tile: "Small" → "S", "X Large" → "XL", "XX Large" → "XXL", "0.33" stays. */
export function shortSize(name: string): string {
  const words = name.trim().split(/\s+/);
  if (words.every((w) => /^[A-Za-z]/.test(w))) {
    return words.map((w) => (/^x+$/i.test(w) ? w.toUpperCase() : (w[0]?.toUpperCase() ?? ""))).join("");
  }
  return name;
}

/** The sizes a tile offers as one-tap buttons: 2 to 5 available sizes, and no required choice. */
function tileSizes(item: MenuEntry) {
  const sizes = item.variations.filter((v) => v.is_available);
  if (!isOrderable(item) || sizes.length < 2 || sizes.length > 5) return [];
  return item.modifier_groups.every((g) => g.min_choices === 0) ? sizes : [];
}

/** Lower case without accents, for matching what a waiter types ("jalapeno" finds "Jalapeño"). */
export function foldText(text: string): string {
  return text.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
}

export function MenuPanel({ menu, onPick, onPickSize, on86 }: MenuPanelProps) {
  const id = useId();
  const [categoryId, setCategoryId] = useState<number | null>(menu.categories[0]?.id ?? null);
  const [search, setSearch] = useState("");
  const [highlight, setHighlight] = useState(0);
  const query = foldText(search.trim());

  const items = useMemo(() => {
    if (query !== "") {
      return menu.categories.flatMap((c) => c.items.filter((item) => foldText(item.name).includes(query)));
    }
    const category = menu.categories.find((c) => c.id === categoryId) ?? menu.categories[0];
    return category?.items ?? [];
  }, [menu, categoryId, query]);
  const orderable = items.filter(isOrderable);
  const highlighted = query !== "" ? (orderable[Math.min(highlight, orderable.length - 1)] ?? null) : null;

  return (
    <section className="pad-menu" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`} className="waiter-sr-only">
        Menu
      </h2>
      <div className="field pad-search">
        <label htmlFor={`${id}-search`}>Search menu</label>
        <input
          id={`${id}-search`}
          type="search"
          value={search}
          placeholder="Item name"
          autoComplete="off"
          aria-keyshortcuts="Enter ArrowDown ArrowUp"
          onChange={(event) => {
            setSearch(event.target.value);
            setHighlight(0);
          }}
          onKeyDown={(event) => {
            if (event.key === "ArrowDown" || event.key === "ArrowUp") {
              event.preventDefault();
              const step = event.key === "ArrowDown" ? 1 : -1;
              setHighlight((h) => Math.max(0, Math.min(orderable.length - 1, h + step)));
            } else if (event.key === "Enter" && highlighted !== null) {
              event.preventDefault();
              onPick(highlighted);
              setSearch("");
              setHighlight(0);
            }
          }}
        />
      </div>
      <div className="pad-categories" role="group" aria-label="Categories">
        {menu.categories.map((category) => (
          <button
            key={category.id}
            type="button"
            className={category.id === categoryId && query === "" ? "pad-category active" : "pad-category"}
            aria-pressed={category.id === categoryId && query === ""}
            onClick={() => {
              setCategoryId(category.id);
              setSearch("");
            }}
          >
            {category.name}
          </button>
        ))}
      </div>
      {query !== "" ? (
        <p className="pad-search-result" aria-live="polite">
          {items.length === 0 ? `Nothing on the menu matches “${search.trim()}”.` : `${items.length} found`}
        </p>
      ) : null}
      <ul className="pad-items">
        {items.map((item) => {
          const canOrder = isOrderable(item);
          const price = fromPrice(item);
          const priceText =
            price === null ? "" : `${item.variations.filter((v) => v.is_available).length > 1 ? "from " : ""}${formatMoney(price, menu.currency)}`;
          const left = canOrder ? remainingText(item.remaining) : null;
          return (
            <li key={item.id} className={on86 ? "pad-item-row" : undefined}>
              <button
                type="button"
                className={`${canOrder ? "pad-item" : "pad-item unavailable"}${item === highlighted ? " highlighted" : ""}`}
                data-highlighted={item === highlighted ? "true" : undefined}
                disabled={!canOrder}
                aria-label={item.name}
                aria-describedby={`${id}-i${item.id}`}
                onClick={() => onPick(item)}
              >
                <span className="pad-item-name">{item.name}</span>
                <span id={`${id}-i${item.id}`} className="pad-item-note">
                  {canOrder ? priceText : "86'd — not available"}
                  {left !== null ? <span className="pad-item-left"> · {left}</span> : null}
                </span>
              </button>
              {onPickSize && tileSizes(item).length > 0 ? (
                <span className="pad-tile-sizes" role="group" aria-label={`${item.name}: add in size`}>
                  {tileSizes(item).map((v) => (
                    <button
                      key={v.id}
                      type="button"
                      className="pad-tile-size"
                      aria-label={`${item.name}, ${v.name}`}
                      title={`${v.name} · ${formatMoney(v.price, menu.currency)}`}
                      onClick={() => onPickSize(item, v.id)}
                    >
                      {shortSize(v.name)}
                    </button>
                  ))}
                </span>
              ) : null}
              {on86 ? (
                <button type="button" className="pad-item-86" onClick={() => on86(item, !item.is_available)}>
                  {item.is_available ? `86 ${item.name}` : `Back on ${item.name}`}
                </button>
              ) : null}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
