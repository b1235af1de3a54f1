/**
 * Seat a free table: how many covers (default: the table's seats), then "Open order"
 * creates the dine-in order with an `Idempotency-Key` and retries it with the same key
 * (same covers → same key, so a retry after a lost answer gets the first order back).
 * When the table was opened meanwhile (409 `table-occupied`), it offers that order.
 */
import { useQueryClient } from "@tanstack/react-query";
import { useId, useRef, useState } from "react";

import { ApiError } from "../../api/errors";
import { ErrorMessage } from "../../components/ErrorMessage";
import { newIdempotencyKey } from "../../lib/idempotency";
import { useRestaurantScope } from "../../auth/restaurant";
import { useServices } from "../../services";
import { Dialog } from "../order-pad/Dialog";
import { tableTitle } from "./floorState";
import { createOrderOnce, floorQuery, type FloorTable, type OrderRead } from "./queries";

export const MAX_COVERS = 999;

export interface CoversDialogProps {
  table: FloorTable;
  onClose: () => void;
  /** The order was opened (or a retry got it back). */
  onOpened: (order: OrderRead) => void;
  /** The table already has this open order (someone seated it meanwhile). */
  onTaken: (orderId: number) => void;
}

export function CoversDialog({ table, onClose, onOpened, onTaken }: CoversDialogProps) {
  const id = useId();
  const { restaurantId } = useRestaurantScope();
  const { api } = useServices();
  const queryClient = useQueryClient();
  const [text, setText] = useState(String(Math.max(1, table.seats)));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [takenBy, setTakenBy] = useState<number | null>(null);
  /** One key per request body: retrying the same covers reuses it. */
  const keys = useRef(new Map<string, string>());

  const covers = Number(text);
  const valid = text.trim() !== "" && Number.isInteger(covers) && covers >= 1 && covers <= MAX_COVERS;
  const title = tableTitle(table.name);

  const submit = async () => {
    if (!valid || busy) return;
    const body = { kind: "dine_in" as const, table_id: table.id, covers };
    const bodyKey = JSON.stringify(body);
    let key = keys.current.get(bodyKey);
    if (key === undefined) {
      key = newIdempotencyKey();
      keys.current.set(bodyKey, key);
    }
    setBusy(true);
    setError(null);
    setTakenBy(null);
    try {
      onOpened(await createOrderOnce(api, restaurantId, body, key));
    } catch (caught) {
      setError(caught);
      if (caught instanceof ApiError && caught.is("table-occupied")) {
        const fresh = await queryClient.fetchQuery({ ...floorQuery(api, restaurantId), staleTime: 0 }).catch(() => null);
        const now = fresh?.tables.find((t) => t.id === table.id);
        if (now?.order_id != null) setTakenBy(now.order_id);
      }
    } finally {
      setBusy(false);
    }
  };

  const fieldError = error instanceof ApiError ? error.fieldMessage("covers") : undefined;
  return (
    <Dialog title={`Seat ${title}`} onClose={onClose}>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void submit();
        }}
      >
        <div className="field">
          <label htmlFor={`${id}-covers`}>Covers</label>
          <div className="stepper">
            <button
              type="button"
              aria-label="Minus one"
              disabled={!valid || covers <= 1}
              onClick={() => setText(String(Math.max(1, covers - 1)))}
            >
              −
            </button>
            <input
              id={`${id}-covers`}
              type="number"
              inputMode="numeric"
              min={1}
              max={MAX_COVERS}
              value={text}
              aria-invalid={!valid || fieldError !== undefined ? true : undefined}
              aria-describedby={`${id}-covers-help`}
              onChange={(event) => setText(event.target.value)}
            />
            <button
              type="button"
              aria-label="Plus one"
              disabled={valid && covers >= MAX_COVERS}
              onClick={() => setText(String(Math.min(MAX_COVERS, (valid ? covers : 0) + 1)))}
            >
              +
            </button>
          </div>
          <p id={`${id}-covers-help`} className={valid ? "pad-note" : "error-message"}>
            {valid ? `${table.seats} seats at this table.` : `Covers must be a whole number from 1 to ${MAX_COVERS}.`}
          </p>
          {fieldError ? <ErrorMessage error={error} field="covers" /> : <ErrorMessage error={error} />}
          {takenBy !== null ? (
            <button type="button" className="button" onClick={() => onTaken(takenBy)}>
              Open {title}'s order
            </button>
          ) : null}
        </div>
        <div className="dialog-actions">
          <button type="button" className="button" onClick={onClose}>
            Back
          </button>
          <button type="submit" className="button button-primary" disabled={!valid || busy}>
            {busy ? "Opening…" : "Open order"}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
