/**
 * `/r/:restaurantId/admin/stock` — the manager's stock: every ingredient with its stock
 * on hand, reorder level, supplier and a Low / Out flag (an ingredient that is out has
 * 86'd the items using it); recording a delivery, waste (with a reason) or a count; the
 * reorder list by supplier; adding an ingredient. The lists refresh on every `stock.*`
 * event (`stock.low`, `stock.moved`) and after each write. A delivery, waste or count is
 * sent with an `Idempotency-Key` kept for the same entry, so pressing again after a lost
 * answer records it once.
 */
import { queryOptions, useMutation, useQuery } from "@tanstack/react-query";
import { useRef, useState, type FormEvent } from "react";

import type { ApiClient } from "../../api/client";
import { unwrap } from "../../api/client";
import { queryKeys } from "../../api/queries";
import { useRestaurantScope } from "../../auth/restaurant";
import { newIdempotencyKey } from "../../lib/idempotency";
import { formatMoney } from "../../lib/money";
import { useServices } from "../../services";
import { Field, FormError, QueryGate, serverFieldError, useRestaurant } from "./common";
import { parseDecimal, parsePrice } from "./decimal";
import {
  ALL_UNITS,
  STATUS_LABEL,
  changeSummary,
  formatQuantity,
  movementRequest,
  stockStatus,
  unitsLike,
  type IngredientRead,
  type MovementErrors,
  type MovementForm,
  type MovementKind,
  type MovementRequest,
  type ReorderList,
  type StockChange,
  type Unit,
} from "./stock";

const path = (rid: number) => ({ params: { path: { restaurant_id: rid } } });

/** `GET …/inventory/ingredients`: every ingredient by name. */
export function ingredientsQuery(api: ApiClient, rid: number) {
  return queryOptions({
    queryKey: [...queryKeys.inventory(rid), "ingredients"] as const,
    queryFn: ({ signal }) =>
      unwrap(api.GET("/api/v1/restaurants/{restaurant_id}/inventory/ingredients", { ...path(rid), signal })),
  });
}

/** `GET …/inventory/reorder-list`: the low ingredients by supplier. */
export function reorderQuery(api: ApiClient, rid: number) {
  return queryOptions({
    queryKey: [...queryKeys.inventory(rid), "reorder-list"] as const,
    queryFn: ({ signal }) =>
      unwrap(api.GET("/api/v1/restaurants/{restaurant_id}/inventory/reorder-list", { ...path(rid), signal })),
  });
}

export function StockAdmin() {
  const { api } = useServices();
  const { restaurantId: rid } = useRestaurantScope();
  const ingredients = useQuery(ingredientsQuery(api, rid));
  const reorder = useQuery(reorderQuery(api, rid));
  const restaurant = useRestaurant();
  const currency = restaurant.data?.currency ?? "USD";
  const items = ingredients.data?.items ?? [];
  return (
    <div className="admin-page stock-admin">
      <h1>Stock</h1>
      <p className="admin-muted">
        Stock on hand is what was delivered, less what fired orders used by their recipes, waste and count corrections.
        An ingredient that runs out 86's the dishes that use it until stock arrives.
      </p>
      <QueryGate queries={[ingredients]} what="the stock">
        {() => (
          <>
            <LowAlert ingredients={items} />
            <IngredientTable ingredients={items} currency={currency} />
            <RecordMovement ingredients={items} currency={currency} />
          </>
        )}
      </QueryGate>
      <QueryGate queries={[reorder]} what="the reorder list">
        {() => <Reorder list={reorder.data as ReorderList} currency={currency} />}
      </QueryGate>
      <AddIngredient currency={currency} />
    </div>
  );
}

