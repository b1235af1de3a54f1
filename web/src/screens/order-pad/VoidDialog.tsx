/**
 * "Void" a line: a required reason, then the void goes through the order's outbox. The
 * dialog closes when the server confirms; a refusal (e.g. no permission, already voided
 * by someone else) is shown next to the reason; with no connection it says the void is
 * pending and may be closed (the outbox keeps retrying).
 */
import { useEffect, useState, useSyncExternalStore } from "react";

import { ApiError } from "../../api/errors";
import { Dialog } from "./Dialog";
import { opStatusText } from "./OrderPanel";
import type { OrderOutbox } from "./outbox";
import { ReasonField } from "./ReasonField";
import type { OrderItemRead } from "./types";

export interface VoidDialogProps {
  item: OrderItemRead;
  outbox: OrderOutbox;
  onClose: () => void;
}

export function VoidDialog({ item, outbox, onClose }: VoidDialogProps) {
  const [reason, setReason] = useState("");
  const [missing, setMissing] = useState(false);
  const [opId, setOpId] = useState<string | null>(null);
  const state = useSyncExternalStore(
    (listener) => outbox.subscribe(listener),
    () => outbox.getState(),
  );
  const op = opId === null ? undefined : state.ops.find((o) => o.id === opId);
  const done = opId !== null && op === undefined;
  const error = op?.status === "failed" && op.problem ? new ApiError(op.problem) : null;

  const close = () => {
    if (op?.status === "failed") outbox.dismiss(op.id);
    onClose();
  };
  useEffect(() => {
    if (done) onClose(); // confirmed by the server: nothing left to show
  }, [done, onClose]);

  const title = `Void ${item.quantity} × ${item.name}`;
  return (
    <Dialog title={title} onClose={close}>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          if (reason.trim() === "") {
            setMissing(true);
            return;
          }
          if (op?.status === "failed") outbox.dismiss(op.id);
          setOpId(outbox.voidItem(item.id, reason.trim()));
        }}
      >
        <ReasonField
          value={reason}
          onChange={(value) => {
            setReason(value);
            setMissing(false);
          }}
          missingMessage={missing ? "Give a reason for the void." : null}
          error={error}
          placeholder="e.g. guest changed their mind"
        />
        {op !== undefined && op.status !== "failed" ? (
          <p className="pad-note" role="status">
            {opStatusText(op)}
            {op.status === "retrying" ? " — you can close this; the void will go through when the connection is back." : ""}
          </p>
        ) : null}
        <div className="dialog-actions">
          <button type="button" className="button" onClick={close}>
            Keep line
          </button>
          <button
            type="submit"
            className="button button-danger"
            disabled={op !== undefined && op.status !== "failed"}
          >
            Void line
          </button>
        </div>
      </form>
    </Dialog>
  );
}
