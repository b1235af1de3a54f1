/**
 * The service part of `/r/:restaurantId/admin/settings`: opening hours per weekday, the
 * kitchen stations' target prep times (typed in minutes, stored in seconds) and the
 * feature switches. Saves only the sections that changed (`PATCH /restaurants/{id}`); a
 * change reaches every screen at once (`restaurant.updated`). Overlapping or empty
 * periods are refused here and by the server (`invalid-opening-hours`), with the reason
 * under the hours.
 */
import { useMutation, useQuery } from "@tanstack/react-query";
import { useMemo, useState, type FormEvent } from "react";

import { unwrap } from "../../api/client";
import { queryKeys } from "../../api/queries";
import type { components } from "../../api/schema";
import type { RestaurantRead } from "../../api/types";
import { useRestaurantScope } from "../../auth/restaurant";
import { useServices } from "../../services";
import { itemsQuery, type RestaurantUpdate } from "./adminApi";
import { FormError, isProblem, problemText } from "./common";

type OpeningPeriod = components["schemas"]["OpeningPeriod"];
type Features = Required<components["schemas"]["Features"]>;

/** The switches of a restaurant (the server's defaults for any it leaves out). */
function featuresOf(r: RestaurantRead): Features {
  return { coursing: true, tips: true, loyalty: false, guest_ordering: false, ...r.features };
}

export const WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"] as const;

export const FEATURE_LABELS: Record<keyof Features, string> = {
  coursing: "Coursing (hold courses and fire them)",
  tips: "Tips on card payments",
  loyalty: "Loyalty points",
  guest_ordering: "Guests order from the table's QR code",
};

interface TargetRow {
  station: string;
  minutes: string;
}

/** Minutes as typed ("7", "1.5") → whole seconds, or null when not a positive number of at most a day. */
export function minutesToSeconds(text: string): number | null {
  const value = Number(text.trim().replace(",", "."));
  if (text.trim() === "" || !Number.isFinite(value)) return null;
  const seconds = Math.round(value * 60);
  return seconds >= 1 && seconds <= 86_400 ? seconds : null;
}

/** Seconds → minutes as shown ("15", "1.5"). */
export function secondsToMinutes(seconds: number): string {
  return String(Math.round((seconds / 60) * 100) / 100);
}

const minutesOf = (clock: string): number => {
  const [h, m] = clock.split(":");
  return Number(h) * 60 + Number(m);
};

/**
 * The first fault of `periods` (an empty period, or two that overlap, also past
 * midnight and from Sunday into Monday), as a sentence; null when none. The server
 * checks the same (brigade.restaurants.service.validate_opening_hours).
 */
export function openingHoursFault(periods: readonly OpeningPeriod[]): string | null {
  const day = 24 * 60;
  const week = 7 * day;
  const spans = [];
  for (const p of periods) {
    if (!/^\d\d:\d\d$/.test(p.opens) || !/^\d\d:\d\d$/.test(p.closes)) return "Give every period an opening and a closing time.";
    const opens = minutesOf(p.opens);
    const closes = minutesOf(p.closes);
    const name = `${WEEKDAYS[p.weekday - 1] ?? "?"} ${p.opens}–${p.closes}`;
    if (opens === closes) return `${name} is empty.`;
    const start = (p.weekday - 1) * day + opens;
    spans.push({ start, end: start + (closes > opens ? closes - opens : closes + day - opens), name });
  }
  spans.sort((a, b) => a.start - b.start);
  for (let i = 1; i < spans.length; i++) {
    const before = spans[i - 1];
    const after = spans[i];
    if (before && after && after.start < before.end) return `${before.name} overlaps ${after.name}.`;
  }
  const first = spans[0];
  const last = spans[spans.length - 1];
  if (first && last && spans.length > 1 && last.end - week > first.start) return `${last.name} overlaps ${first.name}.`;
  return null;
}

function targetRows(targets: Record<string, number>): TargetRow[] {
  return Object.entries(targets)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([station, seconds]) => ({ station, minutes: secondsToMinutes(seconds) }));
}

const sameJson = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

