/**
 * The menu editor's categories: pick one to edit its items, create, rename, move up and
 * down (positions renumbered 0…n-1), delete (the server refuses a category that still has
 * items: 409 `category-not-empty`, shown on its row).
 */
import { useMutation } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";

import { unwrap } from "../../api/client";
import { queryKeys } from "../../api/queries";
import { useRestaurantScope } from "../../auth/restaurant";
import { useServices } from "../../services";
import { moved, type CategoryRead } from "./adminApi";
import { Field, FormError, isProblem, serverFieldError } from "./common";

export interface MenuCategoriesProps {
  categories: readonly CategoryRead[];
  /** Number of items per category id. */
  itemCounts: ReadonlyMap<number, number>;
  selectedId: number | null;
  onSelect: (categoryId: number) => void;
}

export function MenuCategories({ categories, itemCounts, selectedId, onSelect }: MenuCategoriesProps) {
  const { api, queryClient } = useServices();
  const { restaurantId: rid } = useRestaurantScope();
  const [renaming, setRenaming] = useState<number | null>(null);
  const [rowError, setRowError] = useState<{ id: number; error: unknown } | null>(null);
  const invalidate = () => queryClient.invalidateQueries({ queryKey: queryKeys.menu(rid) });

  const reorder = useMutation({
    mutationFn: async (order: readonly CategoryRead[]) => {
      // renumber 0…n-1 so that equal positions (all 0) still move
      for (const [index, category] of order.entries()) {
        if (category.position === index) continue;
        await unwrap(
          api.PATCH("/api/v1/restaurants/{restaurant_id}/menu/categories/{category_id}", {
            params: { path: { restaurant_id: rid, category_id: category.id } },
            body: { position: index },
          }),
        );
      }
    },
    onSettled: invalidate,
  });

  const remove = useMutation({
    mutationFn: (category: CategoryRead) =>
      unwrap(
        api.DELETE("/api/v1/restaurants/{restaurant_id}/menu/categories/{category_id}", {
          params: { path: { restaurant_id: rid, category_id: category.id } },
        }),
      ),
    onError: (error, category) => setRowError({ id: category.id, error }),
    onSuccess: () => setRowError(null),
    onSettled: invalidate,
  });

  const move = (index: number, delta: -1 | 1) => {
    setRowError(null);
    const order = moved(categories, index, delta);
    const mover = categories[index];
    reorder.mutate(order, {
      onError: (error) => mover && setRowError({ id: mover.id, error }),
    });
  };

  return (
    <section className="admin-panel menu-categories" aria-labelledby="menu-categories-title">
      <h2 id="menu-categories-title">Categories</h2>
      {categories.length === 0 ? <p className="admin-empty">No categories yet: add the first one below.</p> : null}
      <ul className="admin-list">
        {categories.map((category, index) => {
          const count = itemCounts.get(category.id) ?? 0;
          const error = rowError?.id === category.id ? rowError.error : null;
          return (
            <li key={category.id} className={category.id === selectedId ? "admin-row is-selected" : "admin-row"}>
              {renaming === category.id ? (
                <RenameCategory category={category} onDone={() => setRenaming(null)} />
              ) : (
                <>
                  <button
                    type="button"
                    className="category-select"
                    aria-current={category.id === selectedId ? "true" : undefined}
                    onClick={() => onSelect(category.id)}
                  >
                    {category.name}
                  </button>
                  <span className="admin-muted">
                    {count} item{count === 1 ? "" : "s"}
                  </span>
                  <div className="row-actions">
                    <button type="button" aria-label={`Rename ${category.name}`} onClick={() => setRenaming(category.id)}>
                      Rename
                    </button>
                    <button
                      type="button"
                      aria-label={`Move ${category.name} up`}
                      disabled={index === 0 || reorder.isPending}
                      onClick={() => move(index, -1)}
                    >
                      Up
                    </button>
                    <button
                      type="button"
                      aria-label={`Move ${category.name} down`}
                      disabled={index === categories.length - 1 || reorder.isPending}
                      onClick={() => move(index, 1)}
                    >
                      Down
                    </button>
                    <button
                      type="button"
                      className="button-danger-quiet"
                      aria-label={`Delete ${category.name}`}
                      disabled={remove.isPending}
                      onClick={() => {
                        setRowError(null);
                        remove.mutate(category);
                      }}
                    >
                      Delete
                    </button>
                  </div>
                </>
              )}
              {error ? (
                isProblem(error, "category-not-empty") ? (
                  <p role="alert" className="error-message row-error">
                    {category.name} still has items: move or delete them first.
                  </p>
                ) : (
                  <div className="row-error">
                    <FormError error={error} />
                  </div>
                )
              ) : null}
            </li>
          );
        })}
      </ul>
      <NewCategory nextPosition={categories.length} onCreated={onSelect} />
    </section>
  );
}

function RenameCategory({ category, onDone }: { category: CategoryRead; onDone: () => void }) {
  const { api, queryClient } = useServices();
  const { restaurantId: rid } = useRestaurantScope();
  const [name, setName] = useState(category.name);
  const rename = useMutation({
    mutationFn: (newName: string) =>
      unwrap(
        api.PATCH("/api/v1/restaurants/{restaurant_id}/menu/categories/{category_id}", {
          params: { path: { restaurant_id: rid, category_id: category.id } },
          body: { name: newName },
        }),
      ),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: queryKeys.menu(rid) });
      onDone();
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    rename.mutate(name.trim());
  };
  return (
    <form className="inline-form" onSubmit={submit} aria-label={`Rename ${category.name}`}>
      <Field label="New name" error={serverFieldError(rename.error, "name")}>
        {(control) => (
          <input {...control} value={name} onChange={(e) => setName(e.target.value)} required maxLength={100} autoFocus />
        )}
      </Field>
      <FormError error={rename.error} fields={["name"]} />
      <div className="row-actions">
        <button type="submit" className="button-primary" disabled={rename.isPending}>
          Save
        </button>
        <button type="button" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function NewCategory({ nextPosition, onCreated }: { nextPosition: number; onCreated: (id: number) => void }) {
  const { api, queryClient } = useServices();
  const { restaurantId: rid } = useRestaurantScope();
  const [name, setName] = useState("");
  const create = useMutation({
    mutationFn: (newName: string) =>
      unwrap(
        api.POST("/api/v1/restaurants/{restaurant_id}/menu/categories", {
          params: { path: { restaurant_id: rid } },
          body: { name: newName, position: nextPosition },
        }),
      ),
    onSuccess: async (created) => {
      setName("");
      await queryClient.invalidateQueries({ queryKey: queryKeys.menu(rid) });
      onCreated(created.id);
    },
  });
  return (
    <form
      className="admin-form new-category"
      aria-label="New category"
      onSubmit={(event) => {
        event.preventDefault();
        create.mutate(name.trim());
      }}
    >
      <Field label="Category name" error={serverFieldError(create.error, "name")}>
        {(control) => <input {...control} value={name} onChange={(e) => setName(e.target.value)} required maxLength={100} />}
      </Field>
      <FormError error={create.error} fields={["name"]} />
      <button type="submit" className="button-primary" disabled={create.isPending}>
        Add category
      </button>
    </form>
  );
}
