/**
 * `/r/:restaurantId/admin/audit` — the audit log (owners and managers): who did what,
 * when, from which address, before and after, newest first. Filters by person (the
 * staff), kind and the restaurant's local dates (`GET …/audit`); "Download CSV" saves the
 * same entries as a CSV file (`format=csv`). Logins are on the platform's trail, which
 * only the platform admin reads (`GET /audit`).
 */
import { keepPreviousData, useMutation, useQuery } from "@tanstack/react-query";
import { useState } from "react";

import { unwrap } from "../../api/client";
import { queryKeys } from "../../api/queries";
import type { components } from "../../api/schema";
import { useRestaurantScope } from "../../auth/restaurant";
import { ErrorMessage } from "../../components/ErrorMessage";
import { useServices } from "../../services";
import { staffQuery } from "./adminApi";
import { QueryGate, formatDateTime, useRestaurant } from "./common";

type AuditKind = components["schemas"]["AuditKind"];
type AuditEntryRead = components["schemas"]["AuditEntryRead"];

/** Every kind of entry, with what a manager calls it. */
export const AUDIT_KINDS: Record<AuditKind, string> = {
  "line.voided": "Line voided",
  "discount.added": "Discount",
  "comp.added": "Comp",
  "discount.approved": "Discount approved",
  "discount.removed": "Discount removed",
  "payment.refunded": "Refund",
  "payment.voided": "Payment voided",
  "price.changed": "Price changed",
  "item.86d": "Item 86'd",
  "item.restored": "Item back on",
  "settings.changed": "Settings changed",
  "drawer.opened": "Drawer opened",
  "drawer.counted": "Drawer counted",
  "day.closed": "Day closed (Z)",
  "staff.added": "Staff added",
  "staff.changed": "Staff changed",
  "staff.removed": "Staff removed",
  "api_token.revoked": "API token revoked",
  "user.deactivated": "Login deactivated",
  "user.reactivated": "Login reactivated",
  "password.changed": "Password changed",
  login: "Login",
  "login.failed": "Failed login",
};

/** The kinds a restaurant's trail holds (logins are the platform's). */
const RESTAURANT_KINDS = (Object.keys(AUDIT_KINDS) as AuditKind[]).filter((k) => k !== "login" && k !== "login.failed");

const PAGE = 100;

interface Filters {
  userId: string;
  kind: string;
  startDate: string;
  endDate: string;
}

const NO_FILTERS: Filters = { userId: "", kind: "", startDate: "", endDate: "" };

function queryOf(f: Filters, offset: number) {
  return {
    ...(f.userId ? { user_id: Number(f.userId) } : {}),
    ...(f.kind ? { kind: [f.kind as AuditKind] } : {}),
    ...(f.startDate ? { start_date: f.startDate } : {}),
    ...(f.endDate ? { end_date: f.endDate } : {}),
    limit: PAGE,
    offset,
  };
}

/** A compact, readable form of a before/after value ("—" for none). */
export function shown(value: unknown): string {
  if (value === null || value === undefined) return "—";
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (typeof value !== "object") return JSON.stringify(value);
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return "—";
  return entries.map(([k, v]) => `${k}: ${typeof v === "object" && v !== null ? JSON.stringify(v) : String(v)}`).join(", ");
}

