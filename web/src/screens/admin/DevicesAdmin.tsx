/**
 * `/r/:restaurantId/admin/devices` — shared devices, PINs and void reasons:
 *
 * - register a device (name, kind: till, tablet, kitchen screen) — by default this
 *   browser becomes that device (its secret is kept in localStorage, see
 *   `device/device.ts`); otherwise the secret is shown once to set up the device by hand;
 * - the devices with their status, and revoking one (its PIN sign-ins end at once);
 * - the idle sign-out time of each kind;
 * - a member's PIN (4-6 digits) — managers set them for their staff;
 * - the reasons a waiter picks from when voiding a line (empty: any reason may be typed).
 *
 * The server refuses registering, revoking and idle times to a PIN sign-in
 * (`full-login-required`): a manager signs in with username and password here.
 */
import { useMutation, useQuery } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";

import { unwrap } from "../../api/client";
import { queryKeys } from "../../api/queries";
import type { components } from "../../api/schema";
import { useRestaurantScope } from "../../auth/restaurant";
import { forgetDevice, isValidPin, readDevice, saveDevice, DEFAULT_IDLE_SECONDS } from "../../device/device";
import { useServices } from "../../services";
import { staffQuery } from "./adminApi";
import { ConfirmDialog, Field, FormError, QueryGate, formatDateTime, useRestaurant } from "./common";

type DeviceRead = components["schemas"]["DeviceRead"];
type DeviceCreated = components["schemas"]["DeviceCreated"];
type DeviceKind = components["schemas"]["DeviceKind"];
type IdleTimes = components["schemas"]["IdleTimes"];

const KINDS: readonly { value: DeviceKind; label: string }[] = [
  { value: "tablet", label: "Tablet" },
  { value: "till", label: "Till" },
  { value: "kitchen", label: "Kitchen screen" },
];

const devicesKey = (rid: number) => [...queryKeys.staff(rid), "devices"] as const;
const idleKey = (rid: number) => [...queryKeys.staff(rid), "device-idle-times"] as const;

export function DevicesAdmin() {
  const { api } = useServices();
  const { restaurantId: rid } = useRestaurantScope();
  const restaurant = useRestaurant();
  const devices = useQuery({
    queryKey: devicesKey(rid),
    queryFn: ({ signal }) =>
      unwrap(api.GET("/api/v1/restaurants/{restaurant_id}/devices", { params: { path: { restaurant_id: rid } }, signal })),
  });
  const [paired, setPaired] = useState(() => readDevice());
  const [created, setCreated] = useState<DeviceCreated | null>(null);
  return (
    <div className="admin-page devices-admin">
      <h1>Devices &amp; PINs</h1>
      <p className="admin-muted">
        On a registered device staff sign in and switch with their PIN, and a manager's PIN approves voids and discounts.
        Everywhere else, the full sign-in is needed.
      </p>
      <section aria-labelledby="this-browser">
        <h2 id="this-browser">This browser</h2>
        {paired !== null && paired.restaurantId === rid ? (
          <p>
            This browser is the device <strong>{paired.name}</strong> ({paired.kind}).{" "}
            <button
              type="button"
              className="button"
              onClick={() => {
                forgetDevice();
                setPaired(null);
              }}
            >
              Unpair this browser
            </button>
          </p>
        ) : (
          <p>This browser is not a registered device: register it below to use PINs here.</p>
        )}
      </section>
      {created ? <DeviceSecret device={created} onDone={() => setCreated(null)} /> : null}
      <RegisterDevice
        onRegistered={(device, here) => {
          if (here) {
            const registration = {
              secret: device.secret,
              id: device.id,
              name: device.name,
              kind: device.kind,
              restaurantId: rid,
              idleSeconds: DEFAULT_IDLE_SECONDS,
            };
            saveDevice(registration);
            setPaired(registration);
          } else {
            setCreated(device);
          }
        }}
      />
      <QueryGate queries={[devices]} what="the devices">
        {() => (
          <DeviceList
            devices={devices.data?.items ?? []}
            timeZone={restaurant.data?.time_zone}
            onRevoked={(device) => {
              if (paired?.id === device.id) {
                forgetDevice();
                setPaired(null);
              }
            }}
          />
        )}
      </QueryGate>
      <IdleTimesForm />
      <PinForm />
      <VoidReasonsForm />
    </div>
  );
}

