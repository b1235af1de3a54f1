/**
 * `/r/:restaurantId/admin/tables` — floor areas (create, rename, reorder, delete: their
 * tables stay, without an area), tables (name, seats, area; create, edit, delete — not
 * while a table has an open order: 409 `table-occupied`), and `?view=qr`: the printable
 * sheet of every table's QR code ("Print QR codes").
 */
import { useMutation, useQuery } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useSearchParams } from "react-router";

import { unwrap } from "../../api/client";
import { ApiError } from "../../api/errors";
import { queryKeys, tablesQuery } from "../../api/queries";
import { useRestaurantScope } from "../../auth/restaurant";
import { useServices } from "../../services";
import { adminKeys, areasQuery, moved, tableLabel, type AreaRead, type TableRead } from "./adminApi";
import { ConfirmDialog, Field, FormError, QueryGate, isProblem, serverFieldError } from "./common";
import { QrSheet } from "./QrSheet";

/** Tables grouped by area, in area order, then the tables without an area. */
export function groupTables(
  areas: readonly AreaRead[],
  tables: readonly TableRead[],
): { area: AreaRead | null; tables: TableRead[] }[] {
  const known = new Set(areas.map((a) => a.id));
  const groups: { area: AreaRead | null; tables: TableRead[] }[] = areas.map((area) => ({
    area,
    tables: tables.filter((t) => t.area_id === area.id),
  }));
  const loose = tables.filter((t) => t.area_id === null || !known.has(t.area_id));
  if (loose.length > 0) groups.push({ area: null, tables: loose });
  return groups;
}

export function TablesAdmin() {
  const { api } = useServices();
  const { restaurantId: rid } = useRestaurantScope();
  const [params, setParams] = useSearchParams();
  const areas = useQuery(areasQuery(api, rid));
  const tables = useQuery(tablesQuery(api, rid));
  const showQr = params.get("view") === "qr";
  // `?view=qr&table=ID`: one table's card only
  const onlyTable = Number(params.get("table"));
  if (showQr) {
    return (
      <div className="admin-page">
        <QueryGate queries={[areas, tables]} what="the tables">
          {() => (
            <QrSheet
              groups={groupTables(
                areas.data?.items ?? [],
                (tables.data?.items ?? []).filter((t) => !(onlyTable > 0) || t.id === onlyTable),
              )}
              onBack={() => setParams({}, { replace: false })}
            />
          )}
        </QueryGate>
      </div>
    );
  }
  return (
    <div className="admin-page">
      <div className="panel-header">
        <h1>Tables and QR codes</h1>
        <button type="button" className="button button-primary" onClick={() => setParams({ view: "qr" })}>
          Print QR codes
        </button>
      </div>
      <QueryGate queries={[areas, tables]} what="the tables">
        {() => (
          <div className="tables-admin">
            <Areas areas={areas.data?.items ?? []} />
            <Tables areas={areas.data?.items ?? []} tables={tables.data?.items ?? []} />
          </div>
        )}
      </QueryGate>
    </div>
  );
}

// --- areas ---------------------------------------------------------------------------------