export function AuditAdmin() {
  const { api } = useServices();
  const { restaurantId: rid } = useRestaurantScope();
  const restaurant = useRestaurant();
  const staff = useQuery(staffQuery(api, rid));
  const [draft, setDraft] = useState<Filters>(NO_FILTERS);
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  const [offset, setOffset] = useState(0);
  const entries = useQuery({
    queryKey: [...queryKeys.restaurantAll(rid), "audit", filters, offset] as const,
    queryFn: async ({ signal }) => {
      const body = await unwrap(
        api.GET("/api/v1/restaurants/{restaurant_id}/audit", {
          params: { path: { restaurant_id: rid }, query: queryOf(filters, offset) },
          signal,
        }),
      );
      if (typeof body === "string") throw new Error("the server answered CSV to a JSON request");
      return body;
    },
    placeholderData: keepPreviousData,
  });
  const download = useMutation({
    mutationFn: async () => {
      const text = await unwrap(
        api.GET("/api/v1/restaurants/{restaurant_id}/audit", {
          params: { path: { restaurant_id: rid }, query: { ...queryOf(filters, 0), limit: 100_000, format: "csv" } },
          parseAs: "text",
        }),
      );
      const url = URL.createObjectURL(new Blob([typeof text === "string" ? text : JSON.stringify(text)], { type: "text/csv" }));
      const link = document.createElement("a");
      link.href = url;
      link.download = `audit-${rid}.csv`;
      link.click();
      URL.revokeObjectURL(url);
    },
  });
  const zone = restaurant.data?.time_zone;
  const badRange = draft.startDate !== "" && draft.endDate !== "" && draft.startDate > draft.endDate;

  return (
    <div className="admin-page audit-admin">
      <h1>Audit log</h1>
      <form
        className="admin-form audit-filters admin-panel"
        aria-label="Audit filters"
        onSubmit={(e) => {
          e.preventDefault();
          if (badRange) return;
          setOffset(0);
          setFilters(draft);
        }}
      >
        <label>
          Person
          <select value={draft.userId} onChange={(e) => setDraft((d) => ({ ...d, userId: e.target.value }))}>
            <option value="">Anyone</option>
            {(staff.data?.items ?? []).map((m) => (
              <option key={m.user_id} value={m.user_id}>
                {m.full_name ? `${m.full_name} (${m.username})` : m.username}
              </option>
            ))}
          </select>
        </label>
        <label>
          What
          <select value={draft.kind} onChange={(e) => setDraft((d) => ({ ...d, kind: e.target.value }))}>
            <option value="">Everything</option>
            {RESTAURANT_KINDS.map((k) => (
              <option key={k} value={k}>
                {AUDIT_KINDS[k]}
              </option>
            ))}
          </select>
        </label>
        <label>
          From
          <input type="date" value={draft.startDate} onChange={(e) => setDraft((d) => ({ ...d, startDate: e.target.value }))} />
        </label>
        <label>
          To
          <input type="date" value={draft.endDate} onChange={(e) => setDraft((d) => ({ ...d, endDate: e.target.value }))} />
        </label>
        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={badRange}>
            Show
          </button>
          <button type="button" className="button" onClick={() => download.mutate()} disabled={download.isPending}>
            Download CSV
          </button>
        </div>
        {badRange ? (
          <p role="alert" className="error-message">
            The start date is after the end date.
          </p>
        ) : null}
        {download.error ? <ErrorMessage error={download.error} /> : null}
      </form>
      <QueryGate queries={[entries]} what="the audit log">
        {() => {
          const page = entries.data;
          if (!page) return null;
          if (page.items.length === 0) return <p className="empty-note">No entries match.</p>;
          return (
            <>
              <p role="status" className="audit-count">
                {page.total} {page.total === 1 ? "entry" : "entries"}
              </p>
              <table className="admin-table audit-table">
                <thead>
                  <tr>
                    <th scope="col">When</th>
                    <th scope="col">Who</th>
                    <th scope="col">From</th>
                    <th scope="col">What</th>
                    <th scope="col">Details</th>
                    <th scope="col">Before</th>
                    <th scope="col">After</th>
                  </tr>
                </thead>
                <tbody>
                  {page.items.map((entry: AuditEntryRead) => (
                    <tr key={entry.id}>
                      <td>{formatDateTime(entry.at, zone)}</td>
                      <td>{entry.username ?? entry.actor}</td>
                      <td>{entry.address ?? "—"}</td>
                      <td>{AUDIT_KINDS[entry.kind as AuditKind] ?? entry.kind}</td>
                      <td>{entry.summary}</td>
                      <td className="audit-value">{shown(entry.before)}</td>
                      <td className="audit-value">{shown(entry.after)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <div className="form-actions">
                <button type="button" className="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>
                  Newer
                </button>
                <button type="button" className="button" disabled={offset + PAGE >= page.total} onClick={() => setOffset(offset + PAGE)}>
                  Older
                </button>
              </div>
            </>
          );
        }}
      </QueryGate>
    </div>
  );
}