function DeviceSecret({ device, onDone }: { device: DeviceCreated; onDone: () => void }) {
  return (
    <section className="secret-panel" aria-labelledby="device-secret-title">
      <h2 id="device-secret-title">Device "{device.name}" registered</h2>
      <p role="note">
        <strong>This secret is shown only once.</strong> On the device, open Admin → Devices &amp; PINs and paste it under
        "Pair with a secret".
      </p>
      <div className="field">
        <label htmlFor="device-secret">Device secret</label>
        <input id="device-secret" readOnly value={device.secret} onFocus={(e) => e.target.select()} />
      </div>
      <button type="button" className="button" onClick={onDone}>
        Done
      </button>
    </section>
  );
}

function RegisterDevice({ onRegistered }: { onRegistered: (device: DeviceCreated, here: boolean) => void }) {
  const { api, queryClient } = useServices();
  const { restaurantId: rid } = useRestaurantScope();
  const [name, setName] = useState("");
  const [kind, setKind] = useState<DeviceKind>("tablet");
  const [here, setHere] = useState(true);
  const [missing, setMissing] = useState(false);
  const register = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST("/api/v1/restaurants/{restaurant_id}/devices", {
          params: { path: { restaurant_id: rid } },
          body: { name: name.trim(), kind },
        }),
      ),
    onSuccess: async (device) => {
      onRegistered(device, here);
      register.reset();
      setName("");
      await queryClient.invalidateQueries({ queryKey: devicesKey(rid) });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (name.trim() === "") {
      setMissing(true);
      return;
    }
    register.mutate();
  };
  return (
    <form className="admin-form" onSubmit={submit} aria-labelledby="register-device">
      <h2 id="register-device">Register a device</h2>
      <Field label="Device name" error={missing ? "Give the device a name (e.g. Tablet 1)." : undefined}>
        {(control) => (
          <input
            {...control}
            value={name}
            maxLength={100}
            onChange={(e) => {
              setName(e.target.value);
              setMissing(false);
            }}
          />
        )}
      </Field>
      <Field label="Kind">
        {(control) => (
          <select {...control} value={kind} onChange={(e) => setKind(e.target.value as DeviceKind)}>
            {KINDS.map((k) => (
              <option key={k.value} value={k.value}>
                {k.label}
              </option>
            ))}
          </select>
        )}
      </Field>
      <label className="checkbox">
        <input type="checkbox" checked={here} onChange={(e) => setHere(e.target.checked)} /> Use this browser as this
        device
      </label>
      <FormError error={register.error} />
      <button type="submit" className="button button-primary" disabled={register.isPending}>
        Register device
      </button>
      <PairWithSecret />
    </form>
  );
}

/** Pair this browser with a device registered elsewhere (its secret, shown once there). */
function PairWithSecret() {
  const { publicApi } = useServices();
  const [secret, setSecret] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);
  const pair = async () => {
    setError(null);
    try {
      const current = await unwrap(
        publicApi.GET("/api/v1/devices/current", { headers: { "X-Brigade-Device": secret.trim() } }),
      );
      saveDevice({
        secret: secret.trim(),
        id: current.device.id,
        name: current.device.name,
        kind: current.device.kind,
        restaurantId: current.device.restaurant_id,
        idleSeconds: current.idle_seconds,
      });
      setDone(current.device.name);
      setSecret("");
    } catch (err) {
      setError(err);
    }
  };
  return (
    <details className="pair-secret">
      <summary>Pair with a secret</summary>
      <Field label="Device secret">
        {(control) => <input {...control} value={secret} autoComplete="off" onChange={(e) => setSecret(e.target.value)} />}
      </Field>
      <FormError error={error} />
      {done ? <p role="status">This browser is now the device {done}. Reload to use it.</p> : null}
      <button type="button" className="button" disabled={secret.trim() === ""} onClick={() => void pair()}>
        Pair this browser
      </button>
    </details>
  );
}

