/**
 * `/r/:restaurantId/floor` — the waiter's floor: every area with its tables, each
 * table's live service state as a word and a colour, covers, minutes seated (ticking)
 * and the order's subtotal. A free table opens a "Covers" dialog, then a new order
 * (with an `Idempotency-Key`, retried with the same key) and the order pad; a table
 * with an order opens its order pad; "Takeaway" opens a takeaway order.
 *
 * Tiles also show the held course, minutes since the last fire and the waiter; "My
 * tables" keeps the signed-in waiter's section (and the orders they opened); where
 * the manager drew a floor plan (Admin → Floor plan) the floor shows it ("Plan"), the
 * tile list ("List") stays, and is the only view on phones.
 *
 * Live: the shared realtime cache integration invalidates the floor on every `table.*`,
 * `order.*`, `ticket.*` and `check.*` event, so the tiles follow the kitchen and till.
 */
import { useQuery } from "@tanstack/react-query";
import { Fragment, useCallback, useEffect, useId, useState, useSyncExternalStore } from "react";
import { Link, useNavigate } from "react-router";

import { useRestaurantScope } from "../../auth/restaurant";
import { ErrorMessage } from "../../components/ErrorMessage";
import { formatMoney } from "../../lib/money";
import { useServices } from "../../services";
import { useNow } from "../order-pad/hooks";
import { getOutbox, resumeOutboxes } from "../order-pad/outbox";
import { useMe } from "../../auth/hooks";
import { CoversDialog } from "./CoversDialog";
import { FloorPlanView } from "./FloorPlanView";
import { hasPlan, isMine, tileFacts } from "./floorState";
import { floorQuery, openOrdersQuery, type AreaRead, type FloorTable } from "./queries";
import { draftCoversOf } from "../order-pad/draftOrder";
import "./floor.css";
import "../order-pad/order-pad.css";

/** The open orders with unsent work on this device (resumed on mount), re-rendering as they drain. */
function usePendingOrders(restaurantId: number): Set<number> {
  const { api, queryClient } = useServices();
  const [ids, setIds] = useState<number[]>([]);
  useEffect(() => {
    // eslint-disable-next-line react-hooks/set-state-in-effect -- resuming the stored outboxes starts their sends (a side effect); the effect publishes which ones
    setIds(resumeOutboxes({ api, queryClient }, restaurantId));
  }, [api, queryClient, restaurantId]);
  const subscribe = useCallback(
    (listener: () => void) => {
      const unsubscribes = ids.map((id) => getOutbox({ api, queryClient }, restaurantId, id).subscribe(listener));
      return () => unsubscribes.forEach((unsubscribe) => unsubscribe());
    },
    [ids, api, queryClient, restaurantId],
  );
  const snapshot = useSyncExternalStore(subscribe, () =>
    ids.filter((id) => getOutbox({ api, queryClient }, restaurantId, id).hasPendingWork()).join(","),
  );
  return new Set(snapshot === "" ? [] : snapshot.split(",").map(Number));
}

/** Whether the screen is wide enough for the floor plan (phones keep the tile list). */
const PLAN_MEDIA = "(min-width: 700px)";
function useWideScreen(): boolean {
  return useSyncExternalStore(
    (listener) => {
      if (typeof window.matchMedia !== "function") return () => undefined;
      const query = window.matchMedia(PLAN_MEDIA);
      query.addEventListener("change", listener);
      return () => query.removeEventListener("change", listener);
    },
    () => typeof window.matchMedia === "function" && window.matchMedia(PLAN_MEDIA).matches,
  );
}

/**
 * A table tile: a button named "Table 4, Ready to serve" (the table and its state), with
 * the rest ("2 covers · seated 12 min · $34.50") as its description.
 */
function TableTile({
  table,
  now,
  sending,
  onOpen,
}: {
  table: FloorTable;
  now: Date;
  sending: boolean;
  onOpen: (table: FloorTable) => void;
}) {
  const factsId = useId();
  const [name = "", state = "", ...facts] = tileFacts(table, now);
  const label = `${name}, ${state}${sending ? ", sending…" : ""}`;
  return (
    <li>
      <button
        type="button"
        className={`floor-tile state-${table.service_state}`}
        aria-label={label}
        aria-describedby={factsId}
        onClick={() => onOpen(table)}
      >
        <span className="floor-tile-name">{name}</span>
        <span className="floor-tile-state">{state}</span>
        <span className="floor-tile-facts" id={factsId}>
          {facts.map((fact, index) => (
            <Fragment key={fact}>
              {index > 0 ? " · " : null}
              <span className="floor-tile-fact">{fact}</span>
            </Fragment>
          ))}
        </span>
        {sending ? <span className="floor-tile-sending">Sending…</span> : null}
      </button>
    </li>
  );
}

