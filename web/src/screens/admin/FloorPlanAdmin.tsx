/**
 * `/r/:restaurantId/admin/floor-plan` — the manager's floor plan editor, one area at a
 * time: tables are dragged on the area's plan (pointer events; arrow keys move the
 * focused table by 10 plan units, Shift+arrow by 1), and the selected table's shape,
 * size, seats and waiter (the waiter's section) are set beside it. Every change is a
 * `PATCH …/tables/{id}` carrying the table's `version`: a table someone else changed
 * meanwhile is refused (409 `stale-version`), the plan is re-read and the change can be
 * made again. Tables not on the plan are listed with "Place on plan".
 *
 * Sections: a table's waiter (`waiter_id`) is its section; "My tables" on the floor
 * screen shows a waiter their section.
 *
 * Course pacing (the restaurant's `course_auto_fire_minutes`, 0 = off): the next held
 * course fires by itself this many minutes after the kitchen bumped the one before.
 */
import { useMutation, useQuery } from "@tanstack/react-query";
import { useRef, useState, type FormEvent, type KeyboardEvent, type PointerEvent } from "react";

import { unwrap } from "../../api/client";
import { queryKeys, restaurantQuery, tablesQuery } from "../../api/queries";
import type { components } from "../../api/schema";
import { useRestaurantScope } from "../../auth/restaurant";
import { useServices } from "../../services";
import {
  PLAN_HEIGHT,
  PLAN_MAX_SIDE,
  PLAN_MIN_SIDE,
  PLAN_WIDTH,
  boxStyle,
  clamp,
  dragTo,
  isPlaced,
  type TableShape,
} from "../floor/plan";
import { areasQuery, staffQuery, tableLabel, type AreaRead, type TableRead } from "./adminApi";
import { Field, FormError, QueryGate, isProblem } from "./common";
import "../floor/floor.css";

type TableUpdate = components["schemas"]["TableUpdate"];

const SHAPES: readonly { value: TableShape; label: string }[] = [
  { value: "square", label: "Square" },
  { value: "round", label: "Round" },
  { value: "rectangle", label: "Rectangle" },
];

/** Where a newly placed table goes: the first free slot of a 100-unit grid, else the corner. */
export function freeSpot(tables: readonly TableRead[], width: number, height: number): { x: number; y: number } {
  const placed = tables.filter(isPlaced);
  for (let y = 20; y + height <= PLAN_HEIGHT; y += 100) {
    for (let x = 20; x + width <= PLAN_WIDTH; x += 100) {
      const clash = placed.some(
        (t) => x < t.plan_x + t.plan_width && t.plan_x < x + width && y < t.plan_y + t.plan_height && t.plan_y < y + height,
      );
      if (!clash) return { x, y };
    }
  }
  return { x: 0, y: 0 };
}

export function FloorPlanAdmin() {
  const { api } = useServices();
  const { restaurantId: rid } = useRestaurantScope();
  const areas = useQuery(areasQuery(api, rid));
  const tables = useQuery(tablesQuery(api, rid));
  const staff = useQuery(staffQuery(api, rid));
  return (
    <div className="admin-page">
      <div className="panel-header">
        <h1>Floor plan</h1>
      </div>
      <CoursePacing />
      <QueryGate queries={[areas, tables, staff]} what="the floor plan">
        {() => (
          <PlanEditor
            areas={areas.data?.items ?? []}
            tables={tables.data?.items ?? []}
            staff={(staff.data?.items ?? []).filter((m) => m.is_active)}
          />
        )}
      </QueryGate>
    </div>
  );
}

interface Drag {
  id: number;
  pointerX: number;
  pointerY: number;
  startX: number;
  startY: number;
  x: number;
  y: number;
  moved: boolean;
}