function Areas({ areas }: { areas: readonly AreaRead[] }) {
  const { api, queryClient } = useServices();
  const { restaurantId: rid } = useRestaurantScope();
  const [renaming, setRenaming] = useState<number | null>(null);
  const [deleting, setDeleting] = useState<AreaRead | null>(null);
  const [rowError, setRowError] = useState<{ id: number; error: unknown } | null>(null);
  const invalidate = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: adminKeys.areas(rid) }),
      queryClient.invalidateQueries({ queryKey: queryKeys.floor(rid) }),
    ]);

  const reorder = useMutation({
    mutationFn: async (order: readonly AreaRead[]) => {
      for (const [index, area] of order.entries()) {
        if (area.position === index) continue;
        await unwrap(
          api.PATCH("/api/v1/restaurants/{restaurant_id}/areas/{area_id}", {
            params: { path: { restaurant_id: rid, area_id: area.id } },
            body: { position: index },
          }),
        );
      }
    },
    onSettled: invalidate,
  });
  const remove = useMutation({
    mutationFn: (area: AreaRead) =>
      unwrap(
        api.DELETE("/api/v1/restaurants/{restaurant_id}/areas/{area_id}", {
          params: { path: { restaurant_id: rid, area_id: area.id } },
        }),
      ),
    onSuccess: async () => {
      setDeleting(null);
      await Promise.all([invalidate(), queryClient.invalidateQueries({ queryKey: queryKeys.tables(rid) })]);
    },
  });

  return (
    <section className="admin-panel" aria-labelledby="areas-title">
      <h2 id="areas-title">Areas</h2>
      {areas.length === 0 ? <p className="admin-empty">No areas: every table is in one room.</p> : null}
      <ul className="admin-list">
        {areas.map((area, index) => (
          <li key={area.id} className="admin-row">
            {renaming === area.id ? (
              <AreaForm area={area} onDone={() => setRenaming(null)} />
            ) : (
              <>
                <span className="row-title">{area.name}</span>
                <div className="row-actions">
                  <button type="button" aria-label={`Rename ${area.name}`} onClick={() => setRenaming(area.id)}>
                    Rename
                  </button>
                  <button
                    type="button"
                    aria-label={`Move ${area.name} up`}
                    disabled={index === 0 || reorder.isPending}
                    onClick={() => {
                      setRowError(null);
                      reorder.mutate(moved(areas, index, -1), { onError: (error) => setRowError({ id: area.id, error }) });
                    }}
                  >
                    Up
                  </button>
                  <button
                    type="button"
                    aria-label={`Move ${area.name} down`}
                    disabled={index === areas.length - 1 || reorder.isPending}
                    onClick={() => {
                      setRowError(null);
                      reorder.mutate(moved(areas, index, 1), { onError: (error) => setRowError({ id: area.id, error }) });
                    }}
                  >
                    Down
                  </button>
                  <button
                    type="button"
                    className="button-danger-quiet"
                    aria-label={`Delete ${area.name}`}
                    onClick={() => {
                      remove.reset();
                      setDeleting(area);
                    }}
                  >
                    Delete
                  </button>
                </div>
              </>
            )}
            {rowError?.id === area.id ? (
              <div className="row-error">
                <FormError error={rowError.error} />
              </div>
            ) : null}
          </li>
        ))}
      </ul>
      <AreaForm area={null} position={areas.length} />
      {deleting ? (
        <ConfirmDialog
          title={`Delete the area ${deleting.name}?`}
          confirmLabel="Delete area"
          busy={remove.isPending}
          error={remove.error}
          onCancel={() => setDeleting(null)}
          onConfirm={() => remove.mutate(deleting)}
        >
          <p>Its tables stay, without an area.</p>
        </ConfirmDialog>
      ) : null}
    </section>
  );
}

/** Rename `area`, or create one when `area` is null. */
function AreaForm({ area, position = 0, onDone }: { area: AreaRead | null; position?: number; onDone?: () => void }) {
  const { api, queryClient } = useServices();
  const { restaurantId: rid } = useRestaurantScope();
  const [name, setName] = useState(area?.name ?? "");
  const [local, setLocal] = useState<string | undefined>();
  const save = useMutation({
    mutationFn: (newName: string) =>
      area === null
        ? unwrap(
            api.POST("/api/v1/restaurants/{restaurant_id}/areas", {
              params: { path: { restaurant_id: rid } },
              body: { name: newName, position },
            }),
          )
        : unwrap(
            api.PATCH("/api/v1/restaurants/{restaurant_id}/areas/{area_id}", {
              params: { path: { restaurant_id: rid, area_id: area.id } },
              body: { name: newName },
            }),
          ),
    onSuccess: async () => {
      if (area === null) setName("");
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: adminKeys.areas(rid) }),
        queryClient.invalidateQueries({ queryKey: queryKeys.floor(rid) }),
      ]);
      onDone?.();
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (name.trim() === "") {
      setLocal("The area needs a name.");
      return;
    }
    setLocal(undefined);
    save.mutate(name.trim());
  };
  return (
    <form className="inline-form" aria-label={area ? `Rename ${area.name}` : "New area"} onSubmit={submit} noValidate>
      <Field label={area ? "New name" : "Area name"} error={local ?? serverFieldError(save.error, "name")}>
        {(control) => <input {...control} value={name} onChange={(e) => setName(e.target.value)} maxLength={100} autoFocus={area !== null} />}
      </Field>
      <div className="row-actions">
        <button type="submit" className="button button-primary" disabled={save.isPending}>
          {area ? "Save" : "Add area"}
        </button>
        {onDone ? (
          <button type="button" onClick={onDone}>
            Cancel
          </button>
        ) : null}
      </div>
      <FormError error={save.error} fields={["name"]} />
    </form>
  );
}

