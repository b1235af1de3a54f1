/**
 * The menu's modifier groups ("Extra toppings", "Crust"): each with its choice rule
 * (min/max) and its modifiers with their added prices; create, edit (the modifier list is
 * replaced as a whole: kept ones carry their id) and delete.
 */
import { useMutation } from "@tanstack/react-query";
import { useEffect, useRef, useState, type FormEvent } from "react";

import { unwrap } from "../../api/client";
import { queryKeys } from "../../api/queries";
import { useRestaurantScope } from "../../auth/restaurant";
import { formatMoney, minorUnitDigits } from "../../lib/money";
import { useServices } from "../../services";
import type { ModifierCreate, ModifierGroupRead } from "./adminApi";
import { choiceRule } from "./ItemEditor";
import { ConfirmDialog, Field, FormError, isProblem, problemText, serverFieldError } from "./common";
import { parsePrice, priceInputValue } from "./decimal";

export function ModifierGroups({ groups, currency }: { groups: readonly ModifierGroupRead[]; currency: string }) {
  const [editing, setEditing] = useState<number | "new" | null>(null);
  const [deleting, setDeleting] = useState<ModifierGroupRead | null>(null);
  const { api, queryClient } = useServices();
  const { restaurantId: rid } = useRestaurantScope();
  const remove = useMutation({
    mutationFn: (group: ModifierGroupRead) =>
      unwrap(
        api.DELETE("/api/v1/restaurants/{restaurant_id}/menu/modifier-groups/{group_id}", {
          params: { path: { restaurant_id: rid, group_id: group.id } },
        }),
      ),
    onSuccess: async () => {
      setDeleting(null);
      await queryClient.invalidateQueries({ queryKey: queryKeys.menu(rid) });
    },
  });
  return (
    <section className="admin-panel modifier-groups" aria-labelledby="modifier-groups-title">
      <div className="panel-header">
        <h2 id="modifier-groups-title">Modifier groups</h2>
        {editing !== "new" ? (
          <button type="button" className="button button-primary" onClick={() => setEditing("new")}>
            New modifier group
          </button>
        ) : null}
      </div>
      {editing === "new" ? (
        <GroupForm group={null} position={groups.length} currency={currency} onDone={() => setEditing(null)} />
      ) : null}
      {groups.length === 0 && editing !== "new" ? <p className="admin-empty">No modifier groups yet.</p> : null}
      <ul className="admin-list group-list">
        {groups.map((group) => (
          <li key={group.id}>
            {editing === group.id ? (
              <GroupForm group={group} position={group.position} currency={currency} onDone={() => setEditing(null)} />
            ) : (
              <article className="group-card" aria-labelledby={`group-${group.id}-name`}>
                <div className="menu-item-main">
                  <h3 id={`group-${group.id}-name`}>{group.name}</h3>
                  <p className="admin-muted">{choiceRule(group)}</p>
                  <ul className="modifier-list">
                    {group.modifiers.map((m) => (
                      <li key={m.id}>
                        {m.name} <span className="admin-muted">{priceDelta(m.price_delta, currency)}</span>
                      </li>
                    ))}
                  </ul>
                </div>
                <div className="row-actions">
                  <button type="button" className="button" aria-label={`Edit ${group.name}`} onClick={() => setEditing(group.id)}>
                    Edit
                  </button>
                  <button type="button" className="button" aria-label={`Delete ${group.name}`} onClick={() => setDeleting(group)}>
                    Delete
                  </button>
                </div>
              </article>
            )}
          </li>
        ))}
      </ul>
      {deleting ? (
        <ConfirmDialog
          title={`Delete ${deleting.name}?`}
          confirmLabel="Delete group"
          busy={remove.isPending}
          error={remove.error}
          onCancel={() => setDeleting(null)}
          onConfirm={() => remove.mutate(deleting)}
        >
          <p>Its modifiers go with it, and no item offers it any more. Orders already taken keep their choices.</p>
        </ConfirmDialog>
      ) : null}
    </section>
  );
}

/** "+$1.50", or "no charge" for 0. */
export function priceDelta(minor: number, currency: string): string {
  return minor === 0 ? "no charge" : `+${formatMoney(minor, currency)}`;
}

interface ModifierDraft {
  key: number;
  id: number | null;
  name: string;
  price: string;
}

let draftKey = 0;

