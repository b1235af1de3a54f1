/** `/restaurants`: choose a restaurant (a platform admin sees every one; a member of several, theirs). */
import { useQuery } from "@tanstack/react-query";
import { Link } from "react-router";

import { restaurantListQuery } from "../api/queries";
import { ErrorMessage } from "../components/ErrorMessage";
import { Loading } from "../components/StatusPages";
import { useServices } from "../services";
import { useMe, useSignOut } from "./hooks";
import { landingPath, roleIn } from "./roles";

export function RestaurantPicker() {
  const { api } = useServices();
  const me = useMe();
  const signOut = useSignOut();
  const list = useQuery(restaurantListQuery(api));
  if (!me.data || list.isPending) return <Loading />;
  return (
    <main className="picker-page">
      <header className="picker-header">
        <h1>Choose a restaurant</h1>
        <button type="button" className="button button-quiet" onClick={() => void signOut()}>
          Sign out
        </button>
      </header>
      <ErrorMessage error={list.error} />
      <ul className="picker-list">
        {(list.data?.items ?? []).map((restaurant) => {
          const role = roleIn(me.data, restaurant.id);
          if (role === null) return null;
          return (
            <li key={restaurant.id}>
              <Link className="picker-item card" to={landingPath(role, restaurant.id)}>
                <span className="picker-name">{restaurant.name}</span>
                <span className="picker-role">{role}</span>
              </Link>
            </li>
          );
        })}
      </ul>
    </main>
  );
}