// --- tables --------------------------------------------------------------------------------

function Tables({ areas, tables }: { areas: readonly AreaRead[]; tables: readonly TableRead[] }) {
  const { api, queryClient } = useServices();
  const { restaurantId: rid } = useRestaurantScope();
  const [editing, setEditing] = useState<number | null>(null);
  const [deleting, setDeleting] = useState<TableRead | null>(null);
  const [, setParams] = useSearchParams();
  const remove = useMutation({
    mutationFn: (table: TableRead) =>
      unwrap(
        api.DELETE("/api/v1/restaurants/{restaurant_id}/tables/{table_id}", {
          params: { path: { restaurant_id: rid, table_id: table.id }, query: { version: table.version } },
        }),
      ),
    onSuccess: async () => {
      setDeleting(null);
      await invalidateTables(queryClient, rid);
    },
    onError: async (error) => {
      if (isProblem(error, "stale-version")) await invalidateTables(queryClient, rid);
    },
  });
  const groups = groupTables(areas, tables);
  return (
    <section className="admin-panel" aria-labelledby="tables-title">
      <h2 id="tables-title">Tables</h2>
      {tables.length === 0 ? <p className="admin-empty">No tables yet.</p> : null}
      {groups.map(({ area, tables: inArea }) => (
        <div key={area?.id ?? "none"} className="table-group">
          <h3>{area?.name ?? "No area"}</h3>
          {inArea.length === 0 ? <p className="admin-empty">No tables here.</p> : null}
          <ul className="admin-list">
            {inArea.map((table) => (
              <li key={table.id} className="admin-row">
                {editing === table.id ? (
                  <TableForm table={table} areas={areas} onDone={() => setEditing(null)} />
                ) : (
                  <>
                    <span className="row-title">{tableLabel(table.name)}</span>
                    <span className="admin-muted">
                      {table.seats} seat{table.seats === 1 ? "" : "s"}
                      {table.status === "occupied" ? " · occupied" : ""}
                    </span>
                    <div className="row-actions">
                      <button
                        type="button"
                        aria-label={`Print the QR code of ${tableLabel(table.name)}`}
                        onClick={() => setParams({ view: "qr", table: String(table.id) })}
                      >
                        QR code
                      </button>
                      <button type="button" aria-label={`Edit ${tableLabel(table.name)}`} onClick={() => setEditing(table.id)}>
                        Edit
                      </button>
                      <button
                        type="button"
                        className="button-danger-quiet"
                        aria-label={`Delete ${tableLabel(table.name)}`}
                        onClick={() => {
                          remove.reset();
                          setDeleting(table);
                        }}
                      >
                        Delete
                      </button>
                    </div>
                  </>
                )}
              </li>
            ))}
          </ul>
        </div>
      ))}
      <h3>Add a table</h3>
      <TableForm table={null} areas={areas} position={tables.length} />
      {deleting ? (
        <ConfirmDialog
          title={`Delete ${tableLabel(deleting.name)}?`}
          confirmLabel="Delete table"
          busy={remove.isPending}
          error={tableProblem(remove.error, deleting.name) ?? remove.error}
          onCancel={() => setDeleting(null)}
          onConfirm={() => remove.mutate(deleting)}
        >
          <p>Its QR code stops working. Past orders keep their table name.</p>
        </ConfirmDialog>
      ) : null}
    </section>
  );
}

function invalidateTables(queryClient: ReturnType<typeof useServices>["queryClient"], rid: number) {
  return Promise.all([
    queryClient.invalidateQueries({ queryKey: queryKeys.tables(rid) }),
    queryClient.invalidateQueries({ queryKey: queryKeys.floor(rid) }),
  ]);
}

