/** Hooks of the waiter screens: the order's outbox, and a clock that ticks. */
import { useEffect, useMemo, useState, useSyncExternalStore } from "react";

import { useServices } from "../../services";
import { getOutbox, type OrderOutbox, type OutboxState } from "./outbox";

/** The outbox of order `orderId` (one per tab) and its state, re-rendering on every change. */
export function useOutbox(restaurantId: number, orderId: number): { outbox: OrderOutbox; state: OutboxState } {
  const { api, queryClient } = useServices();
  const outbox = useMemo(() => getOutbox({ api, queryClient }, restaurantId, orderId), [api, queryClient, restaurantId, orderId]);
  const state = useSyncExternalStore(
    (listener) => outbox.subscribe(listener),
    () => outbox.getState(),
  );
  useEffect(() => outbox.kick(), [outbox]);
  return { outbox, state };
}

/** The current time, updated every `intervalMs` (default 30 s) while mounted: ages ("12 min") tick. */
export function useNow(intervalMs = 30_000): Date {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const timer = setInterval(() => setNow(new Date()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}
