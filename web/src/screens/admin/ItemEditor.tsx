/**
 * Create or edit one menu item: its details (name, description, station, category), its
 * sizes (variations: name, SKU, price typed as a decimal in the restaurant's currency and
 * sent as exact minor units; 409 `sku-taken` shown under the SKU), the modifier groups it
 * offers in order, and deleting it.
 */
import { useMutation } from "@tanstack/react-query";
import { useEffect, useId, useRef, useState, type FormEvent } from "react";

import { unwrap } from "../../api/client";
import { queryKeys } from "../../api/queries";
import { useRestaurantScope } from "../../auth/restaurant";
import { formatMoney, minorUnitDigits } from "../../lib/money";
import { useServices } from "../../services";
import {
  moved,
  type CategoryRead,
  type MenuItemRead,
  type MenuItemUpdate,
  type ModifierGroupRead,
  type VariationRead,
} from "./adminApi";
import { ConfirmDialog, Field, FormError, isProblem, problemText, serverFieldError } from "./common";
import { parsePrice, priceInputValue } from "./decimal";

export interface ItemEditorProps {
  /** The item to edit; null: a new item. */
  item: MenuItemRead | null;
  /** The category a new item goes into. */
  categoryId: number;
  categories: readonly CategoryRead[];
  groups: readonly ModifierGroupRead[];
  currency: string;
  /** Stations already used on the menu (suggestions). */
  stations: readonly string[];
  onClose: () => void;
  /** A new item was created (the editor then edits it). */
  onCreated: (item: MenuItemRead) => void;
}

export function ItemEditor(props: ItemEditorProps) {
  const { item, onClose } = props;
  const headingRef = useRef<HTMLHeadingElement>(null);
  useEffect(() => headingRef.current?.focus(), [item?.id]);
  const categoryName = props.categories.find((c) => c.id === (item?.category_id ?? props.categoryId))?.name ?? "";
  return (
    <section className="admin-panel item-editor" aria-labelledby="item-editor-title">
      <div className="panel-header">
        <h2 id="item-editor-title" ref={headingRef} tabIndex={-1}>
          {item ? `Edit ${item.name}` : `New item in ${categoryName}`}
        </h2>
        <button type="button" className="button" onClick={onClose}>
          Back to {categoryName || "items"}
        </button>
      </div>
      <ItemDetails {...props} />
      {item ? (
        <>
          <ItemSizes item={item} currency={props.currency} />
          <ItemModifierGroups item={item} groups={props.groups} />
          <DeleteItem item={item} onDeleted={onClose} />
        </>
      ) : null}
    </section>
  );
}

// --- details ----------------------------------------------------------------------------

interface SizeDraft {
  key: number;
  name: string;
  sku: string;
  price: string;
}

interface SizeErrors {
  name?: string | undefined;
  sku?: string | undefined;
  price?: string | undefined;
}

let draftKey = 0;
const newDraft = (name = ""): SizeDraft => ({ key: (draftKey += 1), name, sku: "", price: "" });

/** Local checks of size drafts: required fields, exact prices, a SKU used twice. */
function checkSizes(drafts: readonly SizeDraft[], currency: string): { errors: SizeErrors[]; prices: number[] } {
  const prices: number[] = [];
  const errors = drafts.map((draft, index) => {
    const e: SizeErrors = {};
    if (draft.name.trim() === "") e.name = "Size name is required.";
    if (draft.sku.trim() === "") e.sku = "SKU is required.";
    else if (drafts.findIndex((d) => d.sku.trim() === draft.sku.trim()) !== index) e.sku = "This SKU is used twice.";
    const price = parsePrice(draft.price, currency);
    if (price.ok) prices.push(price.value);
    else e.price = price.error;
    return e;
  });
  return { errors, prices };
}

/** The server's errors of new sizes: validation messages by index, `sku-taken` under the SKU it names. */
function serverSizeErrors(error: unknown, drafts: readonly SizeDraft[]): SizeErrors[] {
  return drafts.map((draft, index) => {
    const e: SizeErrors = {
      name: serverFieldError(error, `variations.${index}.name`),
      sku: serverFieldError(error, `variations.${index}.sku`),
      price: serverFieldError(error, `variations.${index}.price`),
    };
    if (isProblem(error, "sku-taken")) {
      const named = [error.problem.sku, ...(Array.isArray(error.problem.skus) ? (error.problem.skus as unknown[]) : [])];
      if (named.includes(draft.sku.trim())) e.sku = `SKU ${draft.sku.trim()} is taken by another size.`;
    }
    return e;
  });
}

