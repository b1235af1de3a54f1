/**
 * `/r/:restaurantId/admin/settings` — the restaurant's name, currency (ISO 4217: a list
 * of common ones, or any other code typed and checked), time zone (IANA, from the
 * browser's list), tax rate (typed in percent, stored in basis points: 8.25 % → 825) and
 * whether menu prices include tax, and the postal address printed on receipts. Saves only
 * what changed (`PATCH /restaurants/{id}`); the server's refusals appear under their field.
 * Below it, the service settings (`ServiceSettings.tsx`): opening hours, the stations'
 * target prep times and the feature switches.
 */
import { useMutation } from "@tanstack/react-query";
import { useMemo, useState, type FormEvent } from "react";

import { unwrap } from "../../api/client";
import { ApiError } from "../../api/errors";
import { queryKeys } from "../../api/queries";
import type { RestaurantRead } from "../../api/types";
import { useRestaurantScope } from "../../auth/restaurant";
import { formatMoney } from "../../lib/money";
import { useServices } from "../../services";
import type { RestaurantUpdate } from "./adminApi";
import { Field, FormError, QueryGate, problemText, serverFieldError, useRestaurant } from "./common";
import { basisPointsToPercent, parsePercentToBasisPoints } from "./decimal";
import { ServiceSettingsForm } from "./ServiceSettings";

export const COMMON_CURRENCIES: readonly string[] = [
  "USD", "EUR", "GBP", "CAD", "AUD", "NZD", "CHF", "JPY", "CNY", "HKD", "SGD", "INR", "KRW", "THB",
  "MXN", "BRL", "ARS", "CLP", "COP", "ZAR", "SEK", "NOK", "DKK", "PLN", "CZK", "HUF", "RON", "TRY",
  "ILS", "AED", "SAR", "KWD", "BHD",
];
const OTHER = "other";

function currencyName(code: string): string {
  try {
    return new Intl.DisplayNames(undefined, { type: "currency" }).of(code) ?? code;
  } catch {
    return code;
  }
}

/** Every IANA time zone the browser knows, UTC first, with `current` kept even if unknown here. */
function timeZones(current: string): string[] {
  const known = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
  return [...new Set(["UTC", current, ...known])];
}

/** Whether `code` is an ISO 4217 code this browser knows (any 3 letters when it cannot tell). */
function knownCurrency(code: string): boolean {
  if (!/^[A-Z]{3}$/.test(code)) return false;
  if (typeof Intl.supportedValuesOf !== "function") return true;
  return Intl.supportedValuesOf("currency").includes(code);
}

export function SettingsAdmin() {
  const restaurant = useRestaurant();
  return (
    <div className="admin-page settings-admin">
      <h1>Settings</h1>
      <QueryGate queries={[restaurant]} what="the settings">
        {() =>
          restaurant.data ? (
            <>
              <SettingsForm key={restaurant.data.id} restaurant={restaurant.data} />
              <h2>Service</h2>
              <ServiceSettingsForm key={`service-${restaurant.data.id}`} restaurant={restaurant.data} />
            </>
          ) : null
        }
      </QueryGate>
    </div>
  );
}

interface Draft {
  name: string;
  currencyChoice: string;
  otherCurrency: string;
  timeZone: string;
  taxPercent: string;
  taxInclusive: boolean;
  address: string;
}

function draftOf(r: RestaurantRead): Draft {
  const common = COMMON_CURRENCIES.includes(r.currency);
  return {
    name: r.name,
    currencyChoice: common ? r.currency : OTHER,
    otherCurrency: common ? "" : r.currency,
    timeZone: r.time_zone,
    taxPercent: basisPointsToPercent(r.tax_rate_bp),
    taxInclusive: r.tax_inclusive,
    address: r.address,
  };
}

