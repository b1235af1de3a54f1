/** `/r/:restaurantId/admin/*` — the owner's and manager's back office, with its own tabs. */
import { NavLink, Outlet } from "react-router";

import { useRestaurantScope } from "../../auth/restaurant";
import "./admin.css";

const TABS = [
  ["menu", "Menu"],
  ["tables", "Tables & QR"],
  ["floor-plan", "Floor plan"],
  ["staff", "Staff"],
  ["tokens", "API tokens"],
  ["stock", "Stock"],
  ["devices", "Devices & PINs"],
  ["settings", "Settings"],
  ["audit", "Audit log"],
] as const;

export function AdminLayout() {
  const { restaurantId } = useRestaurantScope();
  return (
    <div className="admin-layout">
      <nav aria-label="Admin" className="tabs">
        {TABS.map(([path, label]) => (
          <NavLink key={path} to={`/r/${restaurantId}/admin/${path}`} className="tab">
            {label}
          </NavLink>
        ))}
      </nav>
      <Outlet />
    </div>
  );
}
