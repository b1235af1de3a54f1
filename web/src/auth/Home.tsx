/** `/`: sends the signed-in user to their screen (see `homePath`). */
import { Navigate } from "react-router";

import { Loading } from "../components/StatusPages";
import { useMe } from "./hooks";
import { homePath } from "./roles";

export function Home() {
  const me = useMe();
  if (!me.data) return <Loading />;
  return <Navigate to={homePath(me.data)} replace />;
}