function SettingsForm({ restaurant }: { restaurant: RestaurantRead }) {
  const { api, queryClient } = useServices();
  const { restaurantId: rid } = useRestaurantScope();
  const [draft, setDraft] = useState<Draft>(() => draftOf(restaurant));
  const [local, setLocal] = useState<{ name?: string; currency?: string; tax?: string }>({});
  const [saved, setSaved] = useState(false);
  const zones = useMemo(() => timeZones(restaurant.time_zone), [restaurant.time_zone]);
  const set = (patch: Partial<Draft>) => {
    setSaved(false);
    setDraft((d) => ({ ...d, ...patch }));
  };
  const currency = (draft.currencyChoice === OTHER ? draft.otherCurrency : draft.currencyChoice).trim().toUpperCase();

  const save = useMutation({
    mutationFn: (body: RestaurantUpdate) =>
      unwrap(api.PATCH("/api/v1/restaurants/{restaurant_id}", { params: { path: { restaurant_id: rid } }, body })),
    onSuccess: async (updated) => {
      queryClient.setQueryData(queryKeys.restaurant(rid), updated);
      setDraft(draftOf(updated));
      setSaved(true);
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: queryKeys.me() }), // the name in the nav bar
        queryClient.invalidateQueries({ queryKey: queryKeys.restaurantAll(rid) }), // prices in the new currency
      ]);
    },
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSaved(false);
    const errors: typeof local = {};
    if (draft.name.trim() === "") errors.name = "The restaurant needs a name.";
    if (!knownCurrency(currency)) errors.currency = "Enter an ISO 4217 code of 3 letters, e.g. EUR.";
    const tax = parsePercentToBasisPoints(draft.taxPercent);
    if (!tax.ok) errors.tax = tax.error;
    setLocal(errors);
    if (errors.name || errors.currency || !tax.ok) return;
    const body: RestaurantUpdate = {};
    if (draft.name.trim() !== restaurant.name) body.name = draft.name.trim();
    if (currency !== restaurant.currency) body.currency = currency;
    if (draft.timeZone !== restaurant.time_zone) body.time_zone = draft.timeZone;
    if (tax.value !== restaurant.tax_rate_bp) body.tax_rate_bp = tax.value;
    if (draft.taxInclusive !== restaurant.tax_inclusive) body.tax_inclusive = draft.taxInclusive;
    if (draft.address !== restaurant.address) body.address = draft.address;
    if (Object.keys(body).length === 0) {
      setSaved(true);
      return;
    }
    save.mutate(body);
  };

  const error = save.error;
  const slugMessage = (slug: string) => (error instanceof ApiError && error.is(slug) ? problemText(error) : undefined);
  const currencyChanged = knownCurrency(currency) && currency !== restaurant.currency;

  return (
    <form className="admin-form settings-form admin-panel" aria-label="Restaurant settings" onSubmit={submit} noValidate>
      <Field label="Restaurant name" error={local.name ?? serverFieldError(error, "name")}>
        {(control) => <input {...control} value={draft.name} onChange={(e) => set({ name: e.target.value })} maxLength={200} />}
      </Field>
      <Field label="Address" hint="Printed on receipts, one line per line." error={serverFieldError(error, "address")}>
        {(control) => (
          <textarea {...control} rows={3} value={draft.address} onChange={(e) => set({ address: e.target.value })} maxLength={500} />
        )}
      </Field>
      <Field
        label="Currency"
        hint="Every price and payment is in this currency."
        error={draft.currencyChoice === OTHER ? undefined : (local.currency ?? slugMessage("unknown-currency") ?? serverFieldError(error, "currency"))}
      >
        {(control) => (
          <select {...control} value={draft.currencyChoice} onChange={(e) => set({ currencyChoice: e.target.value })}>
            {COMMON_CURRENCIES.map((code) => (
              <option key={code} value={code}>
                {code} · {currencyName(code)}
              </option>
            ))}
            <option value={OTHER}>Other…</option>
          </select>
        )}
      </Field>
      {draft.currencyChoice === OTHER ? (
        <Field
          label="Currency code"
          hint="ISO 4217, 3 letters."
          error={local.currency ?? slugMessage("unknown-currency") ?? serverFieldError(error, "currency")}
        >
          {(control) => (
            <input
              {...control}
              value={draft.otherCurrency}
              onChange={(e) => set({ otherCurrency: e.target.value.toUpperCase() })}
              maxLength={3}
              autoCapitalize="characters"
              spellCheck={false}
            />
          )}
        </Field>
      ) : null}
      {currencyChanged ? (
        <p className="form-error" role="note">
          Prices are not converted: a price of {formatMoney(1250, restaurant.currency)} will read{" "}
          {formatMoney(1250, currency)}. Check the menu prices after changing the currency.
        </p>
      ) : null}
      <Field label="Time zone" hint="Decides the business day of the reports." error={slugMessage("unknown-time-zone") ?? serverFieldError(error, "time_zone")}>
        {(control) => (
          <select {...control} value={draft.timeZone} onChange={(e) => set({ timeZone: e.target.value })}>
            {zones.map((zone) => (
              <option key={zone} value={zone}>
                {zone.replace(/_/g, " ")}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field
        label="Tax rate (%)"
        hint="Sales tax in percent, up to 2 decimal places, e.g. 8.25."
        error={local.tax ?? slugMessage("invalid-tax-rate") ?? serverFieldError(error, "tax_rate_bp")}
      >
        {(control) => (
          <input {...control} inputMode="decimal" value={draft.taxPercent} onChange={(e) => set({ taxPercent: e.target.value })} />
        )}
      </Field>
      <fieldset className="radio-group">
        <legend>Menu prices</legend>
        <label className="check">
          <input type="radio" name="tax-inclusive" checked={draft.taxInclusive} onChange={() => set({ taxInclusive: true })} />
          Include tax (the tax is part of the price)
        </label>
        <label className="check">
          <input type="radio" name="tax-inclusive" checked={!draft.taxInclusive} onChange={() => set({ taxInclusive: false })} />
          Exclude tax (the tax is added to the check)
        </label>
        {serverFieldError(error, "tax_inclusive") ? (
          <p role="alert" className="error-message">
            {serverFieldError(error, "tax_inclusive")}
          </p>
        ) : null}
      </fieldset>
      <FormError
        error={error}
        fields={["name", "address", "currency", "time_zone", "tax_rate_bp", "tax_inclusive"]}
        handled={["unknown-currency", "unknown-time-zone", "invalid-tax-rate"]}
      />
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={save.isPending}>
          Save settings
        </button>
        {saved ? (
          <span role="status" className="saved-note">
            Settings saved.
          </span>
        ) : null}
      </div>
    </form>
  );
}
