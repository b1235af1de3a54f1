/**
 * Every route of the web app (keep these paths: links, QR codes and bookmarks use them).
 *
 * | path | screen | who |
 * | --- | --- | --- |
 * | `/login` | sign in | anyone |
 * | `/` | sends the user to their screen | signed in |
 * | `/restaurants` | restaurant picker | platform admin, member of several |
 * | `/r/:restaurantId/floor` | floor | owner, manager, waiter, cashier |
 * | `/r/:restaurantId/orders/:orderId` | order pad | owner, manager, waiter, cashier |
 * | `/r/:restaurantId/kitchen?station=` | kitchen display (no station: expo) | owner, manager, kitchen |
 * | `/r/:restaurantId/till` | till | owner, manager, cashier |
 * | `/r/:restaurantId/dashboard` | dashboard: today live, charts of a date range | owner, manager |
 * | `/r/:restaurantId/admin/{menu,tables,floor-plan,staff,tokens,stock,devices,settings,audit}` | admin | owner, manager |
 * | `/guest/:restaurantId?t=` | guest menu (a table's QR code) | anyone, no login |
 *
 * The platform admin may open every screen of every restaurant. To add a screen: a
 * component in `screens/<name>/`, a route below inside `RequireScreen`, and (if it is
 * new) a `Screen` in `auth/roles.ts` with the roles allowed.
 */
import { lazy, Suspense, type ComponentType, type LazyExoticComponent } from "react";
import { Navigate, type RouteObject } from "react-router";

import { Home } from "./auth/Home";
import { LoginPage } from "./auth/LoginPage";
import { RestaurantPicker } from "./auth/RestaurantPicker";
import { RequireScreen, RequireSignedIn, RestaurantLayout } from "./auth/guards";
import { useRestaurantScope } from "./auth/restaurant";
import { landingPath } from "./auth/roles";
import { Loading, NoRestaurant, NotFound } from "./components/StatusPages";

/**
 * Each screen is its own chunk, loaded when first opened: a guest's phone fetches the
 * guest menu, not the admin; a kitchen screen, not the till.
 */
function screen<Name extends string>(
  load: () => Promise<Record<Name, ComponentType>>,
  name: Name,
): LazyExoticComponent<ComponentType> {
  return lazy(async () => ({ default: (await load())[name] }));
}

/** A lazily loaded screen with the shared loading state while its chunk arrives. */
function show(Screen: LazyExoticComponent<ComponentType>) {
  return (
    <Suspense fallback={<Loading />}>
      <Screen />
    </Suspense>
  );
}

const AdminLayout = screen(() => import("./screens/admin/AdminLayout"), "AdminLayout");
const AuditAdmin = screen(() => import("./screens/admin/AuditAdmin"), "AuditAdmin");
const MenuAdmin = screen(() => import("./screens/admin/MenuAdmin"), "MenuAdmin");
const SettingsAdmin = screen(() => import("./screens/admin/SettingsAdmin"), "SettingsAdmin");
const StaffAdmin = screen(() => import("./screens/admin/StaffAdmin"), "StaffAdmin");
const TablesAdmin = screen(() => import("./screens/admin/TablesAdmin"), "TablesAdmin");
const FloorPlanAdmin = screen(() => import("./screens/admin/FloorPlanAdmin"), "FloorPlanAdmin");
const TokensAdmin = screen(() => import("./screens/admin/TokensAdmin"), "TokensAdmin");
const DevicesAdmin = screen(() => import("./screens/admin/DevicesAdmin"), "DevicesAdmin");
const StockAdmin = screen(() => import("./screens/admin/StockAdmin"), "StockAdmin");
const DashboardScreen = screen(() => import("./screens/dashboard/DashboardScreen"), "DashboardScreen");
const FloorScreen = screen(() => import("./screens/floor/FloorScreen"), "FloorScreen");
const GuestMenuScreen = screen(() => import("./screens/guest/GuestMenuScreen"), "GuestMenuScreen");
const KitchenScreen = screen(() => import("./screens/kitchen/KitchenScreen"), "KitchenScreen");
const OrderPadScreen = screen(() => import("./screens/order-pad/OrderPadScreen"), "OrderPadScreen");
const TillScreen = screen(() => import("./screens/till/TillScreen"), "TillScreen");

/** `/r/:restaurantId`: the landing screen of the caller's role there. */
function RestaurantIndex() {
  const { restaurantId, role } = useRestaurantScope();
  return <Navigate to={landingPath(role, restaurantId)} replace />;
}

export const routes: RouteObject[] = [
  { path: "/login", element: <LoginPage /> },
  { path: "/guest/:restaurantId", element: show(GuestMenuScreen) },
  {
    element: <RequireSignedIn />,
    children: [
      { index: true, element: <Home /> },
      { path: "restaurants", element: <RestaurantPicker /> },
      { path: "no-restaurant", element: <NoRestaurant /> },
      {
        path: "r/:restaurantId",
        element: <RestaurantLayout />,
        children: [
          { index: true, element: <RestaurantIndex /> },
          { element: <RequireScreen screen="floor" />, children: [{ path: "floor", element: show(FloorScreen) }] },
          {
            element: <RequireScreen screen="orderPad" />,
            children: [{ path: "orders/:orderId", element: show(OrderPadScreen) }],
          },
          {
            element: <RequireScreen screen="kitchen" />,
            handle: { theme: "kitchen" },
            children: [{ path: "kitchen", element: show(KitchenScreen), handle: { theme: "kitchen" } }],
          },
          { element: <RequireScreen screen="till" />, children: [{ path: "till", element: show(TillScreen) }] },
          {
            element: <RequireScreen screen="dashboard" />,
            children: [{ path: "dashboard", element: show(DashboardScreen) }],
          },
          {
            element: <RequireScreen screen="admin" />,
            children: [
              {
                path: "admin",
                element: show(AdminLayout),
                children: [
                  { index: true, element: <Navigate to="menu" replace /> },
                  { path: "menu", element: show(MenuAdmin) },
                  { path: "tables", element: show(TablesAdmin) },
                  { path: "floor-plan", element: show(FloorPlanAdmin) },
                  { path: "staff", element: show(StaffAdmin) },
                  { path: "tokens", element: show(TokensAdmin) },
                  { path: "devices", element: show(DevicesAdmin) },
                  { path: "stock", element: show(StockAdmin) },
                  { path: "settings", element: show(SettingsAdmin) },
                  { path: "audit", element: show(AuditAdmin) },
                ],
              },
            ],
          },
          { path: "*", element: <NotFound /> },
        ],
      },
    ],
  },
  { path: "*", element: <NotFound /> },
];