export function ServiceSettingsForm({ restaurant }: { restaurant: RestaurantRead }) {
  const { api, queryClient } = useServices();
  const { restaurantId: rid } = useRestaurantScope();
  const items = useQuery(itemsQuery(api, rid));
  const [hours, setHours] = useState<OpeningPeriod[]>(restaurant.opening_hours);
  const [targets, setTargets] = useState<TargetRow[]>(() => targetRows(restaurant.station_prep_targets));
  const [features, setFeatures] = useState<Features>(() => featuresOf(restaurant));
  const [local, setLocal] = useState<{ hours?: string; targets?: string }>({});
  const [saved, setSaved] = useState(false);
  const stations = useMemo(() => [...new Set((items.data?.items ?? []).map((i) => i.station))].sort(), [items.data]);
  const touched = () => setSaved(false);

  const save = useMutation({
    mutationFn: (body: RestaurantUpdate) =>
      unwrap(api.PATCH("/api/v1/restaurants/{restaurant_id}", { params: { path: { restaurant_id: rid } }, body })),
    onSuccess: (updated) => {
      queryClient.setQueryData(queryKeys.restaurant(rid), updated);
      setHours(updated.opening_hours);
      setTargets(targetRows(updated.station_prep_targets));
      setFeatures(featuresOf(updated));
      setSaved(true);
    },
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSaved(false);
    const errors: typeof local = {};
    const hoursFault = openingHoursFault(hours);
    if (hoursFault) errors.hours = hoursFault;
    const map: Record<string, number> = {};
    for (const row of targets) {
      const station = row.station.trim();
      const seconds = minutesToSeconds(row.minutes);
      if (station === "") errors.targets = "Name the station of every target.";
      else if (seconds === null) errors.targets = `The target of ${station} must be more than 0 and at most 1440 minutes.`;
      else if (station in map) errors.targets = `${station} has two targets.`;
      else map[station] = seconds;
    }
    setLocal(errors);
    if (errors.hours || errors.targets) return;
    const body: RestaurantUpdate = {};
    if (!sameJson(hours, restaurant.opening_hours)) body.opening_hours = hours;
    if (!sameJson(map, Object.fromEntries(Object.entries(restaurant.station_prep_targets).sort(([a], [b]) => a.localeCompare(b)))))
      body.station_prep_targets = map;
    const switches: Partial<Features> = {};
    const current = featuresOf(restaurant);
    for (const key of Object.keys(FEATURE_LABELS) as (keyof Features)[]) {
      if (features[key] !== current[key]) switches[key] = features[key];
    }
    if (Object.keys(switches).length > 0) body.features = switches;
    if (Object.keys(body).length === 0) {
      setSaved(true);
      return;
    }
    save.mutate(body);
  };

  const error = save.error;
  const hoursError = local.hours ?? (isProblem(error, "invalid-opening-hours") ? problemText(error) : undefined);
  const setPeriod = (index: number, patch: Partial<OpeningPeriod>) => {
    touched();
    setHours((list) => list.map((p, i) => (i === index ? { ...p, ...patch } : p)));
  };
  const setTarget = (index: number, patch: Partial<TargetRow>) => {
    touched();
    setTargets((list) => list.map((t, i) => (i === index ? { ...t, ...patch } : t)));
  };

  return (
    <form className="admin-form settings-form admin-panel" aria-label="Service settings" onSubmit={submit} noValidate>
      <fieldset className="settings-section" aria-describedby="hours-hint">
        <legend>Opening hours</legend>
        <p id="hours-hint" className="field-hint">
          Local time. A period that closes before it opens ends the next day (18:00–02:00).
        </p>
        {hours.length === 0 ? <p className="empty-note">No opening hours set.</p> : null}
        <ul className="settings-rows">
          {hours.map((p, index) => (
            <li key={index} className="settings-row">
              <select
                aria-label={`Weekday of period ${index + 1}`}
                value={p.weekday}
                onChange={(e) => setPeriod(index, { weekday: Number(e.target.value) })}
              >
                {WEEKDAYS.map((day, i) => (
                  <option key={day} value={i + 1}>
                    {day}
                  </option>
                ))}
              </select>
              <input
                type="time"
                aria-label={`Opens (period ${index + 1})`}
                value={p.opens}
                onChange={(e) => setPeriod(index, { opens: e.target.value })}
              />
              <input
                type="time"
                aria-label={`Closes (period ${index + 1})`}
                value={p.closes}
                onChange={(e) => setPeriod(index, { closes: e.target.value })}
              />
              <button
                type="button"
                className="button"
                onClick={() => {
                  touched();
                  setHours((list) => list.filter((_, i) => i !== index));
                }}
              >
                Remove
              </button>
            </li>
          ))}
        </ul>
        <button
          type="button"
          className="button"
          onClick={() => {
            touched();
            const last = hours[hours.length - 1];
            setHours((list) => [...list, { weekday: last ? (last.weekday % 7) + 1 : 1, opens: "11:00", closes: "22:00" }]);
          }}
        >
          Add opening period
        </button>
        {hoursError ? (
          <p role="alert" className="error-message">
            {hoursError}
          </p>
        ) : null}
      </fieldset>

      <fieldset className="settings-section">
        <legend>Target prep times</legend>
        <p className="field-hint">Minutes from fire to ready that a ticket of the station should take.</p>
        <datalist id="known-stations">
          {stations.map((s) => (
            <option key={s} value={s} />
          ))}
        </datalist>
        <ul className="settings-rows">
          {targets.map((t, index) => (
            <li key={index} className="settings-row">
              <input
                aria-label={`Station ${index + 1}`}
                list="known-stations"
                value={t.station}
                maxLength={64}
                onChange={(e) => setTarget(index, { station: e.target.value })}
              />
              <input
                aria-label={`Target minutes (station ${index + 1})`}
                inputMode="decimal"
                value={t.minutes}
                onChange={(e) => setTarget(index, { minutes: e.target.value })}
              />
              <span>min</span>
              <button
                type="button"
                className="button"
                onClick={() => {
                  touched();
                  setTargets((list) => list.filter((_, i) => i !== index));
                }}
              >
                Remove
              </button>
            </li>
          ))}
        </ul>
        <button
          type="button"
          className="button"
          onClick={() => {
            touched();
            const used = new Set(targets.map((t) => t.station));
            setTargets((list) => [...list, { station: stations.find((s) => !used.has(s)) ?? "", minutes: "15" }]);
          }}
        >
          Add station target
        </button>
        {local.targets ? (
          <p role="alert" className="error-message">
            {local.targets}
          </p>
        ) : null}
      </fieldset>

      <fieldset className="settings-section">
        <legend>Features</legend>
        {(Object.keys(FEATURE_LABELS) as (keyof Features)[]).map((key) => (
          <label key={key} className="check">
            <input
              type="checkbox"
              checked={features[key]}
              onChange={(e) => {
                touched();
                setFeatures((f) => ({ ...f, [key]: e.target.checked }));
              }}
            />
            {FEATURE_LABELS[key]}
          </label>
        ))}
      </fieldset>

      <FormError error={error} handled={["invalid-opening-hours"]} />
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={save.isPending}>
          Save service settings
        </button>
        {saved ? (
          <span role="status" className="saved-note">
            Service settings saved.
          </span>
        ) : null}
      </div>
    </form>
  );
}
