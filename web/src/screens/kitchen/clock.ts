/** A clock for timers on screen. */
import { useEffect, useState } from "react";

/** The current time (epoch ms), updated every `intervalMs` (default 1 s) while mounted. */
export function useNow(intervalMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}