function DeviceList({
  devices,
  timeZone,
  onRevoked,
}: {
  devices: readonly DeviceRead[];
  timeZone: string | undefined;
  onRevoked: (device: DeviceRead) => void;
}) {
  const { api, queryClient } = useServices();
  const { restaurantId: rid } = useRestaurantScope();
  const [revoking, setRevoking] = useState<DeviceRead | null>(null);
  const revoke = useMutation({
    mutationFn: (device: DeviceRead) =>
      unwrap(
        api.DELETE("/api/v1/restaurants/{restaurant_id}/devices/{device_id}", {
          params: { path: { restaurant_id: rid, device_id: device.id } },
        }),
      ),
    onSuccess: async (_, device) => {
      setRevoking(null);
      onRevoked(device);
      await queryClient.invalidateQueries({ queryKey: devicesKey(rid) });
    },
  });
  if (devices.length === 0) return <p className="admin-empty">No devices registered yet.</p>;
  return (
    <>
      <table className="admin-table" aria-label="Devices">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Kind</th>
            <th scope="col">Registered</th>
            <th scope="col">Last PIN</th>
            <th scope="col">Status</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {devices.map((device) => (
            <tr key={device.id}>
              <th scope="row" data-label="Name">
                {device.name} <span className="admin-muted scope-code">{device.prefix}…</span>
              </th>
              <td data-label="Kind">{KINDS.find((k) => k.value === device.kind)?.label ?? device.kind}</td>
              <td data-label="Registered">{formatDateTime(device.created_at, timeZone)}</td>
              <td data-label="Last PIN">{device.last_seen_at ? formatDateTime(device.last_seen_at, timeZone) : "Never"}</td>
              <td data-label="Status">
                {device.revoked_at ? (
                  <span className="status-revoked">Revoked {formatDateTime(device.revoked_at, timeZone)}</span>
                ) : (
                  "Active"
                )}
              </td>
              <td>
                {device.revoked_at ? null : (
                  <button type="button" className="button" aria-label={`Revoke ${device.name}`} onClick={() => setRevoking(device)}>
                    Revoke
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {revoking ? (
        <ConfirmDialog
          title={`Revoke the device "${revoking.name}"?`}
          confirmLabel="Revoke"
          busy={revoke.isPending}
          error={revoke.error}
          onCancel={() => {
            setRevoking(null);
            revoke.reset();
          }}
          onConfirm={() => revoke.mutate(revoking)}
        >
          <p>Whoever is signed in on it with a PIN is signed out now, and PINs no longer work on it.</p>
        </ConfirmDialog>
      ) : null}
    </>
  );
}

function IdleTimesForm() {
  const { api, queryClient } = useServices();
  const { restaurantId: rid } = useRestaurantScope();
  const times = useQuery({
    queryKey: idleKey(rid),
    queryFn: ({ signal }) =>
      unwrap(
        api.GET("/api/v1/restaurants/{restaurant_id}/device-idle-times", {
          params: { path: { restaurant_id: rid } },
          signal,
        }),
      ),
  });
  const [edits, setEdits] = useState<Partial<Record<keyof IdleTimes, string>>>({});
  const [saved, setSaved] = useState(false);
  const save = useMutation({
    mutationFn: (body: Partial<IdleTimes>) =>
      unwrap(
        api.PATCH("/api/v1/restaurants/{restaurant_id}/device-idle-times", {
          params: { path: { restaurant_id: rid } },
          body,
        }),
      ),
    onSuccess: (data) => {
      queryClient.setQueryData(idleKey(rid), data);
      setEdits({});
      setSaved(true);
    },
  });
  return (
    <QueryGate queries={[times]} what="the idle times">
      {() => (
        <form
          className="admin-form"
          aria-labelledby="idle-times"
          onSubmit={(event) => {
            event.preventDefault();
            const body: Partial<IdleTimes> = {};
            for (const [kind, value] of Object.entries(edits)) body[kind as keyof IdleTimes] = Number(value);
            setSaved(false);
            save.mutate(body);
          }}
        >
          <h2 id="idle-times">Idle sign-out</h2>
          <p className="admin-muted">A PIN sign-in ends after this many seconds without a tap.</p>
          {KINDS.map((k) => (
            <Field key={k.value} label={`${k.label} (seconds)`}>
              {(control) => (
                <input
                  {...control}
                  type="number"
                  min={1}
                  max={43200}
                  value={edits[k.value] ?? String(times.data?.[k.value] ?? "")}
                  onChange={(e) => setEdits({ ...edits, [k.value]: e.target.value })}
                />
              )}
            </Field>
          ))}
          <FormError error={save.error} />
          {saved ? (
            <p role="status" className="saved-note">
              Saved.
            </p>
          ) : null}
          <button type="submit" className="button button-primary" disabled={Object.keys(edits).length === 0 || save.isPending}>
            Save idle times
          </button>
        </form>
      )}
    </QueryGate>
  );
}

function PinForm() {
  const { api } = useServices();
  const { restaurantId: rid } = useRestaurantScope();
  const staff = useQuery(staffQuery(api, rid));
  const [userId, setUserId] = useState<number | null>(null);
  const [pin, setPin] = useState("");
  const [local, setLocal] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const set = useMutation({
    mutationFn: (body: { userId: number; pin: string }) =>
      unwrap(
        api.PUT("/api/v1/restaurants/{restaurant_id}/staff/{user_id}/pin", {
          params: { path: { restaurant_id: rid, user_id: body.userId } },
          body: { pin: body.pin },
        }),
      ),
    onSuccess: () => {
      const member = staff.data?.items.find((m) => m.user_id === userId);
      setSaved(member ? member.full_name || member.username : "");
      setPin("");
    },
  });
  return (
    <QueryGate queries={[staff]} what="the staff">
      {() => (
        <form
          className="admin-form"
          aria-labelledby="staff-pins"
          onSubmit={(event) => {
            event.preventDefault();
            setSaved(null);
            if (userId === null) return setLocal("Choose who the PIN is for.");
            if (!isValidPin(pin)) return setLocal("A PIN is 4 to 6 digits.");
            setLocal(null);
            set.mutate({ userId, pin });
          }}
        >
          <h2 id="staff-pins">PINs</h2>
          <Field label="Staff member">
            {(control) => (
              <select {...control} value={userId ?? ""} onChange={(e) => setUserId(e.target.value ? Number(e.target.value) : null)}>
                <option value="">Choose…</option>
                {(staff.data?.items ?? []).map((m) => (
                  <option key={m.user_id} value={m.user_id}>
                    {(m.full_name || m.username) + ` (${m.role})`}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label="New PIN" hint="4 to 6 digits" error={local ?? undefined}>
            {(control) => (
              <input
                {...control}
                type="password"
                inputMode="numeric"
                autoComplete="new-password"
                maxLength={6}
                value={pin}
                onChange={(e) => setPin(e.target.value.replace(/[^0-9]/g, ""))}
              />
            )}
          </Field>
          <FormError error={set.error} />
          {saved !== null ? (
            <p role="status" className="saved-note">
              PIN set for {saved}.
            </p>
          ) : null}
          <button type="submit" className="button button-primary" disabled={set.isPending}>
            Set PIN
          </button>
        </form>
      )}
    </QueryGate>
  );
}

function VoidReasonsForm() {
  const { api, queryClient } = useServices();
  const { restaurantId: rid } = useRestaurantScope();
  const restaurant = useRestaurant();
  const [text, setText] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const save = useMutation({
    mutationFn: (reasons: string[]) =>
      unwrap(
        api.PATCH("/api/v1/restaurants/{restaurant_id}", {
          params: { path: { restaurant_id: rid } },
          body: { void_reasons: reasons },
        }),
      ),
    onSuccess: (data) => {
      queryClient.setQueryData(queryKeys.restaurant(rid), data);
      setText(null);
      setSaved(true);
    },
  });
  return (
    <QueryGate queries={[restaurant]} what="the void reasons">
      {() => (
        <form
          className="admin-form"
          aria-labelledby="void-reasons"
          onSubmit={(event) => {
            event.preventDefault();
            setSaved(false);
            const reasons = (text ?? "")
              .split("\n")
              .map((r) => r.trim())
              .filter((r) => r !== "");
            save.mutate(reasons);
          }}
        >
          <h2 id="void-reasons">Void reasons</h2>
          <Field label="Reasons, one a line" hint="Waiters pick one when voiding a line; leave empty to let them type any reason.">
            {(control) => (
              <textarea
                {...control}
                rows={5}
                value={text ?? (restaurant.data?.void_reasons ?? []).join("\n")}
                onChange={(e) => setText(e.target.value)}
              />
            )}
          </Field>
          <FormError error={save.error} fields={["void_reasons"]} />
          {saved ? (
            <p role="status" className="saved-note">
              Saved.
            </p>
          ) : null}
          <button type="submit" className="button button-primary" disabled={text === null || save.isPending}>
            Save void reasons
          </button>
        </form>
      )}
    </QueryGate>
  );
}
