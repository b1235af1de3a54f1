/**
 * Route guards. `RequireSignedIn` sends a visitor without a session to `/login`
 * (remembering where they were going); `RestaurantLayout` opens a restaurant for a
 * member (or the platform admin) with its realtime connection and nav bar;
 * `RequireScreen` shows "Not allowed" — never the screen — to a role that may not use it.
 */
import { Navigate, Outlet, useLocation, useParams } from "react-router";

import { ErrorMessage } from "../components/ErrorMessage";
import { Loading, NotAllowed, NotFound } from "../components/StatusPages";
import { AppShell } from "../components/AppShell";
import { RealtimeProvider } from "../realtime/RealtimeProvider";
import { useSignedIn } from "../services";
import { useMe } from "./hooks";
import { RestaurantScopeContext, useRestaurantName, useRestaurantScope } from "./restaurant";
import { canOpen, membershipOf, roleIn, type Screen } from "./roles";

export function RequireSignedIn() {
  const signedIn = useSignedIn();
  const location = useLocation();
  const me = useMe();
  if (!signedIn) {
    const next = location.pathname + location.search;
    return <Navigate to={next === "/" ? "/login" : `/login?next=${encodeURIComponent(next)}`} replace />;
  }
  if (me.isPending) return <Loading label="Opening your session…" />;
  if (me.isError) {
    return (
      <div className="page-state">
        <ErrorMessage error={me.error} />
        <button type="button" className="button" onClick={() => void me.refetch()}>
          Try again
        </button>
      </div>
    );
  }
  return <Outlet />;
}

/** Parse a positive integer route parameter; null when it is not one. */
export function parseId(value: string | undefined): number | null {
  if (value === undefined || !/^\d+$/.test(value)) return null;
  const id = Number(value);
  return id >= 1 && Number.isSafeInteger(id) ? id : null;
}

/** Layout of `/r/:restaurantId`: scope, realtime connection, nav bar. Needs `RequireSignedIn` above it. */
export function RestaurantLayout() {
  const { restaurantId: param } = useParams();
  const restaurantId = parseId(param);
  const me = useMe();
  if (restaurantId === null) return <NotFound />;
  if (!me.data) return <Loading />;
  const role = roleIn(me.data, restaurantId);
  if (role === null) return <NotAllowed reason="You are not on the staff of this restaurant." />;
  return (
    <ScopedRestaurant
      restaurantId={restaurantId}
      role={role}
      membershipName={membershipOf(me.data, restaurantId)?.restaurant_name}
    />
  );
}

function ScopedRestaurant({
  restaurantId,
  role,
  membershipName,
}: {
  restaurantId: number;
  role: NonNullable<ReturnType<typeof roleIn>>;
  membershipName: string | undefined;
}) {
  const name = useRestaurantName(restaurantId, membershipName);
  return (
    <RestaurantScopeContext.Provider value={{ restaurantId, role, name }}>
      <RealtimeProvider restaurantId={restaurantId}>
        <AppShell>
          <Outlet />
        </AppShell>
      </RealtimeProvider>
    </RestaurantScopeContext.Provider>
  );
}

/** Renders the child route only when the caller's role may open `screen`. */
export function RequireScreen({ screen }: { screen: Screen }) {
  const { role } = useRestaurantScope();
  if (!canOpen(role, screen)) return <NotAllowed />;
  return <Outlet />;
}
