/**
 * In the nav bar of a registered device: "Switch user" (signs the person out and shows
 * the PIN sign-in), and, for a PIN sign-in, the idle sign-out after the idle time of the
 * device's kind without a tap, a click or a key (checked again when the tab wakes up).
 */
import { useEffect, useSyncExternalStore } from "react";
import { useNavigate } from "react-router";

import { useServices } from "../services";
import { IdleTimer, readDevice, tokenDeviceId } from "./device";

const ACTIVITY_EVENTS = ["pointerdown", "keydown", "wheel", "touchstart"] as const;

export function DeviceSession() {
  const { auth } = useServices();
  const navigate = useNavigate();
  const token = useSyncExternalStore(
    (listener) => auth.subscribe(listener),
    () => auth.accessToken(),
  );
  const device = readDevice();
  const pinLogin = device !== null && tokenDeviceId(token) === device.id;
  const idleMs = pinLogin ? device.idleSeconds * 1000 : null;

  useEffect(() => {
    if (idleMs === null) return undefined;
    const timer = new IdleTimer({
      idleMs,
      onIdle: () => {
        void auth.signOut().then(() => navigate("/login?idle=1", { replace: true }));
      },
    });
    const onActivity = () => timer.activity();
    const onVisible = () => {
      if (document.visibilityState === "visible") timer.check();
    };
    for (const name of ACTIVITY_EVENTS) window.addEventListener(name, onActivity, { passive: true });
    document.addEventListener("visibilitychange", onVisible);
    return () => {
      timer.stop();
      for (const name of ACTIVITY_EVENTS) window.removeEventListener(name, onActivity);
      document.removeEventListener("visibilitychange", onVisible);
    };
  }, [idleMs, auth, navigate]);

  if (device === null) return null;
  return (
    <button
      type="button"
      className="button button-quiet"
      onClick={() => void auth.signOut().then(() => navigate("/login", { replace: true }))}
    >
      Switch user
    </button>
  );
}
