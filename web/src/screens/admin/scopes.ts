/**
 * The scopes an API token may carry: the server's permission values
 * (`src/brigade/auth/permissions.py`, `Permission`; the API takes them as plain strings,
 * so the schema has no list of them). Unknown scopes are refused by the server (422).
 */

export interface ScopeInfo {
  value: string;
  /** What it lets a device do. */
  label: string;
}

export const SCOPES: readonly ScopeInfo[] = [
  { value: "restaurant:read", label: "Read the restaurant's settings" },
  { value: "restaurant:write", label: "Change the restaurant's settings" },
  { value: "staff:read", label: "See the staff" },
  { value: "staff:write", label: "Manage the staff" },
  { value: "tokens:read", label: "See API tokens" },
  { value: "tokens:write", label: "Create and revoke API tokens" },
  { value: "menu:read", label: "Read the menu" },
  { value: "menu:write", label: "Edit the menu" },
  { value: "menu:availability", label: "86 items and put them back" },
  { value: "tables:read", label: "See tables and the floor" },
  { value: "tables:write", label: "Edit tables" },
  { value: "orders:read", label: "Read orders" },
  { value: "orders:write", label: "Take and change orders" },
  { value: "orders:void", label: "Void order lines" },
  { value: "kitchen:read", label: "See kitchen tickets" },
  { value: "kitchen:bump", label: "Start, ready and bump tickets" },
  { value: "billing:read", label: "See checks" },
  { value: "billing:write", label: "Open checks and take payments" },
  { value: "reports:read", label: "Read the reports" },
  { value: "events:read", label: "Receive live updates (Socket.IO)" },
];

/** Ready-made sets for the usual devices. */
export const SCOPE_PRESETS: readonly { name: string; scopes: readonly string[] }[] = [
  {
    name: "Kitchen screen",
    scopes: ["restaurant:read", "menu:read", "menu:availability", "orders:read", "kitchen:read", "kitchen:bump", "events:read"],
  },
  { name: "Menu board", scopes: ["restaurant:read", "menu:read", "events:read"] },
  { name: "Reports export", scopes: ["restaurant:read", "reports:read"] },
];
