/**
 * Seat a free table: how many covers (default: the table's seats), then "Open order"
 * (or Enter: focus starts in the covers field) opens the table's order pad on a draft
 * order kept on this device: nothing is created on the server until its first line is
 * sent (`order-pad/draftOrder.ts`), so tapping a table and leaving leaves no empty order.
 */
import { useId, useState } from "react";

import { Dialog } from "../order-pad/Dialog";
import { tableTitle } from "./floorState";
import type { FloorTable } from "./queries";

export const MAX_COVERS = 999;

export interface CoversDialogProps {
  table: FloorTable;
  onClose: () => void;
  /** Open the table's (draft) order with `covers`. */
  onSeat: (covers: number) => void;
}

export function CoversDialog({ table, onClose, onSeat }: CoversDialogProps) {
  const id = useId();
  const [text, setText] = useState(String(Math.max(1, table.seats)));

  const covers = Number(text);
  const valid = text.trim() !== "" && Number.isInteger(covers) && covers >= 1 && covers <= MAX_COVERS;
  const title = tableTitle(table.name);

  return (
    <Dialog title={`Seat ${title}`} onClose={onClose}>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          if (valid) onSeat(covers);
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
              data-autofocus
              aria-invalid={!valid ? true : undefined}
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
        </div>
        <div className="dialog-actions">
          <button type="button" className="button" onClick={onClose}>
            Back
          </button>
          <button type="submit" className="button button-primary" disabled={!valid}>
            Open order
          </button>
        </div>
      </form>
    </Dialog>
  );
}
