/**
 * 86 and counts from the kitchen: the menu items of this station (every station on
 * expo), each with what is left ("5 left", "86'd", or nothing when not counted), an
 * "86" / "Back on" button and a count field ("Set count"; empty = not counted). Orders
 * count down on the server, which 86s an item at 0; raising the count brings it back.
 * Needs `menu:availability` (the screen shows this panel only to roles holding it).
 *
 * Accessible names: region "86 and counts"; per item the buttons "86 Margherita" /
 * "Back on Margherita", the field "Count of Margherita" and the button "Set count of
 * Margherita"; status text per item.
 */
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";

import { queryKeys } from "../../api/queries";
import type { MenuRead } from "../../api/types";
import { ErrorMessage } from "../../components/ErrorMessage";
import { parseCount, putAvailability, remainingText, type AvailabilityChange } from "../../lib/availability";
import { useServices } from "../../services";

type MenuEntry = MenuRead["categories"][number]["items"][number];

/** The menu's items cooked at `station` (null: every station), in menu order. */
export function stationItems(menu: MenuRead | undefined, station: string | null): MenuEntry[] {
  return (menu?.categories ?? []).flatMap((c) => c.items.filter((i) => station === null || i.station === station));
}

function ItemRow({ rid, item }: { rid: number; item: MenuEntry }) {
  const { api } = useServices();
  const queryClient = useQueryClient();
  const [count, setCount] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const left = remainingText(item.remaining);

  const send = async (change: AvailabilityChange) => {
    setBusy(true);
    setError(null);
    try {
      await putAvailability(api, rid, item.id, change);
      setCount("");
      await queryClient.invalidateQueries({ queryKey: queryKeys.menu(rid) });
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };
  const parsed = parseCount(count);
  const fieldId = `kitchen-count-${item.id}`;
  return (
    <li className={`kitchen-avail-row${item.is_available ? "" : " kitchen-avail-off"}`}>
      <span className="kitchen-avail-name">{item.name}</span>
      <span className="kitchen-avail-state" role="status">
        {item.is_available ? (left ?? "") : "86'd"}
      </span>
      <button
        type="button"
        className={item.is_available ? "button button-danger" : "button"}
        disabled={busy}
        aria-label={`${item.is_available ? "86" : "Back on"} ${item.name}`}
        onClick={() => void send({ is_available: !item.is_available })}
      >
        {item.is_available ? "86" : "Back on"}
      </button>
      <form
        className="kitchen-avail-count"
        onSubmit={(event) => {
          event.preventDefault();
          if (parsed !== undefined) void send({ remaining: parsed });
        }}
      >
        <label htmlFor={fieldId} className="kitchen-sr-only">
          Count of {item.name}
        </label>
        <input
          id={fieldId}
          inputMode="numeric"
          autoComplete="off"
          placeholder={item.remaining === null || item.remaining === undefined ? "∞" : String(item.remaining)}
          value={count}
          onChange={(event) => setCount(event.target.value)}
          aria-invalid={parsed === undefined}
        />
        <button type="submit" className="button" disabled={busy || parsed === undefined} aria-label={`Set count of ${item.name}`}>
          Set
        </button>
      </form>
      <ErrorMessage error={error} className="kitchen-avail-error" />
    </li>
  );
}

export function AvailabilityPanel({ rid, menu, station }: { rid: number; menu: MenuRead | undefined; station: string | null }) {
  const items = stationItems(menu, station);
  return (
    <section className="kitchen-panel kitchen-avail" aria-labelledby="kitchen-avail-title">
      <h2 id="kitchen-avail-title">86 and counts</h2>
      <p className="kitchen-panel-hint">A count goes down with every order; at 0 the item is 86&apos;d. Empty: not counted.</p>
      {items.length === 0 ? <p className="kitchen-panel-empty">No menu items at this station.</p> : null}
      <ul className="kitchen-avail-list">
        {items.map((item) => (
          <ItemRow key={item.id} rid={rid} item={item} />
        ))}
      </ul>
    </section>
  );
}