function PlanEditor({
  areas,
  tables,
  staff,
}: {
  areas: readonly AreaRead[];
  tables: readonly TableRead[];
  staff: readonly components["schemas"]["StaffMemberRead"][];
}) {
  const { api, queryClient } = useServices();
  const { restaurantId: rid } = useRestaurantScope();
  const known = new Set(areas.map((a) => a.id));
  const choices: { id: number | null; name: string }[] = [
    ...areas.map((a) => ({ id: a.id, name: a.name })),
    ...(tables.some((t) => t.area_id === null || !known.has(t.area_id)) ? [{ id: null, name: "No area" }] : []),
  ];
  const [areaId, setAreaId] = useState<number | null>(choices[0]?.id ?? null);
  const [selectedId, setSelectedId] = useState<number | null>(null);
  const [drag, setDrag] = useState<Drag | null>(null);
  const plan = useRef<HTMLDivElement>(null);

  const inArea = tables.filter((t) => (areaId === null ? t.area_id === null || !known.has(t.area_id) : t.area_id === areaId));
  const selected = tables.find((t) => t.id === selectedId) ?? null;

  const save = useMutation({
    mutationFn: ({ table, body }: { table: TableRead; body: TableUpdate }) =>
      unwrap(
        api.PATCH("/api/v1/restaurants/{restaurant_id}/tables/{table_id}", {
          params: { path: { restaurant_id: rid, table_id: table.id } },
          body: { ...body, version: table.version },
        }),
      ),
    onSuccess: (updated) => {
      queryClient.setQueryData<components["schemas"]["TableList"]>(queryKeys.tables(rid), (list) =>
        list ? { ...list, items: list.items.map((t) => (t.id === updated.id ? updated : t)) } : list,
      );
      void queryClient.invalidateQueries({ queryKey: queryKeys.floor(rid) });
    },
    onError: async (error) => {
      if (isProblem(error, "stale-version")) await queryClient.invalidateQueries({ queryKey: queryKeys.tables(rid) });
    },
  });
  const change = (table: TableRead, body: TableUpdate) => {
    save.reset();
    save.mutate({ table, body });
  };

  const onPointerDown = (event: PointerEvent<HTMLButtonElement>, table: TableRead & { plan_x: number; plan_y: number }) => {
    if (event.button !== 0) return;
    event.currentTarget.setPointerCapture?.(event.pointerId);
    setSelectedId(table.id);
    setDrag({
      id: table.id,
      pointerX: event.clientX,
      pointerY: event.clientY,
      startX: table.plan_x,
      startY: table.plan_y,
      x: table.plan_x,
      y: table.plan_y,
      moved: false,
    });
  };
  const onPointerMove = (event: PointerEvent<HTMLButtonElement>, table: TableRead) => {
    if (drag === null || drag.id !== table.id) return;
    const dx = event.clientX - drag.pointerX;
    const dy = event.clientY - drag.pointerY;
    const to = dragTo(
      { x: drag.startX, y: drag.startY },
      { dx, dy },
      { width: table.plan_width, height: table.plan_height },
      plan.current?.getBoundingClientRect().width ?? PLAN_WIDTH,
    );
    setDrag({ ...drag, ...to, moved: drag.moved || Math.abs(dx) + Math.abs(dy) > 3 });
  };
  const onPointerUp = (table: TableRead) => {
    if (drag === null || drag.id !== table.id) return;
    setDrag(null);
    if (drag.moved && (drag.x !== drag.startX || drag.y !== drag.startY)) change(table, { plan_x: drag.x, plan_y: drag.y });
  };
  const onKeyDown = (event: KeyboardEvent<HTMLButtonElement>, table: TableRead & { plan_x: number; plan_y: number }) => {
    const step = event.shiftKey ? 1 : 10;
    const moves: Record<string, [number, number]> = {
      ArrowLeft: [-step, 0],
      ArrowRight: [step, 0],
      ArrowUp: [0, -step],
      ArrowDown: [0, step],
    };
    const move = moves[event.key];
    if (move === undefined) return;
    event.preventDefault();
    change(table, {
      plan_x: clamp(table.plan_x + move[0], 0, PLAN_WIDTH - table.plan_width),
      plan_y: clamp(table.plan_y + move[1], 0, PLAN_HEIGHT - table.plan_height),
    });
  };

  if (tables.length === 0) {
    return <p className="admin-empty">No tables yet: add them under Tables &amp; QR first.</p>;
  }
  return (
    <div className="plan-editor">
      <div className="plan-areas" role="group" aria-label="Area">
        {choices.map((choice) => (
          <button
            key={choice.id ?? "none"}
            type="button"
            className="button floor-toggle"
            aria-pressed={areaId === choice.id}
            onClick={() => {
              setAreaId(choice.id);
              setSelectedId(null);
            }}
          >
            {choice.name}
          </button>
        ))}
      </div>
      <p className="admin-muted">
        Drag a table to move it (or focus it and use the arrow keys); select it to set its shape, size, seats and waiter.
      </p>
      <div className="plan-editor-body">
        <div className="floor-plan plan-canvas" ref={plan} role="group" aria-label="Floor plan">
          {inArea.filter(isPlaced).map((table) => {
            const at = drag?.id === table.id ? { ...table, plan_x: drag.x, plan_y: drag.y } : table;
            return (
              <button
                key={table.id}
                type="button"
                className={`floor-plan-table shape-${table.shape} plan-table${selectedId === table.id ? " selected" : ""}`}
                style={boxStyle(at)}
                aria-label={`${tableLabel(table.name)}, at ${at.plan_x}, ${at.plan_y}`}
                aria-pressed={selectedId === table.id}
                onPointerDown={(event) => onPointerDown(event, table)}
                onPointerMove={(event) => onPointerMove(event, table)}
                onPointerUp={() => onPointerUp(table)}
                onPointerCancel={() => setDrag(null)}
                onKeyDown={(event) => onKeyDown(event, table)}
                onClick={() => setSelectedId(table.id)}
              >
                <span className="floor-plan-name">{table.name}</span>
                <span className="floor-plan-facts">{table.seats} seats</span>
              </button>
            );
          })}
        </div>
        <aside className="plan-side">
          {selected !== null ? (
            <TableBoxForm
              key={`${selected.id}-${selected.version}`}
              table={selected}
              staff={staff}
              busy={save.isPending}
              onSave={(body) => change(selected, body)}
            />
          ) : (
            <p className="admin-muted">Select a table on the plan.</p>
          )}
          <FormError error={staleMessage(save.error) ?? save.error} />
          <h2>Not on the plan</h2>
          {inArea.filter((t) => !isPlaced(t)).length === 0 ? <p className="admin-empty">Every table here is placed.</p> : null}
          <ul className="admin-list">
            {inArea
              .filter((t) => !isPlaced(t))
              .map((table) => (
                <li key={table.id} className="admin-row">
                  <span className="row-title">{tableLabel(table.name)}</span>
                  <button
                    type="button"
                    aria-label={`Place ${tableLabel(table.name)} on the plan`}
                    onClick={() => {
                      const spot = freeSpot(inArea, table.plan_width, table.plan_height);
                      setSelectedId(table.id);
                      change(table, { plan_x: spot.x, plan_y: spot.y });
                    }}
                  >
                    Place on plan
                  </button>
                </li>
              ))}
          </ul>
        </aside>
      </div>
    </div>
  );
}