export function FloorScreen() {
  const id = useId();
  const { restaurantId } = useRestaurantScope();
  const { api } = useServices();
  const navigate = useNavigate();
  const now = useNow();
  const floor = useQuery(floorQuery(api, restaurantId));
  const openOrders = useQuery(openOrdersQuery(api, restaurantId));
  const pending = usePendingOrders(restaurantId);
  const [seating, setSeating] = useState<FloorTable | null>(null);
  const me = useMe();
  const [mineOnly, setMineOnly] = useState(false);
  const [view, setView] = useState<"plan" | "list">("plan");
  const wide = useWideScreen();

  const orderPath = (orderId: number) => `/r/${restaurantId}/orders/${orderId}`;

  const draftPath = (tableId: number, covers: number) => `/r/${restaurantId}/orders/new?table=${tableId}&covers=${covers}`;

  const openTable = (table: FloorTable) => {
    const draftCovers = draftCoversOf(restaurantId, table.id);
    if (table.order_id !== null) {
      void navigate(orderPath(table.order_id));
    } else if (draftCovers !== null) {
      void navigate(draftPath(table.id, draftCovers)); // this device's draft of the table
    } else {
      setSeating(table);
    }
  };

  // a takeaway starts as a draft on this device too: created by its first send
  const openTakeaway = () => void navigate(`/r/${restaurantId}/orders/new?kind=takeaway`);

  if (floor.isPending) {
    return (
      <div className="page-state" role="status">
        <div className="spinner" aria-hidden="true" />
        Loading the floor…
      </div>
    );
  }
  if (floor.isError) {
    return (
      <div className="page-state">
        <h1>Floor</h1>
        <ErrorMessage error={floor.error} />
        <button type="button" className="button" onClick={() => void floor.refetch()}>
          Try again
        </button>
      </div>
    );
  }

  const { areas } = floor.data;
  const userId = me.data?.id;
  const tables = mineOnly && userId !== undefined ? floor.data.tables.filter((t) => isMine(t, userId)) : floor.data.tables;
  const planAvailable = wide && hasPlan(floor.data.tables);
  const showPlan = planAvailable && view === "plan";
  const sections: { area: AreaRead | null; tables: FloorTable[] }[] = [
    ...areas.map((area) => ({ area, tables: tables.filter((t) => t.area_id === area.id) })),
    { area: null, tables: tables.filter((t) => t.area_id === null || !areas.some((a) => a.id === t.area_id)) },
  ].filter((section) => section.tables.length > 0);
  const seated = tables.filter((t) => t.service_state !== "free").length;
  const takeaways = (openOrders.data?.items ?? []).filter((o) => o.kind === "takeaway");

  return (
    <div className="floor">
      <header className="floor-header">
        <div>
          <h1>Floor</h1>
          <p className="floor-summary">
            {seated} of {tables.length} tables seated
          </p>
        </div>
        <div className="floor-takeaway">
          <button type="button" className="button button-primary" onClick={openTakeaway}>
            Takeaway
          </button>
        </div>
      </header>

      <div className="floor-toolbar">
        <button
          type="button"
          className="button floor-toggle"
          aria-pressed={mineOnly}
          disabled={userId === undefined}
          onClick={() => setMineOnly((value) => !value)}
        >
          My tables
        </button>
        {planAvailable ? (
          <div className="floor-view-switch" role="group" aria-label="View">
            <button type="button" className="button floor-toggle" aria-pressed={view === "plan"} onClick={() => setView("plan")}>
              Plan
            </button>
            <button type="button" className="button floor-toggle" aria-pressed={view === "list"} onClick={() => setView("list")}>
              List
            </button>
          </div>
        ) : null}
      </div>

      {floor.data.tables.length === 0 ? <p>No tables yet: a manager adds them under Admin → Tables.</p> : null}
      {mineOnly && floor.data.tables.length > 0 && tables.length === 0 ? (
        <p>No tables in your section: a manager assigns them under Admin → Floor plan.</p>
      ) : null}

      {showPlan
        ? sections.map(({ area, tables: areaTables }) => (
            <FloorPlanView
              key={area?.id ?? "none"}
              title={area?.name ?? "Other tables"}
              tables={areaTables}
              now={now}
              sending={(table) => table.order_id !== null && pending.has(table.order_id)}
              onOpen={openTable}
            />
          ))
        : null}

      {showPlan ? null : sections.map(({ area, tables: areaTables }) => {
        const headingId = `${id}-area-${area?.id ?? "none"}`;
        return (
          <section key={area?.id ?? "none"} className="floor-area" aria-labelledby={headingId}>
            <h2 id={headingId}>{area?.name ?? "Other tables"}</h2>
            <ul className="floor-grid">
              {areaTables.map((table) => (
                <TableTile
                  key={table.id}
                  table={table}
                  now={now}
                  sending={table.order_id !== null && pending.has(table.order_id)}
                  onOpen={openTable}
                />
              ))}
            </ul>
          </section>
        );
      })}

      {takeaways.length > 0 ? (
        <section className="floor-area" aria-labelledby={`${id}-takeaway`}>
          <h2 id={`${id}-takeaway`}>Takeaway orders</h2>
          <ul className="floor-takeaways">
            {takeaways.map((order) => (
              <li key={order.id}>
                <Link className="button floor-takeaway-link" to={orderPath(order.id)}>
                  Takeaway #{order.id} · {formatMoney(order.subtotal, order.currency)}
                  {pending.has(order.id) ? " · sending…" : ""}
                </Link>
              </li>
            ))}
          </ul>
        </section>
      ) : null}

      {seating !== null ? (
        <CoversDialog
          table={seating}
          onClose={() => setSeating(null)}
          onSeat={(covers) => {
            setSeating(null);
            void navigate(draftPath(seating.id, covers));
          }}
        />
      ) : null}
    </div>
  );
}