function ItemDetails({ item, categoryId, categories, currency, stations, onCreated }: ItemEditorProps) {
  const { api, queryClient } = useServices();
  const { restaurantId: rid } = useRestaurantScope();
  const [name, setName] = useState(item?.name ?? "");
  const [description, setDescription] = useState(item?.description ?? "");
  const [station, setStation] = useState(item?.station ?? stations[0] ?? "kitchen");
  const [category, setCategory] = useState(item?.category_id ?? categoryId);
  const [drafts, setDrafts] = useState<SizeDraft[]>(() => (item ? [] : [newDraft("Regular")]));
  const [localErrors, setLocalErrors] = useState<{ name?: string; station?: string; sizes: SizeErrors[] }>({ sizes: [] });
  const [saved, setSaved] = useState(false);
  const stationListId = useId();

  const save = useMutation({
    mutationFn: async (prices: number[]): Promise<MenuItemRead> => {
      if (item === null) {
        return unwrap(
          api.POST("/api/v1/restaurants/{restaurant_id}/menu/items", {
            params: { path: { restaurant_id: rid } },
            body: {
              category_id: category,
              name: name.trim(),
              description,
              station: station.trim(),
              variations: drafts.map((d, i) => ({
                name: d.name.trim(),
                sku: d.sku.trim(),
                price: prices[i] ?? 0,
                position: i,
              })),
            },
          }),
        );
      }
      const body: MenuItemUpdate = {};
      if (name.trim() !== item.name) body.name = name.trim();
      if (description !== item.description) body.description = description;
      if (station.trim() !== item.station) body.station = station.trim();
      if (category !== item.category_id) body.category_id = category;
      return unwrap(
        api.PATCH("/api/v1/restaurants/{restaurant_id}/menu/items/{item_id}", {
          params: { path: { restaurant_id: rid, item_id: item.id } },
          body,
        }),
      );
    },
    onSuccess: async (result) => {
      await queryClient.invalidateQueries({ queryKey: queryKeys.menu(rid) });
      setSaved(true);
      if (item === null) onCreated(result);
    },
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSaved(false);
    const errors: { name?: string; station?: string; sizes: SizeErrors[] } = { sizes: [] };
    if (name.trim() === "") errors.name = "Name is required.";
    if (station.trim() === "") errors.station = "Station is required.";
    const sizes = checkSizes(drafts, currency);
    errors.sizes = sizes.errors;
    setLocalErrors(errors);
    const sizeProblem = sizes.errors.some((e) => e.name || e.sku || e.price);
    if (errors.name || errors.station || sizeProblem) return;
    save.mutate(sizes.prices);
  };

  const serverSizes = serverSizeErrors(save.error, drafts);
  const shownFields = ["name", "description", "station", "category_id", ...drafts.flatMap((_, i) => ["name", "sku", "price"].map((f) => `variations.${i}.${f}`))];
  const digits = minorUnitDigits(currency);

  return (
    <form className="admin-form item-details" aria-label={item ? "Item details" : "New item"} onSubmit={submit} noValidate>
      <Field label="Item name" error={localErrors.name ?? serverFieldError(save.error, "name")}>
        {(control) => <input {...control} value={name} onChange={(e) => setName(e.target.value)} maxLength={200} />}
      </Field>
      <Field label="Description" error={serverFieldError(save.error, "description")}>
        {(control) => (
          <textarea {...control} rows={2} value={description} onChange={(e) => setDescription(e.target.value)} maxLength={5000} />
        )}
      </Field>
      <div className="form-row">
        <Field
          label="Station"
          hint="Where the kitchen prepares it (its tickets go to this station's screen)."
          error={localErrors.station ?? serverFieldError(save.error, "station")}
        >
          {(control) => (
            <>
              <input {...control} list={stationListId} value={station} onChange={(e) => setStation(e.target.value)} maxLength={64} />
              <datalist id={stationListId}>
                {stations.map((s) => (
                  <option key={s} value={s} />
                ))}
              </datalist>
            </>
          )}
        </Field>
        <Field label="Category" error={serverFieldError(save.error, "category_id")}>
          {(control) => (
            <select {...control} value={category} onChange={(e) => setCategory(Number(e.target.value))}>
              {categories.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      {item === null ? (
        <fieldset className="size-drafts">
          <legend>Sizes</legend>
          <p className="field-hint">
            Prices in {currency}
            {digits > 0 ? `, up to ${digits} decimal place${digits === 1 ? "" : "s"}` : ", whole numbers"}.
          </p>
          {drafts.map((draft, index) => (
            <fieldset key={draft.key} className="size-row">
              <legend>Size {index + 1}</legend>
              <SizeInputs
                value={draft}
                currency={currency}
                errors={{
                  name: localErrors.sizes[index]?.name ?? serverSizes[index]?.name,
                  sku: localErrors.sizes[index]?.sku ?? serverSizes[index]?.sku,
                  price: localErrors.sizes[index]?.price ?? serverSizes[index]?.price,
                }}
                onChange={(next) => setDrafts((list) => list.map((d) => (d.key === draft.key ? { ...d, ...next } : d)))}
              />
              {drafts.length > 1 ? (
                <button
                  type="button"
                  aria-label={`Remove size ${index + 1}`}
                  onClick={() => setDrafts((list) => list.filter((d) => d.key !== draft.key))}
                >
                  Remove
                </button>
              ) : null}
            </fieldset>
          ))}
          <button type="button" className="button" onClick={() => setDrafts((list) => [...list, newDraft()])}>
            Add another size
          </button>
        </fieldset>
      ) : null}
      <FormError error={save.error} fields={shownFields} handled={item === null ? ["sku-taken"] : []} />
      {item === null && isProblem(save.error, "sku-taken") && !serverSizes.some((e) => e.sku) ? (
        <p role="alert" className="error-message">
          {problemText(save.error)}
        </p>
      ) : null}
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={save.isPending}>
          {item ? "Save details" : "Create item"}
        </button>
        {saved && item ? (
          <span role="status" className="saved-note">
            Saved.
          </span>
        ) : null}
      </div>
    </form>
  );
}

/** Name, SKU and price inputs of one size. */
function SizeInputs({
  value,
  currency,
  errors,
  onChange,
}: {
  value: { name: string; sku: string; price: string };
  currency: string;
  errors: SizeErrors;
  onChange: (next: Partial<{ name: string; sku: string; price: string }>) => void;
}) {
  return (
    <div className="form-row size-inputs">
      <Field label="Size name" error={errors.name}>
        {(control) => <input {...control} value={value.name} onChange={(e) => onChange({ name: e.target.value })} maxLength={100} />}
      </Field>
      <Field label="SKU" error={errors.sku}>
        {(control) => (
          <input
            {...control}
            value={value.sku}
            onChange={(e) => onChange({ sku: e.target.value })}
            maxLength={100}
            autoCapitalize="characters"
            spellCheck={false}
          />
        )}
      </Field>
      <Field label={`Price (${currency})`} error={errors.price}>
        {(control) => (
          <input
            {...control}
            inputMode={minorUnitDigits(currency) > 0 ? "decimal" : "numeric"}
            autoComplete="off"
            value={value.price}
            onChange={(e) => onChange({ price: e.target.value })}
          />
        )}
      </Field>
    </div>
  );
}

// --- sizes of an existing item --------------------------------------------------------------

function ItemSizes({ item, currency }: { item: MenuItemRead; currency: string }) {
  return (
    <section className="item-sizes-editor" aria-labelledby="item-sizes-title">
      <h3 id="item-sizes-title">Sizes</h3>
      {item.variations.length === 0 ? <p className="admin-empty">No sizes: add one so that the item can be ordered.</p> : null}
      {item.variations.map((variation) => (
        <VariationForm key={variation.id} item={item} variation={variation} currency={currency} />
      ))}
      <VariationForm item={item} variation={null} currency={currency} />
    </section>
  );
}

/** Edit one size (`PATCH …/variations/{id}`, or delete it), or add one (`POST …/variations`) when `variation` is null. */
function VariationForm({ item, variation, currency }: { item: MenuItemRead; variation: VariationRead | null; currency: string }) {
  const { api, queryClient } = useServices();
  const { restaurantId: rid } = useRestaurantScope();
  const initial = () => ({
    name: variation?.name ?? "",
    sku: variation?.sku ?? "",
    price: variation ? priceInputValue(variation.price, currency) : "",
  });
  const [value, setValue] = useState(initial);
  const [local, setLocal] = useState<SizeErrors>({});
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [saved, setSaved] = useState(false);
  const invalidate = () => queryClient.invalidateQueries({ queryKey: queryKeys.menu(rid) });
  const itemPath = { restaurant_id: rid, item_id: item.id };

  const save = useMutation({
    mutationFn: (price: number) => {
      if (variation === null) {
        return unwrap(
          api.POST("/api/v1/restaurants/{restaurant_id}/menu/items/{item_id}/variations", {
            params: { path: itemPath },
            body: { name: value.name.trim(), sku: value.sku.trim(), price, position: item.variations.length },
          }),
        );
      }
      return unwrap(
        api.PATCH("/api/v1/restaurants/{restaurant_id}/menu/items/{item_id}/variations/{variation_id}", {
          params: { path: { ...itemPath, variation_id: variation.id } },
          body: {
            ...(value.name.trim() !== variation.name ? { name: value.name.trim() } : {}),
            ...(value.sku.trim() !== variation.sku ? { sku: value.sku.trim() } : {}),
            ...(price !== variation.price ? { price } : {}),
          },
        }),
      );
    },
    onSuccess: async () => {
      if (variation === null) setValue(initial());
      setSaved(true);
      await invalidate();
    },
  });

  const remove = useMutation({
    mutationFn: (id: number) =>
      unwrap(
        api.DELETE("/api/v1/restaurants/{restaurant_id}/menu/items/{item_id}/variations/{variation_id}", {
          params: { path: { ...itemPath, variation_id: id } },
        }),
      ),
    onSuccess: async () => {
      setConfirmDelete(false);
      await invalidate();
    },
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSaved(false);
    const { errors, prices } = checkSizes([{ key: 0, ...value }], currency);
    const e = errors[0] ?? {};
    setLocal(e);
    const price = prices[0];
    if (e.name || e.sku || e.price || price === undefined) return;
    save.mutate(price);
  };

  const skuTaken = isProblem(save.error, "sku-taken") ? `SKU ${value.sku.trim()} is taken by another size.` : undefined;
  const title = variation ? `Size: ${variation.name}` : "Add a size";
  return (
    <form className="size-form" aria-label={title} onSubmit={submit} noValidate>
      <fieldset>
        <legend>{variation ? `${variation.name} · ${formatMoney(variation.price, currency)}` : "Add a size"}</legend>
        <SizeInputs
          value={value}
          currency={currency}
          errors={{
            name: local.name ?? serverFieldError(save.error, "name"),
            sku: local.sku ?? skuTaken ?? serverFieldError(save.error, "sku"),
            price: local.price ?? serverFieldError(save.error, "price"),
          }}
          onChange={(next) => {
            setSaved(false);
            setValue((v) => ({ ...v, ...next }));
          }}
        />
        <FormError error={save.error} fields={["name", "sku", "price"]} handled={["sku-taken"]} />
        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={save.isPending}>
            {variation ? "Save size" : "Add size"}
          </button>
          {variation ? (
            <button type="button" className="button" aria-label={`Delete size ${variation.name}`} onClick={() => setConfirmDelete(true)}>
              Delete
            </button>
          ) : null}
          {saved && variation ? (
            <span role="status" className="saved-note">
              Saved.
            </span>
          ) : null}
        </div>
      </fieldset>
      {confirmDelete && variation ? (
        <ConfirmDialog
          title={`Delete size ${variation.name} of ${item.name}?`}
          confirmLabel="Delete size"
          busy={remove.isPending}
          error={remove.error}
          onCancel={() => setConfirmDelete(false)}
          onConfirm={() => remove.mutate(variation.id)}
        >
          <p>Orders already taken keep it; it can no longer be ordered.</p>
        </ConfirmDialog>
      ) : null}
    </form>
  );
}

// --- modifier groups of an item -------------------------------------------------------------

function ItemModifierGroups({ item, groups }: { item: MenuItemRead; groups: readonly ModifierGroupRead[] }) {
  const { api, queryClient } = useServices();
  const { restaurantId: rid } = useRestaurantScope();
  const [toAdd, setToAdd] = useState<string>("");
  const byId = new Map(groups.map((g) => [g.id, g]));
  const assigned = item.modifier_group_ids.filter((id) => byId.has(id));
  const available = groups.filter((g) => !assigned.includes(g.id));

  const put = useMutation({
    mutationFn: (groupIds: number[]) =>
      unwrap(
        api.PUT("/api/v1/restaurants/{restaurant_id}/menu/items/{item_id}/modifier-groups", {
          params: { path: { restaurant_id: rid, item_id: item.id } },
          body: { group_ids: groupIds },
        }),
      ),
    onSuccess: () => setToAdd(""),
    onSettled: () => queryClient.invalidateQueries({ queryKey: queryKeys.menu(rid) }),
  });

  return (
    <section className="item-groups-editor" aria-labelledby="item-groups-title">
      <h3 id="item-groups-title">Modifier groups</h3>
      <p className="field-hint">Offered with {item.name}, in this order.</p>
      {assigned.length === 0 ? <p className="admin-empty">None.</p> : null}
      <ol className="admin-list">
        {assigned.map((id, index) => {
          const group = byId.get(id);
          if (group === undefined) return null;
          return (
            <li key={id} className="admin-row">
              <span className="row-title">{group.name}</span>
              <span className="admin-muted">{choiceRule(group)}</span>
              <div className="row-actions">
                <button
                  type="button"
                  aria-label={`Move ${group.name} up`}
                  disabled={index === 0 || put.isPending}
                  onClick={() => put.mutate(moved(assigned, index, -1))}
                >
                  Up
                </button>
                <button
                  type="button"
                  aria-label={`Move ${group.name} down`}
                  disabled={index === assigned.length - 1 || put.isPending}
                  onClick={() => put.mutate(moved(assigned, index, 1))}
                >
                  Down
                </button>
                <button
                  type="button"
                  aria-label={`Remove ${group.name}`}
                  disabled={put.isPending}
                  onClick={() => put.mutate(assigned.filter((g) => g !== id))}
                >
                  Remove
                </button>
              </div>
            </li>
          );
        })}
      </ol>
      {available.length > 0 ? (
        <form
          className="inline-form"
          aria-label="Offer a modifier group"
          onSubmit={(event) => {
            event.preventDefault();
            if (toAdd !== "") put.mutate([...assigned, Number(toAdd)]);
          }}
        >
          <Field label="Modifier group to offer">
            {(control) => (
              <select {...control} value={toAdd} onChange={(e) => setToAdd(e.target.value)}>
                <option value="">Choose a group…</option>
                {available.map((g) => (
                  <option key={g.id} value={g.id}>
                    {g.name}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <button type="submit" className="button" disabled={toAdd === "" || put.isPending}>
            Offer group
          </button>
        </form>
      ) : null}
      <FormError error={put.error} />
    </section>
  );
}

/** "Choose 0 to 3", "Choose 1", "Choose up to 2". */
export function choiceRule(group: { min_choices: number; max_choices: number }): string {
  if (group.min_choices === group.max_choices) return `Choose ${group.max_choices}`;
  if (group.min_choices === 0) return `Optional, up to ${group.max_choices}`;
  return `Choose ${group.min_choices} to ${group.max_choices}`;
}

// --- delete ------------------------------------------------------------------------------

function DeleteItem({ item, onDeleted }: { item: MenuItemRead; onDeleted: () => void }) {
  const { api, queryClient } = useServices();
  const { restaurantId: rid } = useRestaurantScope();
  const [confirm, setConfirm] = useState(false);
  const remove = useMutation({
    mutationFn: () =>
      unwrap(
        api.DELETE("/api/v1/restaurants/{restaurant_id}/menu/items/{item_id}", {
          params: { path: { restaurant_id: rid, item_id: item.id } },
        }),
      ),
    onSuccess: async () => {
      setConfirm(false);
      await queryClient.invalidateQueries({ queryKey: queryKeys.menu(rid) });
      onDeleted();
    },
  });
  return (
    <div className="danger-zone">
      <button type="button" className="button button-danger" onClick={() => setConfirm(true)}>
        Delete item
      </button>
      {confirm ? (
        <ConfirmDialog
          title={`Delete ${item.name}?`}
          confirmLabel="Delete item"
          busy={remove.isPending}
          error={remove.error}
          onCancel={() => setConfirm(false)}
          onConfirm={() => remove.mutate()}
        >
          <p>It leaves the menu with its sizes. Orders already taken keep it. To take it off for tonight only, use 86 instead.</p>
        </ConfirmDialog>
      ) : null}
    </div>
  );
}
