/**
 * The floor screen's plan of one area: its placed tables where the manager put them
 * (`plan_x`, `plan_y`, size and shape), each a button named like its tile ("Table 4,
 * Ready to serve") in the state's colour; tables not on the plan are listed under it as
 * tiles. The tile list (FloorScreen) stays the view on phones.
 */
import { useId } from "react";

import { tileFacts } from "./floorState";
import { boxStyle, isPlaced } from "./plan";
import type { FloorTable } from "./queries";

export interface FloorPlanViewProps {
  /** The area's name ("Other tables" for tables without one). */
  title: string;
  tables: FloorTable[];
  now: Date;
  sending: (table: FloorTable) => boolean;
  onOpen: (table: FloorTable) => void;
}

/** What a table on the plan says under its state (its box is small): the held course
 * and the waiter on a seated table, the seats on a free one; the rest is in its title. */
function planFacts(table: FloorTable, facts: string[]): string {
  if (table.service_state === "free") return facts.join(" · ");
  const short = facts.filter((f) => f.startsWith("course ") || f === table.waiter_name || f === table.opened_by_name);
  return short.join(" · ");
}

export function FloorPlanView({ title, tables, now, sending, onOpen }: FloorPlanViewProps) {
  const id = useId();
  const placed = tables.filter(isPlaced);
  const unplaced = tables.filter((t) => !isPlaced(t));
  return (
    <section className="floor-area" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{title}</h2>
      <div className="floor-plan" role="group" aria-label={`Plan of ${title}`}>
        {placed.map((table) => {
          const [name = "", state = "", ...facts] = tileFacts(table, now);
          const busy = sending(table);
          return (
            <button
              key={table.id}
              type="button"
              className={`floor-plan-table shape-${table.shape} state-${table.service_state}`}
              style={boxStyle(table)}
              aria-label={`${name}, ${state}${busy ? ", sending…" : ""}`}
              title={[name, state, ...facts].join(" · ")}
              onClick={() => onOpen(table)}
            >
              <span className="floor-plan-name">{table.name}</span>
              <span className="floor-plan-state">{state}</span>
              {facts.length > 0 ? <span className="floor-plan-facts">{planFacts(table, facts)}</span> : null}
            </button>
          );
        })}
      </div>
      {unplaced.length > 0 ? (
        <div className="floor-plan-unplaced">
          <span>Not on the plan:</span>
          {unplaced.map((table) => {
            const [name = "", state = ""] = tileFacts(table, now);
            return (
              <button
                key={table.id}
                type="button"
                className={`button floor-plan-chip state-${table.service_state}`}
                aria-label={`${name}, ${state}`}
                onClick={() => onOpen(table)}
              >
                {name} · {state}
              </button>
            );
          })}
        </div>
      ) : null}
    </section>
  );
}