/** The message for a refused stale edit. */
function staleMessage(error: unknown): Error | null {
  return isProblem(error, "stale-version")
    ? new Error("Someone else changed this table meanwhile; the plan was reloaded. Make the change again.")
    : null;
}

/** The selected table's shape, size, seats and waiter; "Take off the plan". */
function TableBoxForm({
  table,
  staff,
  busy,
  onSave,
}: {
  table: TableRead;
  staff: readonly components["schemas"]["StaffMemberRead"][];
  busy: boolean;
  onSave: (body: TableUpdate) => void;
}) {
  const [shape, setShape] = useState<TableShape>(table.shape);
  const [width, setWidth] = useState(String(table.plan_width));
  const [height, setHeight] = useState(String(table.plan_height));
  const [seats, setSeats] = useState(String(table.seats));
  const [waiter, setWaiter] = useState(table.waiter_id === null ? "" : String(table.waiter_id));
  const [problem, setProblem] = useState<string | null>(null);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const w = Number(width);
    const h = Number(height);
    const n = Number(seats);
    const side = (v: number) => Number.isInteger(v) && v >= PLAN_MIN_SIDE && v <= PLAN_MAX_SIDE;
    if (!side(w) || !side(h)) {
      setProblem(`Width and height: whole numbers from ${PLAN_MIN_SIDE} to ${PLAN_MAX_SIDE}.`);
      return;
    }
    if (!(Number.isInteger(n) && n >= 1 && n <= 1000)) {
      setProblem("Seats: a whole number from 1 to 1000.");
      return;
    }
    setProblem(null);
    const body: TableUpdate = { shape, plan_width: w, plan_height: h, seats: n, waiter_id: waiter === "" ? null : Number(waiter) };
    if (isPlaced(table)) {
      // keep the box on the plan when it grows
      body.plan_x = clamp(table.plan_x, 0, PLAN_WIDTH - w);
      body.plan_y = clamp(table.plan_y, 0, PLAN_HEIGHT - h);
    }
    onSave(body);
  };
  return (
    <form className="plan-form" aria-label={`${tableLabel(table.name)} on the plan`} onSubmit={submit} noValidate>
      <h2>{tableLabel(table.name)}</h2>
      <Field label="Shape">
        {(control) => (
          <select {...control} value={shape} onChange={(e) => setShape(e.target.value as TableShape)}>
            {SHAPES.map((s) => (
              <option key={s.value} value={s.value}>
                {s.label}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label="Width">
        {(control) => <input {...control} inputMode="numeric" value={width} onChange={(e) => setWidth(e.target.value)} />}
      </Field>
      <Field label="Height">
        {(control) => <input {...control} inputMode="numeric" value={height} onChange={(e) => setHeight(e.target.value)} />}
      </Field>
      <Field label="Seats">
        {(control) => <input {...control} inputMode="numeric" value={seats} onChange={(e) => setSeats(e.target.value)} />}
      </Field>
      <Field label="Waiter (section)">
        {(control) => (
          <select {...control} value={waiter} onChange={(e) => setWaiter(e.target.value)}>
            <option value="">Nobody</option>
            {staff.map((m) => (
              <option key={m.user_id} value={String(m.user_id)}>
                {m.full_name.trim() || m.username}
              </option>
            ))}
          </select>
        )}
      </Field>
      {problem !== null ? (
        <p className="field-error" role="alert">
          {problem}
        </p>
      ) : null}
      <div className="row-actions">
        <button type="submit" className="button button-primary" disabled={busy}>
          Save table
        </button>
        {isPlaced(table) ? (
          <button type="button" disabled={busy} onClick={() => onSave({ plan_x: null, plan_y: null })}>
            Take off the plan
          </button>
        ) : null}
      </div>
    </form>
  );
}

/** The restaurant's course pacing: minutes after a bump until the next course fires (0 = off). */
function CoursePacing() {
  const { api, queryClient } = useServices();
  const { restaurantId: rid } = useRestaurantScope();
  const restaurant = useQuery(restaurantQuery(api, rid));
  const [minutes, setMinutes] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const save = useMutation({
    mutationFn: (value: number) =>
      unwrap(
        api.PATCH("/api/v1/restaurants/{restaurant_id}", {
          params: { path: { restaurant_id: rid } },
          body: { course_auto_fire_minutes: value },
        }),
      ),
    onSuccess: (updated) => {
      queryClient.setQueryData(queryKeys.restaurant(rid), updated);
      setMinutes(null);
    },
  });
  if (!restaurant.data) return null;
  const current = restaurant.data.course_auto_fire_minutes;
  const shown = minutes ?? String(current);
  return (
    <form
      className="inline-form plan-pacing"
      aria-label="Course pacing"
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        const value = Number(shown);
        if (!(/^\d+$/.test(shown.trim()) && value <= 240)) {
          setProblem("Minutes: a whole number from 0 (off) to 240.");
          return;
        }
        setProblem(null);
        save.mutate(value);
      }}
    >
      <Field
        label="Fire the next course automatically, minutes after the previous one is bumped (0 = off)"
        error={problem ?? undefined}
      >
        {(control) => <input {...control} inputMode="numeric" value={shown} onChange={(e) => setMinutes(e.target.value)} />}
      </Field>
      <div className="row-actions">
        <button type="submit" className="button" disabled={save.isPending}>
          Save pacing
        </button>
      </div>
      <p className="admin-muted" role="status">
        {current === 0 ? "Courses are fired by the waiter." : `The next course fires ${current} min after the previous one is bumped.`}
      </p>
      <FormError error={save.error} />
    </form>
  );
}
