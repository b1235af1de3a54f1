/**
 * One realtime connection for the signed-in session in the current restaurant, wired
 * to the query cache (`cacheSync.ts`), and the hooks screens use:
 * `useRealtimeStatus()`, `useRealtimeEvent(type, handler)`, `useRealtime()`.
 */
import { createContext, useContext, useEffect, useRef, useState, useSyncExternalStore, type ReactNode } from "react";

import { useServices } from "../services";
import { createCacheSync } from "./cacheSync";
import { RealtimeConnection } from "./connection";
import type { RealtimeEvent, RealtimeStatus } from "./types";

const RealtimeContext = createContext<RealtimeConnection | null>(null);

export function RealtimeProvider({ restaurantId, children }: { restaurantId: number; children: ReactNode }) {
  const { auth, queryClient, socketFactory } = useServices();
  const [connection, setConnection] = useState<RealtimeConnection | null>(null);
  useEffect(() => {
    const conn = new RealtimeConnection({
      restaurantId,
      tokens: auth,
      ...(socketFactory ? { socketFactory } : {}),
    });
    const sync = createCacheSync(queryClient);
    conn.on("*", (event) => sync.apply(event));
    conn.onReady(({ first }) => {
      // what was fetched before the subscription was live may have missed events
      if (first) sync.invalidateAll(restaurantId);
    });
    conn.start();
    // eslint-disable-next-line react-hooks/set-state-in-effect -- publishes the socket this effect opens (and closes), an external resource
    setConnection(conn);
    return () => {
      conn.close();
      void sync.flush();
    };
  }, [restaurantId, auth, queryClient, socketFactory]);
  return <RealtimeContext.Provider value={connection}>{children}</RealtimeContext.Provider>;
}

/** The current restaurant's connection (null before it opened or outside a restaurant). */
export function useRealtime(): RealtimeConnection | null {
  return useContext(RealtimeContext);
}

const OFFLINE: RealtimeStatus = { state: "offline", lastSeq: null, caughtUp: null, error: null };
const noop = () => () => undefined;

/** `connected` / `reconnecting` / `offline` (and `connecting`), `caughtUp` after a reconnect, `lastSeq`, `error`. */
export function useRealtimeStatus(): RealtimeStatus {
  const connection = useRealtime();
  return useSyncExternalStore(
    connection ? (listener) => connection.subscribeStatus(listener) : noop,
    () => (connection ? connection.getStatus() : OFFLINE),
  );
}

/** Call `handler` for every event of `type` (`"*"`: all) while mounted; the latest handler is used. */
export function useRealtimeEvent(type: string, handler: (event: RealtimeEvent) => void): void {
  const connection = useRealtime();
  const ref = useRef(handler);
  useEffect(() => {
    ref.current = handler;
  });
  useEffect(() => {
    if (!connection) return undefined;
    return connection.on(type, (event) => ref.current(event));
  }, [connection, type]);
}
