/**
 * All-day counts: how many of each item (and size) are still to make across the open
 * tickets on this screen (`allDayCounts`), most first. Shown or hidden with the
 * toolbar's "All day" button.
 *
 * Accessible name: region "All-day counts", a list item per item ("5 × Margherita (M)").
 */
import { allDayCounts } from "./tickets";
import type { TicketRead } from "../../api/types";

export function AllDayPanel({ tickets }: { tickets: readonly TicketRead[] }) {
  const counts = allDayCounts(tickets);
  return (
    <section className="kitchen-panel kitchen-allday" aria-labelledby="kitchen-allday-title">
      <h2 id="kitchen-allday-title">All-day counts</h2>
      {counts.length === 0 ? (
        <p className="kitchen-panel-empty">Nothing to make.</p>
      ) : (
        <ul className="kitchen-allday-list">
          {counts.map((row) => (
            <li key={row.key} className="kitchen-allday-row">
              <span className="kitchen-allday-qty">{row.quantity} ×</span>{" "}
              <span className="kitchen-allday-name">
                {row.name}
                {row.variation ? ` (${row.variation})` : ""}
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