function LowAlert({ ingredients }: { ingredients: readonly IngredientRead[] }) {
  const out = ingredients.filter((i) => i.out);
  const low = ingredients.filter((i) => i.low && !i.out);
  if (out.length === 0 && low.length === 0) return null;
  return (
    <section className="stock-alert" role="status" aria-label="Low stock">
      {out.length > 0 ? <p>Out: {out.map((i) => i.name).join(", ")}</p> : null}
      {low.length > 0 ? <p>Low: {low.map((i) => i.name).join(", ")}</p> : null}
    </section>
  );
}

function IngredientTable({ ingredients, currency }: { ingredients: readonly IngredientRead[]; currency: string }) {
  if (ingredients.length === 0) return <p className="admin-empty">No ingredients yet: add the first below.</p>;
  return (
    <table className="admin-table" aria-label="Ingredients">
      <thead>
        <tr>
          <th scope="col">Ingredient</th>
          <th scope="col">On hand</th>
          <th scope="col">Reorder level</th>
          <th scope="col">Supplier</th>
          <th scope="col">Value</th>
          <th scope="col">Status</th>
        </tr>
      </thead>
      <tbody>
        {ingredients.map((i) => {
          const status = stockStatus(i);
          return (
            <tr key={i.id} className={`stock-${status}`}>
              <th scope="row" data-label="Ingredient">
                {i.name}
              </th>
              <td data-label="On hand">{formatQuantity(i.on_hand, i.unit)}</td>
              <td data-label="Reorder level">{formatQuantity(i.reorder_level, i.unit)}</td>
              <td data-label="Supplier">{i.supplier || "—"}</td>
              <td data-label="Value">{formatMoney(i.stock_value, currency)}</td>
              <td data-label="Status">
                <span className={`stock-status stock-status-${status}`}>{STATUS_LABEL[status]}</span>
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

const KIND_LABEL: Readonly<Record<MovementKind, string>> = { delivery: "Delivery", waste: "Waste", count: "Count" };

function RecordMovement({ ingredients, currency }: { ingredients: readonly IngredientRead[]; currency: string }) {
  const { api, queryClient } = useServices();
  const { restaurantId: rid } = useRestaurantScope();
  const first = ingredients[0];
  const [form, setForm] = useState<MovementForm>({
    kind: "delivery",
    ingredientId: first?.id ?? null,
    quantity: "",
    unit: first?.unit ?? "g",
    reason: "",
    cost: "",
  });
  const [errors, setErrors] = useState<MovementErrors>({});
  const [done, setDone] = useState<string | null>(null);
  const keys = useRef(new Map<string, string>());
  const ingredient = ingredients.find((i) => i.id === form.ingredientId);
  const units = ingredient ? unitsLike(ingredient.unit) : ALL_UNITS;

  const record = useMutation({
    mutationFn: ({ request, key }: { request: MovementRequest; key: string }): Promise<StockChange> => {
      const options = { params: { path: { restaurant_id: rid }, header: { "Idempotency-Key": key } } };
      switch (request.kind) {
        case "delivery":
          return unwrap(api.POST("/api/v1/restaurants/{restaurant_id}/inventory/deliveries", { ...options, body: request.body }));
        case "waste":
          return unwrap(api.POST("/api/v1/restaurants/{restaurant_id}/inventory/waste", { ...options, body: request.body }));
        case "count":
          return unwrap(api.POST("/api/v1/restaurants/{restaurant_id}/inventory/counts", { ...options, body: request.body }));
      }
    },
    onSuccess: async (change) => {
      keys.current.clear();
      setDone(changeSummary(change));
      setForm((f) => ({ ...f, quantity: "", reason: "", cost: "" }));
      await queryClient.invalidateQueries({ queryKey: queryKeys.inventory(rid) });
    },
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setDone(null);
    const checked = movementRequest(form, currency);
    if (!checked.ok) {
      setErrors(checked.errors);
      return;
    }
    setErrors({});
    const bodyKey = JSON.stringify(checked.request);
    let key = keys.current.get(bodyKey);
    if (key === undefined) {
      key = newIdempotencyKey();
      keys.current.set(bodyKey, key);
    }
    record.mutate({ request: checked.request, key });
  };

  const chooseIngredient = (id: number) => {
    const next = ingredients.find((i) => i.id === id);
    setForm((f) => ({ ...f, ingredientId: id, unit: next?.unit ?? f.unit }));
  };
  const quantityField = form.kind === "count" ? "counted" : "quantity";
  return (
    <section className="admin-panel" aria-labelledby="record-movement-title">
      <h2 id="record-movement-title">Record a delivery, waste or count</h2>
      <form className="admin-form" aria-label="Record stock" onSubmit={submit} noValidate>
        <fieldset>
          <legend>What happened</legend>
          <div className="form-actions">
            {(Object.keys(KIND_LABEL) as MovementKind[]).map((kind) => (
              <label key={kind} className="check">
                <input
                  type="radio"
                  name="movement-kind"
                  checked={form.kind === kind}
                  onChange={() => setForm((f) => ({ ...f, kind }))}
                />
                <span>{KIND_LABEL[kind]}</span>
              </label>
            ))}
          </div>
        </fieldset>
        <Field label="Ingredient" error={errors.ingredient}>
          {(control) => (
            <select {...control} value={form.ingredientId ?? ""} onChange={(e) => chooseIngredient(Number(e.target.value))}>
              {ingredients.map((i) => (
                <option key={i.id} value={i.id}>
                  {i.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <div className="form-row">
          <Field
            label={form.kind === "count" ? "Counted" : "Quantity"}
            error={errors.quantity ?? serverFieldError(record.error, quantityField)}
            hint={form.kind === "count" ? "What is there now; the stock becomes this." : undefined}
          >
            {(control) => (
              <input
                {...control}
                inputMode="decimal"
                value={form.quantity}
                onChange={(e) => setForm((f) => ({ ...f, quantity: e.target.value }))}
              />
            )}
          </Field>
          <Field label="Unit" error={serverFieldError(record.error, "unit")}>
            {(control) => (
              <select {...control} value={form.unit} onChange={(e) => setForm((f) => ({ ...f, unit: e.target.value as Unit }))}>
                {units.map((u) => (
                  <option key={u} value={u}>
                    {u}
                  </option>
                ))}
              </select>
            )}
          </Field>
        </div>
        {form.kind === "waste" ? (
          <Field label="Reason" error={errors.reason ?? serverFieldError(record.error, "reason")} hint="Dropped, spoiled, burnt…">
            {(control) => (
              <input {...control} value={form.reason} maxLength={500} onChange={(e) => setForm((f) => ({ ...f, reason: e.target.value }))} />
            )}
          </Field>
        ) : null}
        {form.kind === "delivery" ? (
          <Field label={`Cost (${currency}, optional)`} error={errors.cost ?? serverFieldError(record.error, "cost")}>
            {(control) => (
              <input {...control} inputMode="decimal" value={form.cost} onChange={(e) => setForm((f) => ({ ...f, cost: e.target.value }))} />
            )}
          </Field>
        ) : null}
        <FormError error={record.error} fields={[quantityField, "unit", "reason", "cost"]} />
        <p role="status" className="saved-note">
          {done ?? ""}
        </p>
        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={record.isPending}>
            Record {KIND_LABEL[form.kind].toLowerCase()}
          </button>
        </div>
      </form>
    </section>
  );
}

function Reorder({ list, currency }: { list: ReorderList; currency: string }) {
  return (
    <section className="admin-panel" aria-labelledby="reorder-title">
      <h2 id="reorder-title">Reorder list</h2>
      {list.suppliers.length === 0 ? (
        <p className="admin-empty">Nothing is low: nothing to order.</p>
      ) : (
        <>
          {list.suppliers.map((supplier) => (
            <table key={supplier.supplier} className="admin-table" aria-label={`Order from ${supplier.supplier || "no supplier"}`}>
              <caption>
                {supplier.supplier || "No supplier"} — {formatMoney(supplier.estimated_cost, currency)}
              </caption>
              <thead>
                <tr>
                  <th scope="col">Ingredient</th>
                  <th scope="col">On hand</th>
                  <th scope="col">Order</th>
                  <th scope="col">Estimated cost</th>
                </tr>
              </thead>
              <tbody>
                {supplier.lines.map((line) => (
                  <tr key={line.ingredient_id}>
                    <th scope="row" data-label="Ingredient">
                      {line.name}
                    </th>
                    <td data-label="On hand">{formatQuantity(line.on_hand, line.unit)}</td>
                    <td data-label="Order">{formatQuantity(line.suggested, line.unit)}</td>
                    <td data-label="Estimated cost">{formatMoney(line.estimated_cost, currency)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ))}
          <p>
            <strong>Total: {formatMoney(list.estimated_cost, currency)}</strong>
          </p>
        </>
      )}
    </section>
  );
}

function AddIngredient({ currency }: { currency: string }) {
  const { api, queryClient } = useServices();
  const { restaurantId: rid } = useRestaurantScope();
  const [name, setName] = useState("");
  const [unit, setUnit] = useState<Unit>("kg");
  const [reorder, setReorder] = useState("0");
  const [supplier, setSupplier] = useState("");
  const [cost, setCost] = useState("0");
  const [local, setLocal] = useState<Partial<Record<"name" | "reorder" | "cost", string>>>({});
  const create = useMutation({
    mutationFn: (body: { name: string; unit: Unit; reorder_level: string; supplier: string; cost: number }) =>
      unwrap(api.POST("/api/v1/restaurants/{restaurant_id}/inventory/ingredients", { ...path(rid), body })),
    onSuccess: async () => {
      setName("");
      setSupplier("");
      await queryClient.invalidateQueries({ queryKey: queryKeys.inventory(rid) });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const errors: typeof local = {};
    if (name.trim() === "") errors.name = "Name the ingredient.";
    const level = parseDecimal(reorder, 6, { label: "Reorder level" });
    if (!level.ok) errors.reorder = level.error;
    const price = parsePrice(cost, currency, "Cost");
    if (!price.ok) errors.cost = price.error;
    setLocal(errors);
    if (!level.ok || !price.ok || errors.name) return;
    create.mutate({
      name: name.trim(),
      unit,
      reorder_level: reorder.replace(/\s+/g, "").replace(",", "."),
      supplier: supplier.trim(),
      cost: price.value,
    });
  };
  return (
    <section className="admin-panel" aria-labelledby="add-ingredient-title">
      <h2 id="add-ingredient-title">Add an ingredient</h2>
      <form className="admin-form" aria-label="Add an ingredient" onSubmit={submit} noValidate>
        <Field label="Name" error={local.name ?? serverFieldError(create.error, "name")}>
          {(control) => <input {...control} value={name} maxLength={100} onChange={(e) => setName(e.target.value)} />}
        </Field>
        <div className="form-row">
          <Field label="Counted in">
            {(control) => (
              <select {...control} value={unit} onChange={(e) => setUnit(e.target.value as Unit)}>
                {ALL_UNITS.map((u) => (
                  <option key={u} value={u}>
                    {u}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label="Reorder level" error={local.reorder}>
            {(control) => <input {...control} inputMode="decimal" value={reorder} onChange={(e) => setReorder(e.target.value)} />}
          </Field>
          <Field label={`Cost per unit (${currency})`} error={local.cost}>
            {(control) => <input {...control} inputMode="decimal" value={cost} onChange={(e) => setCost(e.target.value)} />}
          </Field>
        </div>
        <Field label="Supplier">
          {(control) => <input {...control} value={supplier} maxLength={100} onChange={(e) => setSupplier(e.target.value)} />}
        </Field>
        <FormError error={create.error} fields={["name"]} />
        <div className="form-actions">
          <button type="submit" className="button" disabled={create.isPending}>
            Add ingredient
          </button>
        </div>
      </form>
    </section>
  );
}
