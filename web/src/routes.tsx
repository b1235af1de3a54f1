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
 * | `/r/:restaurantId/admin/{menu,tables,staff,tokens,settings}` | admin | owner, manager |
 * | `/guest/:restaurantId?t=` | guest menu (a table's QR code) | anyone, no login |
 *
 * The platform admin may open every screen of every restaurant. To add a screen: a
 * component in `screens/<name>/`, a route below inside `RequireScreen`, and (if it is
 * new) a `Screen` in `auth/roles.ts` with the roles allowed.
 */
import { Navigate, type RouteObject } from "react-router";

import { Home } from "./auth/Home";
import { LoginPage } from "./auth/LoginPage";
import { RestaurantPicker } from "./auth/RestaurantPicker";
import { RequireScreen, RequireSignedIn, RestaurantLayout } from "./auth/guards";
import { useRestaurantScope } from "./auth/restaurant";
import { landingPath } from "./auth/roles";
import { NoRestaurant, NotFound } from "./components/StatusPages";
import { AdminLayout } from "./screens/admin/AdminLayout";
import { MenuAdmin } from "./screens/admin/MenuAdmin";
import { SettingsAdmin } from "./screens/admin/SettingsAdmin";
import { StaffAdmin } from "./screens/admin/StaffAdmin";
import { TablesAdmin } from "./screens/admin/TablesAdmin";
import { TokensAdmin } from "./screens/admin/TokensAdmin";
import { FloorScreen } from "./screens/floor/FloorScreen";
import { GuestMenuScreen } from "./screens/guest/GuestMenuScreen";
import { KitchenScreen } from "./screens/kitchen/KitchenScreen";
import { OrderPadScreen } from "./screens/order-pad/OrderPadScreen";
import { TillScreen } from "./screens/till/TillScreen";

/** `/r/:restaurantId`: the landing screen of the caller's role there. */
function RestaurantIndex() {
  const { restaurantId, role } = useRestaurantScope();
  return <Navigate to={landingPath(role, restaurantId)} replace />;
}

export const routes: RouteObject[] = [
  { path: "/login", element: <LoginPage /> },
  { path: "/guest/:restaurantId", element: <GuestMenuScreen /> },
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
          { element: <RequireScreen screen="floor" />, children: [{ path: "floor", element: <FloorScreen /> }] },
          {
            element: <RequireScreen screen="orderPad" />,
            children: [{ path: "orders/:orderId", element: <OrderPadScreen /> }],
          },
          {
            element: <RequireScreen screen="kitchen" />,
            handle: { theme: "kitchen" },
            children: [{ path: "kitchen", element: <KitchenScreen />, handle: { theme: "kitchen" } }],
          },
          { element: <RequireScreen screen="till" />, children: [{ path: "till", element: <TillScreen /> }] },
          {
            element: <RequireScreen screen="admin" />,
            children: [
              {
                path: "admin",
                element: <AdminLayout />,
                children: [
                  { index: true, element: <Navigate to="menu" replace /> },
                  { path: "menu", element: <MenuAdmin /> },
                  { path: "tables", element: <TablesAdmin /> },
                  { path: "staff", element: <StaffAdmin /> },
                  { path: "tokens", element: <TokensAdmin /> },
                  { path: "settings", element: <SettingsAdmin /> },
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
