/**
 * The frame of every signed-in restaurant screen: a nav bar with the restaurant's
 * name, the screens the role may open, the connection light, the user and sign out.
 * A route can ask for the dark kitchen theme with `handle: { theme: "kitchen" }`.
 */
import type { ReactNode } from "react";
import { Link, NavLink, useMatches } from "react-router";

import { useMe, useSignOut } from "../auth/hooks";
import { useRestaurantScope } from "../auth/restaurant";
import { SCREEN_LABELS, canOpen, screenPath, type Screen } from "../auth/roles";
import { DeviceSession } from "../device/DeviceSession";
import { ConnectionIndicator } from "../realtime/ConnectionIndicator";

const NAV_SCREENS: readonly Exclude<Screen, "orderPad">[] = ["floor", "kitchen", "till", "dashboard", "admin"];

/** The theme asked for by the deepest matched route (`handle.theme`), default "light". */
function useTheme(): string {
  const matches = useMatches();
  for (let i = matches.length - 1; i >= 0; i -= 1) {
    const handle = matches[i]?.handle;
    if (typeof handle === "object" && handle !== null && "theme" in handle && typeof handle.theme === "string") {
      return handle.theme;
    }
  }
  return "light";
}

export function AppShell({ children }: { children: ReactNode }) {
  const { restaurantId, role, name } = useRestaurantScope();
  const me = useMe();
  const signOut = useSignOut();
  const theme = useTheme();
  const several = (me.data?.memberships.length ?? 0) > 1 || me.data?.is_admin === true;
  return (
    <div className="app-shell" data-theme={theme}>
      <header className="nav-bar">
        <div className="nav-restaurant">
          <span className="nav-restaurant-name">{name}</span>
          {several ? (
            <Link className="nav-switch" to="/restaurants">
              Switch
            </Link>
          ) : null}
        </div>
        <nav aria-label="Screens" className="nav-links">
          {NAV_SCREENS.filter((screen) => canOpen(role, screen)).map((screen) => (
            <NavLink key={screen} to={screenPath(restaurantId, screen).replace(/\/menu$/, "")} className="nav-link">
              {SCREEN_LABELS[screen]}
            </NavLink>
          ))}
        </nav>
        <div className="nav-user">
          <ConnectionIndicator />
          <span className="nav-user-name" title={`${me.data?.username ?? ""} (${role})`}>
            {me.data?.full_name || me.data?.username} <span className="nav-role">{role}</span>
          </span>
          <DeviceSession />
          <button type="button" className="button button-quiet" onClick={() => void signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <main className="app-main">{children}</main>
    </div>
  );
}
