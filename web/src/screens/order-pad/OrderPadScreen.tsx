/**
 * `/r/:restaurantId/orders/:orderId` — the order pad: the menu on the left (categories,
 * search), the order on the right (lines by course, the draft "To send", totals and the
 * actions). On a phone the two are tabs ("Menu", "Order").
 *
 * Every write goes through the order's outbox (`outbox.ts`): the draft and unconfirmed
 * writes survive a reload and are retried without being done twice. Requesting the
 * check and cancelling are direct requests whose errors show next to their control.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback, useId, useState } from "react";
import { Link, useNavigate, useParams } from "react-router";

import { unwrap } from "../../api/client";
import { ApiError } from "../../api/errors";
import { menuQuery, orderQuery, queryKeys } from "../../api/queries";
import type { CheckRead } from "../../api/types";
import { useRestaurantScope } from "../../auth/restaurant";
import { may86, putAvailability } from "../../lib/availability";
import { ErrorMessage } from "../../components/ErrorMessage";
import { newIdempotencyKey } from "../../lib/idempotency";
import { formatAge } from "../../lib/time";
import { useServices } from "../../services";
import { coversText, tableTitle } from "../floor/floorState";
import { floorQuery } from "../floor/queries";
import { CancelDialog } from "./CancelDialog";
import { useNow, useOutbox } from "./hooks";
import { LineDialog } from "./LineDialog";
import { initialChoice, toDraftLine } from "./lineRules";
import { MenuPanel } from "./MenuPanel";
import { OrderPanel } from "./OrderPanel";
import { VoidDialog } from "./VoidDialog";
import { FireWarningDialog } from "./FireWarningDialog";
import { earlierCourseNotReady, type CourseWaitState } from "./orderLogic";
import type { DraftLine, LineChoice, MenuEntry, OrderItemRead, OrderRead } from "./types";
import "./order-pad.css";

export function OrderPadScreen() {
  const { orderId: raw } = useParams();
  const { restaurantId } = useRestaurantScope();
  const orderId = Number(raw);
  if (!Number.isInteger(orderId) || orderId <= 0) {
    return (
      <div className="page-state">
        <h1>Order not found</h1>
        <Link to={`/r/${restaurantId}/floor`}>Back to the floor</Link>
      </div>
    );
  }
  return <OrderPad key={orderId} restaurantId={restaurantId} orderId={orderId} />;
}

interface LineDialogState {
  item: MenuEntry;
  initial: LineChoice;
  /** The draft line being edited; absent when adding. */
  editing?: DraftLine;
}

/** "opened just now", "opened 12 min ago". */
function openedText(age: string): string {
  return age === "now" ? "opened just now" : `opened ${age} ago`;
}

function orderTitle(order: OrderRead, tableName: string | undefined): string {
  if (order.kind === "takeaway") return `Takeaway #${order.id}`;
  return tableTitle(tableName ?? String(order.table_id ?? "?"));
}

