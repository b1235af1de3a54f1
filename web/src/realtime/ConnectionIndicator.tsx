/** The nav bar's connection light: live, reconnecting, offline, and "caught up N" after a reconnect. */
import { useEffect, useState } from "react";

import { useRealtimeStatus } from "./RealtimeProvider";

const LABELS = {
  connecting: "Connecting…",
  connected: "Live",
  reconnecting: "Reconnecting…",
  offline: "Offline",
} as const;

/** How long the "caught up" note stays, ms. */
const CAUGHT_UP_MS = 8000;

export function ConnectionIndicator() {
  const status = useRealtimeStatus();
  const [now, setNow] = useState(() => Date.now());
  const caughtUp = status.caughtUp;
  useEffect(() => {
    if (!caughtUp) return undefined;
    setNow(Date.now());
    const timer = setTimeout(() => setNow(Date.now()), CAUGHT_UP_MS);
    return () => clearTimeout(timer);
  }, [caughtUp]);
  const showCaughtUp = caughtUp !== null && now - caughtUp.at < CAUGHT_UP_MS && status.state === "connected";
  const title = status.error ? status.error.message : LABELS[status.state];
  return (
    <span className={`connection connection-${status.state}`} role="status" aria-live="polite" title={title}>
      <span className="connection-dot" aria-hidden="true" />
      <span className="connection-label">{LABELS[status.state]}</span>
      {showCaughtUp ? (
        <span className="connection-note">
          caught up {caughtUp.replayed} {caughtUp.replayed === 1 ? "event" : "events"}
        </span>
      ) : null}
    </span>
  );
}
