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
  const caughtUp = status.caughtUp;
  const caughtUpAt = caughtUp?.at ?? null;
  // the `at` of the last "caught up" whose note has expired (one older than the note's
  // life when this indicator mounts never shows)
  const [expiredAt, setExpiredAt] = useState<number | null>(() =>
    caughtUpAt !== null && Date.now() - caughtUpAt >= CAUGHT_UP_MS ? caughtUpAt : null,
  );
  useEffect(() => {
    if (caughtUpAt === null) return undefined;
    const left = Math.max(0, caughtUpAt + CAUGHT_UP_MS - Date.now());
    const timer = setTimeout(() => setExpiredAt(caughtUpAt), left);
    return () => clearTimeout(timer);
  }, [caughtUpAt]);
  const showCaughtUp = caughtUp !== null && caughtUp.at !== expiredAt && status.state === "connected";
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
