/**
 * The scopes an API token may carry: the server's permission values. Their list comes
 * from the generated schema (`ApiTokenCreate.scopes`), so a permission added on the server
 * without a label here fails the type check.
 */
import type { components } from "../../api/schema";

/** One permission value, as the server's schema lists them. */
export type Scope = components["schemas"]["ApiTokenCreate"]["scopes"][number];

export interface ScopeInfo {
  value: Scope;
  /** What it lets a device do. */
  label: string;
}

/** What each scope lets a device do, for every scope the server knows. */
const SCOPE_LABELS: Record<Scope, string> = {
  "restaurant:read": "Read the restaurant's settings",
  "restaurant:write": "Change the restaurant's settings",
  "staff:read": "See the staff",
  "staff:write": "Manage the staff",
  "tokens:read": "See API tokens",
  "tokens:write": "Create and revoke API tokens",
  "devices:write": "Register and revoke shared devices",
  "menu:read": "Read the menu",
  "menu:write": "Edit the menu",
  "menu:availability": "86 items and put them back",
  "tables:read": "See tables and the floor",
  "tables:write": "Edit tables",
  "floor:plan": "Lay out the floor plan and waiters' sections",
  "orders:read": "Read orders",
  "orders:write": "Take and change orders",
  "orders:void": "Void order lines",
  "kitchen:read": "See kitchen tickets",
  "kitchen:bump": "Start, ready and bump tickets",
  "billing:read": "See checks",
  "billing:request": "Request (open) an order's check",
  "billing:write": "Take payments",
  "billing:approve": "Approve discounts beyond the threshold",
  "reports:read": "Read the reports",
  "tills:read": "See tills and cash shifts",
  "tills:write": "Create tills",
  "shifts:write": "Open, count and close cash shifts",
  "day:close": "Take the Z report (close the day)",
  "events:read": "Receive live updates (Socket.IO)",
  "inventory:read": "See the stock, the reorder list and the usage report",
  "inventory:write": "Record deliveries, waste and counts; edit ingredients and recipes",
  "audit:read": "Read the audit log",
};

export const SCOPES: readonly ScopeInfo[] = (Object.keys(SCOPE_LABELS) as Scope[]).map((value) => ({
  value,
  label: SCOPE_LABELS[value],
}));

/** Ready-made sets for the usual devices. */
export const SCOPE_PRESETS: readonly { name: string; scopes: readonly Scope[] }[] = [
  {
    name: "Kitchen screen",
    scopes: ["restaurant:read", "menu:read", "menu:availability", "orders:read", "kitchen:read", "kitchen:bump", "events:read"],
  },
  { name: "Menu board", scopes: ["restaurant:read", "menu:read", "events:read"] },
  { name: "Reports export", scopes: ["restaurant:read", "reports:read"] },
];
