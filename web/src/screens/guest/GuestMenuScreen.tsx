/**
 * `/guest/:restaurantId?t=<table token>` — what a table's QR code opens on a guest's
 * phone: the restaurant's menu, read-only, no login (`GET /api/v1/guest/menu?t=`, sent
 * without credentials). Prices are shown in the restaurant's currency; an 86'd item or
 * size says "Sold out" (the page refetches every minute while it is on screen). A missing, forged or dead link (401 `invalid-table-token`) gets a
 * friendly message instead of the menu.
 */
import { useQuery } from "@tanstack/react-query";
import { useEffect } from "react";
import { useSearchParams } from "react-router";

import { unwrap } from "../../api/client";
import { ApiError } from "../../api/errors";
import { queryKeys } from "../../api/queries";
import type { components } from "../../api/schema";
import { formatMoney } from "../../lib/money";
import { useServices } from "../../services";
import "./guest.css";

type GuestMenuRead = components["schemas"]["GuestMenuRead"];
type MenuEntry = components["schemas"]["MenuEntry"];
type MenuModifierGroup = components["schemas"]["MenuModifierGroup"];

/** A numeric table name reads "Table 4"; any other name is shown as it is. */
function tableLabel(name: string): string {
  return /^\d+$/.test(name.trim()) ? `Table ${name.trim()}` : name;
}

export function GuestMenuScreen() {
  const [params] = useSearchParams();
  const token = params.get("t")?.trim() ?? "";
  const { publicApi } = useServices();
  const menu = useQuery({
    queryKey: queryKeys.guestMenu(token),
    queryFn: ({ signal }) => unwrap(publicApi.GET("/api/v1/guest/menu", { params: { query: { t: token } }, signal })),
    enabled: token !== "",
    staleTime: 60_000,
    // a phone left open on the menu catches up on sold-out items (only while it is shown)
    refetchInterval: (query) => (query.state.error ? false : 60_000),
    retry: (count, error) => !(error instanceof ApiError && error.status >= 400 && error.status < 500) && count < 2,
  });

  useEffect(() => {
    if (menu.data) document.title = `${menu.data.restaurant_name} · Menu`;
  }, [menu.data]);

  let content;
  if (token === "" || (menu.error instanceof ApiError && menu.error.status === 401)) {
    content = <InvalidLink />;
  } else if (menu.isError) {
    content = (
      <section className="guest-message" aria-labelledby="guest-error-title">
        <h1 id="guest-error-title">The menu could not be loaded</h1>
        <p>
          {menu.error instanceof ApiError && menu.error.status === 0
            ? "Your phone could not reach the restaurant. Check the connection and try again."
            : "Something went wrong on our side. Please try again in a moment."}
        </p>
        <button type="button" className="button button-primary" onClick={() => void menu.refetch()}>
          Try again
        </button>
      </section>
    );
  } else if (menu.data === undefined) {
    content = (
      <p className="guest-message" role="status">
        Loading the menu…
      </p>
    );
  } else {
    content = <GuestMenu menu={menu.data} />;
  }
  return <main className="guest-page">{content}</main>;
}

function InvalidLink() {
  return (
    <section className="guest-message" aria-labelledby="guest-invalid-title">
      <h1 id="guest-invalid-title">This menu link does not work</h1>
      <p>
        The QR code may be old, or the table has changed. Please scan the code on your table again, or ask a member of
        staff for a menu.
      </p>
    </section>
  );
}

/**
 * The modifier groups every item of a category offers (when it has two items or more),
 * in the first item's order: the guest menu shows them once, under the category's
 * heading, instead of under every item.
 */
export function sharedGroups(items: readonly MenuEntry[]): MenuModifierGroup[] {
  const first = items[0];
  if (first === undefined || items.length < 2) return [];
  return first.modifier_groups.filter((group) => items.every((item) => item.modifier_groups.some((g) => g.id === group.id)));
}

