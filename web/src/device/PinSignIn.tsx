/**
 * The sign-in of a registered device: tap your name, type your PIN. The names are the
 * staff who have a PIN here (`GET /api/v1/devices/current` with the device's secret).
 * A device whose registration was revoked forgets it and offers the full sign-in.
 */
import { useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { Link, useNavigate, useSearchParams } from "react-router";

import { ApiError } from "../api/errors";
import { meQuery } from "../api/queries";
import { homePath } from "../auth/roles";
import { ErrorMessage } from "../components/ErrorMessage";
import { useServices } from "../services";
import { forgetDevice, saveDevice, type DeviceRegistration } from "./device";
import { currentDeviceQuery } from "./queries";
import { PinPad } from "./PinPad";
import "./device.css";

export function PinSignIn({ device, onUnregistered }: { device: DeviceRegistration; onUnregistered: () => void }) {
  const { auth, api, publicApi, queryClient } = useServices();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const current = useQuery(currentDeviceQuery(publicApi, device));
  const [who, setWho] = useState<number | null>(null);
  const [pin, setPin] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const unregistered = current.error instanceof ApiError && current.error.is("device-not-registered");
  useEffect(() => {
    if (!unregistered) return;
    forgetDevice();
    onUnregistered();
  }, [unregistered, onUnregistered]);
  const staff = current.data?.staff ?? [];
  const person = staff.find((s) => s.user_id === who);

  const submit = async () => {
    if (who === null) return;
    setBusy(true);
    setError(null);
    try {
      const login = await auth.signInWithPin(device.secret, who, pin);
      saveDevice({ ...device, idleSeconds: login.idle_seconds });
      const me = await queryClient.fetchQuery(meQuery(api));
      await navigate(homePath(me), { replace: true });
    } catch (err) {
      setError(err);
      setPin("");
      setBusy(false);
    }
  };

  return (
    <main className="login-page">
      <section className="login-form card pin-sign-in" aria-labelledby="pin-title">
        <h1 id="pin-title">{device.name}: who is signing in?</h1>
        {params.get("idle") !== null ? (
          <p role="status" className="pad-note">
            Signed out after {Math.round(device.idleSeconds / 60) || 1} min without activity.
          </p>
        ) : null}
        {current.isPending ? <p>Loading the staff…</p> : null}
        {current.isError && !unregistered ? <ErrorMessage error={current.error} /> : null}
        {current.data && staff.length === 0 ? (
          <p>No one has a PIN on this restaurant yet: a manager sets them in Admin → Devices.</p>
        ) : null}
        {person === undefined ? (
          <ul className="pin-staff" aria-label="Staff">
            {staff.map((s) => (
              <li key={s.user_id}>
                <button type="button" className="button pin-person" onClick={() => setWho(s.user_id)}>
                  {s.full_name || s.username} <span className="nav-role">{s.role}</span>
                </button>
              </li>
            ))}
          </ul>
        ) : (
          <form
            onSubmit={(event) => {
              event.preventDefault();
              void submit();
            }}
          >
            <p>
              <strong>{person.full_name || person.username}</strong>{" "}
              <button
                type="button"
                className="button button-quiet"
                onClick={() => {
                  setWho(null);
                  setPin("");
                  setError(null);
                }}
              >
                Not you?
              </button>
            </p>
            <PinPad
              label="PIN"
              value={pin}
              onChange={setPin}
              onSubmit={() => void submit()}
              busy={busy}
              describedBy="pin-error"
            />
            <div id="pin-error">{error !== null ? <ErrorMessage error={error} className="form-error" /> : null}</div>
          </form>
        )}
        <p>
          <Link to="/login?full=1">Sign in with username and password</Link>
        </p>
      </section>
    </main>
  );
}
