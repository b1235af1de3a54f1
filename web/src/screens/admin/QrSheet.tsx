/**
 * The printable sheet of table QR codes: one card per table (its QR code, its name, the
 * restaurant's name), three to a row on paper (`@media print` in admin.css hides the app
 * around it). Each code is `GET …/tables/{id}/qr.svg`, which needs the login, so it is
 * fetched by the authenticated client and shown through an object URL (revoked when the
 * card goes away).
 */
import { useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";

import { unwrap } from "../../api/client";
import { queryKeys } from "../../api/queries";
import { useRestaurantScope } from "../../auth/restaurant";
import { ErrorMessage } from "../../components/ErrorMessage";
import { useServices } from "../../services";
import { tableLabel, type AreaRead, type TableRead } from "./adminApi";

/** Query key of a table's QR code SVG (not under "tables": a seated table does not change its code). */
export const qrKey = (rid: number, tableId: number) => [...queryKeys.restaurantAll(rid), "qr", tableId] as const;

export function QrSheet({
  groups,
  onBack,
}: {
  groups: readonly { area: AreaRead | null; tables: TableRead[] }[];
  onBack: () => void;
}) {
  const { name: restaurantName } = useRestaurantScope();
  const tables = groups.flatMap((g) => g.tables);
  const [loaded, setLoaded] = useState<ReadonlySet<number>>(new Set());
  const ready = tables.every((t) => loaded.has(t.id));
  return (
    <section aria-labelledby="qr-title">
      <div className="qr-toolbar">
        <h1 id="qr-title">QR codes</h1>
        <button type="button" className="button button-primary" onClick={() => window.print()} disabled={tables.length === 0}>
          Print
        </button>
        <button type="button" className="button" onClick={onBack}>
          Back to tables
        </button>
        <p role="status" className="admin-muted">
          {tables.length === 0
            ? "There are no tables to print."
            : ready
              ? `${tables.length} card${tables.length === 1 ? "" : "s"}, ready to print.`
              : `Loading QR codes: ${loaded.size} of ${tables.length}…`}
        </p>
      </div>
      <ul className="qr-sheet" aria-label="QR code cards">
        {tables.map((table) => (
          <li key={table.id} className="qr-card" aria-label={tableLabel(table.name)}>
            <QrImage
              table={table}
              onLoaded={() => setLoaded((s) => (s.has(table.id) ? s : new Set([...s, table.id])))}
            />
            <p className="qr-restaurant">{restaurantName}</p>
            <p className="qr-table">{tableLabel(table.name)}</p>
            <p className="qr-hint">Scan to see the menu</p>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** One table's QR code, fetched with the login and shown from an object URL. */
function QrImage({ table, onLoaded }: { table: TableRead; onLoaded: () => void }) {
  const { api } = useServices();
  const { restaurantId: rid } = useRestaurantScope();
  const svg = useQuery({
    queryKey: qrKey(rid, table.id),
    queryFn: ({ signal }) =>
      unwrap(
        api.GET("/api/v1/restaurants/{restaurant_id}/tables/{table_id}/qr.svg", {
          params: { path: { restaurant_id: rid, table_id: table.id } },
          parseAs: "blob",
          signal,
        }),
      ),
    staleTime: Infinity,
  });
  const [url, setUrl] = useState<string | null>(null);
  const blob = svg.data;
  useEffect(() => {
    if (blob === undefined) return undefined;
    const objectUrl = URL.createObjectURL(blob);
    // eslint-disable-next-line react-hooks/set-state-in-effect -- publishes the object URL this effect creates (and revokes), an external resource
    setUrl(objectUrl);
    return () => {
      URL.revokeObjectURL(objectUrl);
      setUrl(null);
    };
  }, [blob]);
  if (svg.isError) {
    return (
      <div className="qr-placeholder">
        <ErrorMessage error={svg.error} />
      </div>
    );
  }
  if (url === null) {
    return (
      <div className="qr-placeholder" role="status">
        Loading…
      </div>
    );
  }
  return <img src={url} alt={`QR code: the menu at ${tableLabel(table.name)}`} onLoad={onLoaded} onError={onLoaded} />;
}
