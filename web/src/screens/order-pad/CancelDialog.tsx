/**
 * "Cancel order": only for an order with nothing fired and no check; a required reason.
 * A refusal (something was fired meanwhile, a check was opened) is shown next to the
 * reason. A repeated cancel whose first answer was lost finds the order cancelled and
 * counts as done.
 */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";

import { unwrap } from "../../api/client";
import { ApiError } from "../../api/errors";
import { orderQuery } from "../../api/queries";
import { useServices } from "../../services";
import { Dialog } from "./Dialog";
import { ReasonField } from "./ReasonField";
import type { OrderRead } from "./types";

export interface CancelDialogProps {
  order: OrderRead;
  /** Lines drafted on this device that the cancel throws away. */
  draftCount: number;
  onCancelled: (order: OrderRead) => void;
  onClose: () => void;
}

export function CancelDialog({ order, draftCount, onCancelled, onClose }: CancelDialogProps) {
  const { api } = useServices();
  const queryClient = useQueryClient();
  const [reason, setReason] = useState("");
  const [missing, setMissing] = useState(false);
  const mutation = useMutation({
    mutationFn: async (text: string): Promise<OrderRead> => {
      const path = { restaurant_id: order.restaurant_id, order_id: order.id };
      try {
        return await unwrap(
          api.POST("/api/v1/restaurants/{restaurant_id}/orders/{order_id}/cancel", {
            params: { path },
            body: { reason: text, version: order.version },
          }),
        );
      } catch (error) {
        if (error instanceof ApiError && error.status === 409) {
          // a cancel whose answer was lost: the order is cancelled already
          const fresh = await queryClient.fetchQuery({ ...orderQuery(api, order.restaurant_id, order.id), staleTime: 0 });
          if (fresh.status === "cancelled") return fresh;
        }
        throw error;
      }
    },
    onSuccess: onCancelled,
  });

  return (
    <Dialog title="Cancel this order?" onClose={onClose}>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          if (reason.trim() === "") {
            setMissing(true);
            return;
          }
          mutation.mutate(reason.trim());
        }}
      >
        <p>
          Nothing was sent to the kitchen.{" "}
          {order.table_id !== null ? "The table becomes free. " : ""}
          {draftCount > 0 ? `The ${draftCount} unsent ${draftCount === 1 ? "line" : "lines"} will be thrown away.` : ""}
        </p>
        <ReasonField
          value={reason}
          onChange={(value) => {
            setReason(value);
            setMissing(false);
          }}
          missingMessage={missing ? "Give a reason for cancelling." : null}
          error={mutation.error}
          placeholder="e.g. guests left"
        />
        <div className="dialog-actions">
          <button type="button" className="button" onClick={onClose}>
            Keep order
          </button>
          <button type="submit" className="button button-danger" disabled={mutation.isPending}>
            {mutation.isPending ? "Cancelling…" : "Confirm cancel"}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