function GroupForm({
  group,
  position,
  currency,
  onDone,
}: {
  group: ModifierGroupRead | null;
  position: number;
  currency: string;
  onDone: () => void;
}) {
  const { api, queryClient } = useServices();
  const { restaurantId: rid } = useRestaurantScope();
  const [name, setName] = useState(group?.name ?? "");
  const [min, setMin] = useState(String(group?.min_choices ?? 0));
  const [max, setMax] = useState(String(group?.max_choices ?? 1));
  const [drafts, setDrafts] = useState<ModifierDraft[]>(() =>
    group
      ? group.modifiers.map((m) => ({ key: (draftKey += 1), id: m.id, name: m.name, price: priceInputValue(m.price_delta, currency) }))
      : [{ key: (draftKey += 1), id: null, name: "", price: "0" }],
  );
  const [local, setLocal] = useState<{ name?: string; min?: string; max?: string; modifiers: { name?: string; price?: string }[] }>({
    modifiers: [],
  });
  const firstRef = useRef<HTMLDivElement>(null);
  useEffect(() => firstRef.current?.querySelector("input")?.focus(), []);

  const save = useMutation({
    mutationFn: (body: { name: string; min_choices: number; max_choices: number; modifiers: ModifierCreate[] }) =>
      group === null
        ? unwrap(
            api.POST("/api/v1/restaurants/{restaurant_id}/menu/modifier-groups", {
              params: { path: { restaurant_id: rid } },
              body: { ...body, position },
            }),
          )
        : unwrap(
            api.PATCH("/api/v1/restaurants/{restaurant_id}/menu/modifier-groups/{group_id}", {
              params: { path: { restaurant_id: rid, group_id: group.id } },
              body,
            }),
          ),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: queryKeys.menu(rid) });
      onDone();
    },
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const errors: typeof local = { modifiers: [] };
    if (name.trim() === "") errors.name = "Group name is required.";
    const minValue = /^\d+$/.test(min.trim()) ? Number(min) : NaN;
    const maxValue = /^\d+$/.test(max.trim()) ? Number(max) : NaN;
    if (Number.isNaN(minValue)) errors.min = "A whole number, 0 or more.";
    if (Number.isNaN(maxValue) || maxValue < 1) errors.max = "A whole number, 1 or more.";
    else if (!Number.isNaN(minValue) && minValue > maxValue) errors.max = "At least the minimum.";
    const modifiers: ModifierCreate[] = [];
    errors.modifiers = drafts.map((d) => {
      const e: { name?: string; price?: string } = {};
      if (d.name.trim() === "") e.name = "Modifier name is required.";
      const price = parsePrice(d.price || "0", currency, "Extra price");
      if (!price.ok) e.price = price.error;
      else modifiers.push({ ...(d.id !== null ? { id: d.id } : {}), name: d.name.trim(), price_delta: price.value });
      return e;
    });
    setLocal(errors);
    if (errors.name || errors.min || errors.max || errors.modifiers.some((e) => e.name || e.price)) return;
    save.mutate({ name: name.trim(), min_choices: minValue, max_choices: maxValue, modifiers });
  };

  const rangeError = isProblem(save.error, "modifier-group-range-invalid") ? problemText(save.error) : undefined;
  const shown = ["name", "min_choices", "max_choices", ...drafts.flatMap((_, i) => [`modifiers.${i}.name`, `modifiers.${i}.price_delta`])];
  const digits = minorUnitDigits(currency);
  return (
    <form
      className="admin-form group-form card"
      aria-label={group ? `Edit ${group.name}` : "New modifier group"}
      onSubmit={submit}
      noValidate
    >
      <div ref={firstRef}>
        <Field label="Group name" error={local.name ?? serverFieldError(save.error, "name")}>
          {(control) => <input {...control} value={name} onChange={(e) => setName(e.target.value)} maxLength={100} />}
        </Field>
      </div>
      <div className="form-row">
        <Field label="Minimum choices" error={local.min ?? serverFieldError(save.error, "min_choices")}>
          {(control) => <input {...control} inputMode="numeric" value={min} onChange={(e) => setMin(e.target.value)} />}
        </Field>
        <Field label="Maximum choices" error={local.max ?? rangeError ?? serverFieldError(save.error, "max_choices")}>
          {(control) => <input {...control} inputMode="numeric" value={max} onChange={(e) => setMax(e.target.value)} />}
        </Field>
      </div>
      <fieldset className="modifier-drafts">
        <legend>Modifiers</legend>
        <p className="field-hint">Extra price in {currency}{digits > 0 ? ` (e.g. ${priceInputValue(150, currency)})` : ""}; 0 for no charge.</p>
        {drafts.map((draft, index) => (
          <div key={draft.key} className="form-row modifier-row" role="group" aria-label={`Modifier ${index + 1}`}>
            <Field label="Modifier name" error={local.modifiers[index]?.name ?? serverFieldError(save.error, `modifiers.${index}.name`)}>
              {(control) => (
                <input
                  {...control}
                  value={draft.name}
                  maxLength={100}
                  onChange={(e) => setDrafts((list) => list.map((d) => (d.key === draft.key ? { ...d, name: e.target.value } : d)))}
                />
              )}
            </Field>
            <Field
              label={`Extra price (${currency})`}
              error={local.modifiers[index]?.price ?? serverFieldError(save.error, `modifiers.${index}.price_delta`)}
            >
              {(control) => (
                <input
                  {...control}
                  inputMode={digits > 0 ? "decimal" : "numeric"}
                  value={draft.price}
                  onChange={(e) => setDrafts((list) => list.map((d) => (d.key === draft.key ? { ...d, price: e.target.value } : d)))}
                />
              )}
            </Field>
            <button
              type="button"
              aria-label={`Remove modifier ${draft.name.trim() || index + 1}`}
              onClick={() => setDrafts((list) => list.filter((d) => d.key !== draft.key))}
            >
              Remove
            </button>
          </div>
        ))}
        <button
          type="button"
          className="button"
          onClick={() => setDrafts((list) => [...list, { key: (draftKey += 1), id: null, name: "", price: "0" }])}
        >
          Add modifier
        </button>
      </fieldset>
      <FormError error={save.error} fields={shown} handled={["modifier-group-range-invalid"]} />
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={save.isPending}>
          {group ? "Save group" : "Create group"}
        </button>
        <button type="button" className="button" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}