function OrderPad({ restaurantId, orderId }: { restaurantId: number; orderId: number }) {
  const id = useId();
  const { role } = useRestaurantScope();
  /** The last failed 86 from the menu (shown under it). */
  const [menuError, setMenuError] = useState<unknown>(null);
  /** 86 or put back an item from the pad's menu (`menu:availability`); the menu refetches. */
  const on86 = (item: MenuEntry, available: boolean) => {
    setMenuError(null);
    putAvailability(api, restaurantId, item.id, { is_available: available }).then(
      () => queryClient.invalidateQueries({ queryKey: queryKeys.menu(restaurantId) }),
      (error: unknown) => setMenuError(error),
    );
  };
  const { api } = useServices();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const now = useNow();
  const order = useQuery(orderQuery(api, restaurantId, orderId));
  const menu = useQuery(menuQuery(api, restaurantId));
  const floor = useQuery(floorQuery(api, restaurantId));
  const isOpen = order.data?.status === "open";
  const check = useQuery({
    queryKey: queryKeys.orderCheck(restaurantId, orderId),
    queryFn: async ({ signal }): Promise<CheckRead | null> => {
      try {
        return await unwrap(
          api.GET("/api/v1/restaurants/{restaurant_id}/orders/{order_id}/check", {
            params: { path: { restaurant_id: restaurantId, order_id: orderId } },
            signal,
          }),
        );
      } catch (error) {
        if (error instanceof ApiError && (error.status === 404 || error.status === 403)) return null;
        throw error;
      }
    },
    enabled: isOpen,
  });
  const { outbox, state } = useOutbox(restaurantId, orderId);
  const [tab, setTab] = useState<"menu" | "order">("menu");
  const [lineDialog, setLineDialog] = useState<LineDialogState | null>(null);
  const [voiding, setVoiding] = useState<OrderItemRead | null>(null);
  // "Fire course N" while an earlier course is not ready: asked first (FireWarningDialog).
  const [fireWarning, setFireWarning] = useState<{
    course: number;
    earlier: { course: number; state: CourseWaitState };
  } | null>(null);
  const [cancelling, setCancelling] = useState(false);
  const [announcement, setAnnouncement] = useState("");

  const requestCheck = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST("/api/v1/restaurants/{restaurant_id}/orders/{order_id}/check", {
          params: { path: { restaurant_id: restaurantId, order_id: orderId } },
        }),
      ),
    onSuccess: (result) => {
      queryClient.setQueryData(queryKeys.orderCheck(restaurantId, orderId), result);
      void queryClient.invalidateQueries({ queryKey: queryKeys.floor(restaurantId), exact: true });
    },
  });

  const unconfirmed = state.ops.filter((op) => op.status !== "failed").length;
  // "Sending…" turns "Sent." once every write is confirmed (state adjusted while rendering)
  if (unconfirmed === 0 && announcement === "Sending…") setAnnouncement("Sent.");

  const menuItems = new Map((menu.data?.categories ?? []).flatMap((c) => c.items.map((i) => [i.id, i] as const)));
  const closeVoid = useCallback(() => setVoiding(null), []);

  if (order.isPending) {
    return (
      <div className="page-state" role="status">
        <div className="spinner" aria-hidden="true" />
        Loading order…
      </div>
    );
  }
  if (order.isError) {
    const notFound = order.error instanceof ApiError && order.error.status === 404;
    return (
      <div className="page-state">
        <h1>{notFound ? "Order not found" : "Cannot load the order"}</h1>
        {notFound ? null : <ErrorMessage error={order.error} />}
        <Link to={`/r/${restaurantId}/floor`}>Back to the floor</Link>
      </div>
    );
  }

  const data = order.data;
  const table = floor.data?.tables.find((t) => t.id === data.table_id);
  const title = orderTitle(data, table?.name);
  const toSendCount = state.drafts.length + state.ops.reduce((n, op) => n + (op.kind === "add" ? op.lines.length : 0), 0);

  const onSubmitLine = (choice: LineChoice) => {
    if (lineDialog === null) return;
    const { item, editing } = lineDialog;
    const line = toDraftLine(item, choice, editing?.localId ?? newIdempotencyKey());
    if (editing) outbox.updateDraft(line);
    else outbox.addDraft(line);
    setLineDialog(null);
    setAnnouncement(`${editing ? "Changed" : "Added"} ${line.quantity} × ${line.name} — ${toSendCount + (editing ? 0 : 1)} to send.`);
  };

  return (
    <div className="order-pad">
      <header className="pad-header">
        <Link className="button pad-back" to={`/r/${restaurantId}/floor`} aria-label="Back to floor">
          ← Floor
        </Link>
        <div className="pad-heading">
          <h1>{title}</h1>
          <p className="pad-meta">
            {data.kind === "dine_in" ? <span>{coversText(data.covers)}</span> : null}
            <span>{openedText(formatAge(data.opened_at, now))}</span>
            <span>Order #{data.id}</span>
          </p>
        </div>
        <p className="pad-announce" role="status" aria-live="polite">
          {announcement}
        </p>
      </header>

      {data.status === "closed" ? (
        <p className="pad-closed" role="status">
          This order is closed (paid). Nothing more can be added.
        </p>
      ) : null}
      {data.status === "cancelled" ? (
        <p className="pad-closed" role="status">
          This order was cancelled{data.cancel_reason ? `: ${data.cancel_reason}` : ""}.
        </p>
      ) : null}

      <div className="pad-tabs" role="tablist" aria-label="Order pad">
        <button
          type="button"
          role="tab"
          id={`${id}-tab-menu`}
          aria-selected={tab === "menu"}
          aria-controls={`${id}-menu`}
          onClick={() => setTab("menu")}
        >
          Menu
        </button>
        <button
          type="button"
          role="tab"
          id={`${id}-tab-order`}
          aria-selected={tab === "order"}
          aria-controls={`${id}-order`}
          onClick={() => setTab("order")}
        >
          Order
          {toSendCount > 0 ? (
            <span className="pad-tab-badge" aria-hidden="true">
              {toSendCount}
            </span>
          ) : null}
        </button>
      </div>

      <div className={`pad-body show-${tab}`}>
        <div className="pad-pane pad-pane-menu" id={`${id}-menu`} role="tabpanel" aria-labelledby={`${id}-tab-menu`}>
          {isOpen ? (
            menu.isPending ? (
              <p role="status">Loading the menu…</p>
            ) : menu.isError ? (
              <ErrorMessage error={menu.error} />
            ) : (
              <>
                <MenuPanel
                  menu={menu.data}
                  onPick={(item) => setLineDialog({ item, initial: initialChoice(item) })}
                  {...(may86(role) ? { on86 } : {})}
                />
                <ErrorMessage error={menuError} />
              </>
            )
          ) : (
            <p className="pad-note">The menu is closed for this order.</p>
          )}
        </div>
        <div className="pad-pane pad-pane-order" id={`${id}-order`} role="tabpanel" aria-labelledby={`${id}-tab-order`}>
          <OrderPanel
            order={data}
            outbox={state}
            hasCheck={check.data != null}
            canEditDrafts={(line) => menuItems.has(line.menuItemId)}
            onEditDraft={(line) => {
              const item = menuItems.get(line.menuItemId);
              if (item) setLineDialog({ item, initial: line, editing: line });
            }}
            onRemoveDraft={(line) => outbox.removeDraft(line.localId)}
            onSend={() => {
              outbox.send();
              setAnnouncement("Sending…");
            }}
            onFire={(course) => {
              const earlier = earlierCourseNotReady(data, course);
              if (earlier === null) outbox.fire(course);
              else setFireWarning({ course, earlier });
            }}
            onServe={(itemIds) => outbox.serve(itemIds)}
            onVoid={setVoiding}
            onRequestCheck={() => requestCheck.mutate()}
            requestingCheck={requestCheck.isPending}
            checkError={requestCheck.error}
            onCancelOrder={() => setCancelling(true)}
            onDismiss={(opId) => outbox.dismiss(opId)}
            onDismissDraftProblem={() => outbox.dismissDraftProblem()}
            onRetryNow={() => outbox.retryNow()}
          />
        </div>
      </div>

      {lineDialog !== null && menu.data ? (
        <LineDialog
          item={lineDialog.item}
          initial={lineDialog.initial}
          currency={data.currency}
          mode={lineDialog.editing ? "edit" : "add"}
          onSubmit={onSubmitLine}
          onClose={() => setLineDialog(null)}
        />
      ) : null}
      {voiding !== null ? <VoidDialog item={voiding} outbox={outbox} onClose={closeVoid} /> : null}
      {fireWarning !== null ? (
        <FireWarningDialog
          course={fireWarning.course}
          earlier={fireWarning.earlier}
          onFire={() => outbox.fire(fireWarning.course, true)}
          onClose={() => setFireWarning(null)}
        />
      ) : null}
      {cancelling ? (
        <CancelDialog
          order={data}
          draftCount={state.drafts.length}
          onClose={() => setCancelling(false)}
          onCancelled={(cancelled) => {
            outbox.discardAll();
            queryClient.setQueryData(queryKeys.order(restaurantId, orderId), cancelled);
            void queryClient.invalidateQueries({ queryKey: queryKeys.floor(restaurantId), exact: true });
            setCancelling(false);
            void navigate(`/r/${restaurantId}/floor`);
          }}
        />
      ) : null}
    </div>
  );
}