/** A readable message for the table problems a person can act on. */
function tableProblem(error: unknown, name: string): string | null {
  if (!(error instanceof ApiError)) return null;
  if (error.is("table-occupied")) return `${tableLabel(name)} has an open order: close or move it first.`;
  if (error.is("stale-version")) return `${tableLabel(name)} was just changed on another device: look again and retry.`;
  return null;
}

/** Edit `table`, or create one when `table` is null: name (unique), seats, area. */
function TableForm({
  table,
  areas,
  position = 0,
  onDone,
}: {
  table: TableRead | null;
  areas: readonly AreaRead[];
  position?: number;
  onDone?: () => void;
}) {
  const { api, queryClient } = useServices();
  const { restaurantId: rid } = useRestaurantScope();
  const [name, setName] = useState(table?.name ?? "");
  const [seats, setSeats] = useState(String(table?.seats ?? 4));
  const [area, setArea] = useState(table?.area_id != null ? String(table.area_id) : (areas[0] ? String(areas[0].id) : ""));
  const [local, setLocal] = useState<{ name?: string; seats?: string }>({});
  const save = useMutation({
    mutationFn: (body: { name: string; seats: number; area_id: number | null }) =>
      table === null
        ? unwrap(
            api.POST("/api/v1/restaurants/{restaurant_id}/tables", {
              params: { path: { restaurant_id: rid } },
              body: { ...body, position },
            }),
          )
        : unwrap(
            api.PATCH("/api/v1/restaurants/{restaurant_id}/tables/{table_id}", {
              params: { path: { restaurant_id: rid, table_id: table.id } },
              body: { ...body, version: table.version },
            }),
          ),
    onSuccess: async () => {
      if (table === null) {
        setName("");
      }
      await invalidateTables(queryClient, rid);
      onDone?.();
    },
    onError: async (error) => {
      if (isProblem(error, "stale-version")) await invalidateTables(queryClient, rid);
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const errors: typeof local = {};
    if (name.trim() === "") errors.name = "The table needs a name, e.g. 12.";
    const seatCount = /^\d+$/.test(seats.trim()) ? Number(seats) : NaN;
    if (!(seatCount >= 1 && seatCount <= 1000)) errors.seats = "Seats: a whole number from 1 to 1000.";
    setLocal(errors);
    if (errors.name || errors.seats) return;
    save.mutate({ name: name.trim(), seats: seatCount, area_id: area === "" ? null : Number(area) });
  };
  const error = save.error;
  const nameError =
    local.name ??
    (isProblem(error, "table-name-taken") ? `There is already a table named ${name.trim()}.` : undefined) ??
    serverFieldError(error, "name");
  const known = table ? tableProblem(error, table.name) : null;
  return (
    <form className="inline-form" aria-label={table ? `Edit ${tableLabel(table.name)}` : "New table"} onSubmit={submit} noValidate>
      <Field label="Table name" error={nameError}>
        {(control) => <input {...control} value={name} onChange={(e) => setName(e.target.value)} maxLength={50} autoFocus={table !== null} />}
      </Field>
      <Field label="Seats" error={local.seats ?? serverFieldError(error, "seats")}>
        {(control) => <input {...control} inputMode="numeric" value={seats} onChange={(e) => setSeats(e.target.value)} />}
      </Field>
      <Field label="Area" error={serverFieldError(error, "area_id")}>
        {(control) => (
          <select {...control} value={area} onChange={(e) => setArea(e.target.value)}>
            {areas.map((a) => (
              <option key={a.id} value={a.id}>
                {a.name}
              </option>
            ))}
            <option value="">No area</option>
          </select>
        )}
      </Field>
      <div className="row-actions">
        <button type="submit" className="button button-primary" disabled={save.isPending}>
          {table ? "Save" : "Add table"}
        </button>
        {onDone ? (
          <button type="button" onClick={onDone}>
            Cancel
          </button>
        ) : null}
      </div>
      {known ? (
        <p role="alert" className="error-message row-error">
          {known}
        </p>
      ) : (
        <div className="row-error">
          <FormError error={error} fields={["name", "seats", "area_id"]} handled={["table-name-taken"]} />
        </div>
      )}
    </form>
  );
}