function GuestMenu({ menu }: { menu: GuestMenuRead }) {
  const sections = menu.categories.filter((c) => c.items.length > 0);
  return (
    <>
      <header className="guest-header">
        <h1>{menu.restaurant_name}</h1>
        <p className="guest-table">{tableLabel(menu.table.name)}</p>
      </header>
      {sections.length > 1 ? (
        <nav aria-label="Menu sections" className="guest-sections">
          {sections.map((c) => (
            <a key={c.id} href={`#guest-category-${c.id}`}>
              {c.name}
            </a>
          ))}
        </nav>
      ) : null}
      {sections.length === 0 ? <p className="guest-message">The menu is empty for now.</p> : null}
      {sections.map((category) => (
        <section key={category.id} id={`guest-category-${category.id}`} className="guest-category" aria-labelledby={`guest-category-${category.id}-title`}>
          <h2 id={`guest-category-${category.id}-title`}>{category.name}</h2>
          {sharedGroups(category.items).length > 0 ? (
            <div className="guest-shared-options" aria-label={`Options for every ${category.name} item`} role="group">
              {sharedGroups(category.items).map((group) => (
                <GuestOptions key={group.id} group={group} currency={menu.currency} />
              ))}
            </div>
          ) : null}
          <ul className="guest-items">
            {category.items.map((item) => (
              <li key={item.id}>
                <GuestItem item={item} currency={menu.currency} shown={new Set(sharedGroups(category.items).map((g) => g.id))} />
              </li>
            ))}
          </ul>
        </section>
      ))}
      <footer className="guest-footer">
        <p>Prices in {menu.currency}. To order, ask your server.</p>
      </footer>
    </>
  );
}

function GuestItem({ item, currency, shown }: { item: MenuEntry; currency: string; shown: ReadonlySet<number> }) {
  const nameId = `guest-item-${item.id}`;
  const soldOut = !item.is_available;
  const single = item.variations.length === 1 ? item.variations[0] : undefined;
  return (
    <article className={soldOut ? "guest-item is-sold-out" : "guest-item"} aria-labelledby={nameId}>
      <div className="guest-item-head">
        <h3 id={nameId}>{item.name}</h3>
        {soldOut ? (
          <span className="sold-out">Sold out</span>
        ) : single ? (
          <span className="guest-price">{single.is_available ? formatMoney(single.price, currency) : "Sold out"}</span>
        ) : null}
      </div>
      {item.description ? <p className="guest-description">{item.description}</p> : null}
      {!soldOut && item.variations.length > 1 ? (
        <ul className="guest-sizes" aria-label={`Sizes of ${item.name}`}>
          {item.variations.map((v) => (
            <li key={v.id}>
              <span>{v.name}</span>
              <span className="guest-price">{v.is_available ? formatMoney(v.price, currency) : "Sold out"}</span>
            </li>
          ))}
        </ul>
      ) : null}
      {!soldOut
        ? item.modifier_groups
            .filter((group) => !shown.has(group.id))
            .map((group) => <GuestOptions key={group.id} group={group} currency={currency} />)
        : null}
    </article>
  );
}

function GuestOptions({ group, currency }: { group: MenuModifierGroup; currency: string }) {
  const rule =
    group.min_choices === 0
      ? `optional, up to ${group.max_choices}`
      : group.min_choices === group.max_choices
        ? `choose ${group.max_choices}`
        : `choose ${group.min_choices} to ${group.max_choices}`;
  return (
    <div className="guest-options">
      <p className="guest-options-title">
        {group.name} <span className="guest-muted">({rule})</span>
      </p>
      <ul aria-label={`${group.name} options`}>
        {group.modifiers.map((m) => (
          <li key={m.id}>
            {m.label ?? m.name}
            {m.is_available ? (
              m.price_delta > 0 ? (
                <span className="guest-muted"> +{formatMoney(m.price_delta, currency)}</span>
              ) : null
            ) : (
              <span className="guest-muted"> (sold out)</span>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}
