/**
 * `/r/:restaurantId/orders/:orderId` — the order pad: the menu on the left (categories,
 * search), the order on the right (lines by course, the draft "To send", totals and the
 * actions). `/r/:restaurantId/orders/new?table=ID&covers=N` (or `?kind=takeaway`) is
 * an order still only on this device (`draftOrder.ts`): its first "Send" creates it.
 *
 * An order in a dozen taps: one tap adds an item that needs nothing (its only size); an
 * item with sizes or a required choice opens the compact picker (`QuickPicker.tsx`)
 * beside the menu, and a tile's size buttons add that size in one tap; the seat bar (seats from the covers) and the course buttons set the
 * seat and course of the lines that follow; draft lines have a quantity stepper and
 * "Same again". Keyboard: Enter in the search adds the highlighted result, Alt+S (or
 * Ctrl+Enter) sends, Alt+F fires the first held course. On a phone the menu fills the
 * screen with the order's total and Send in a bar below it; "Order" shows the order.
 *
 * Every write goes through the order's outbox (`outbox.ts`): the draft and unconfirmed
 * writes survive a reload and are retried without being done twice. Requesting the
 * check and cancelling are direct requests whose errors show next to their control.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useId, useMemo, useRef, useState, useSyncExternalStore } from "react";
import { Link, useNavigate, useParams, useSearchParams } from "react-router";

import { unwrap } from "../../api/client";
import { ApiError } from "../../api/errors";
import { menuQuery, orderQuery, queryKeys, restaurantQuery } from "../../api/queries";
import type { CheckRead } from "../../api/types";
import { useRestaurantScope } from "../../auth/restaurant";
import { may86, putAvailability } from "../../lib/availability";
import { ErrorMessage } from "../../components/ErrorMessage";
import { newIdempotencyKey } from "../../lib/idempotency";
import { formatMoney } from "../../lib/money";
import { formatAge } from "../../lib/time";
import { useServices } from "../../services";
import { coversText, tableTitle } from "../floor/floorState";
import { floorQuery } from "../floor/queries";
import { CancelDialog } from "./CancelDialog";
import { DraftOrder, draftOrderRead, type DraftTarget } from "./draftOrder";
import { useNow, useOutbox } from "./hooks";
import { LineDialog } from "./LineDialog";
import { MAX_COURSE, MAX_NOTES, addsInOneTap, sameAgain, seatNumbers, stepQuantity, tapChoice, toDraftLine, type LineContext } from "./lineRules";
import { MenuPanel } from "./MenuPanel";
import { heldCourses } from "./orderLogic";
import type { OrderOutbox, OutboxState } from "./outbox";
import { OrderPanel, unsentTotal } from "./OrderPanel";
import { QuickPicker } from "./QuickPicker";
import { VoidDialog } from "./VoidDialog";
import { FireWarningDialog } from "./FireWarningDialog";
import { earlierCourseNotReady, type CourseWaitState } from "./orderLogic";
import type { DraftLine, LineChoice, MenuEntry, OrderItemRead, OrderRead } from "./types";
import "./order-pad.css";

/** The target of `/orders/new?table=ID&covers=N` or `?kind=takeaway`; null when malformed. */
export function draftTargetOf(params: URLSearchParams): DraftTarget | null {
  if (params.get("kind") === "takeaway") return { kind: "takeaway" };
  const tableId = Number(params.get("table"));
  const covers = Number(params.get("covers") ?? "1");
  if (!Number.isInteger(tableId) || tableId <= 0) return null;
  if (!Number.isInteger(covers) || covers < 1 || covers > 999) return null;
  return { kind: "dine_in", tableId, covers };
}

export function OrderPadScreen() {
  const { orderId: raw } = useParams();
  const [params] = useSearchParams();
  const { restaurantId } = useRestaurantScope();
  if (raw === "new") {
    const target = draftTargetOf(params);
    if (target !== null) {
      const key = target.kind === "takeaway" ? "takeaway" : `table-${target.tableId}`;
      return <DraftPad key={key} restaurantId={restaurantId} target={target} />;
    }
  }
  const orderId = Number(raw);
  if (!Number.isInteger(orderId) || orderId <= 0) {
    return (
      <div className="page-state">
        <h1>Order not found</h1>
        <Link to={`/r/${restaurantId}/floor`}>Back to the floor</Link>
      </div>
    );
  }
  return <ServerPad key={orderId} restaurantId={restaurantId} orderId={orderId} />;
}

/** What the pad writes through: an order's outbox, or a draft order's. */
interface PadWrites {
  addDraft: (line: DraftLine) => void;
  updateDraft: (line: DraftLine) => void;
  removeDraft: (localId: string) => void;
  send: () => unknown;
  dismissDraftProblem: () => void;
  discardAll: () => void;
  retryNow: () => void;
}

function DraftPad({ restaurantId, target }: { restaurantId: number; target: DraftTarget }) {
  const { api, queryClient } = useServices();
  const navigate = useNavigate();
  const menu = useQuery(menuQuery(api, restaurantId));
  const draft = useMemo(() => new DraftOrder({ api, queryClient }, restaurantId, target), [api, queryClient, restaurantId, target]);
  const state = useSyncExternalStore(
    (listener) => draft.subscribe(listener),
    () => draft.getState(),
  );
  const [openedAt] = useState(() => new Date().toISOString());
  useEffect(() => {
    const off = draft.onCreated((orderId) => void navigate(`/r/${restaurantId}/orders/${orderId}`, { replace: true }));
    draft.kick(); // a creation persisted before a reload is retried with its key
    return () => {
      off();
      draft.dispose();
    };
  }, [draft, navigate, restaurantId]);
  const order = draftOrderRead(restaurantId, draft.target, menu.data?.currency ?? "USD", openedAt);
  return (
    <OrderPad
      restaurantId={restaurantId}
      order={order}
      writes={draft}
      state={state}
      outbox={null}
      onDiscard={() => {
        draft.discardAll();
        void navigate(`/r/${restaurantId}/floor`);
      }}
    />
  );
}

function ServerPad({ restaurantId, orderId }: { restaurantId: number; orderId: number }) {
  const { api } = useServices();
  const order = useQuery(orderQuery(api, restaurantId, orderId));
  const { outbox, state } = useOutbox(restaurantId, orderId);
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
  return <OrderPad restaurantId={restaurantId} order={order.data} writes={outbox} state={state} outbox={outbox} />;
}

interface LineDialogState {
  item: MenuEntry;
  initial: LineChoice;
  /** The draft line being edited. */
  editing: DraftLine;
}

/** "opened just now", "opened 12 min ago". */
function openedText(age: string): string {
  return age === "now" ? "opened just now" : `opened ${age} ago`;
}

function orderTitle(order: OrderRead, tableName: string | undefined): string {
  if (order.kind === "takeaway") return order.id > 0 ? `Takeaway #${order.id}` : "Takeaway";
  return tableTitle(tableName ?? String(order.table_id ?? "?"));
}

/** The choice a sent line was made of, to draft it again. */
function choiceOf(item: OrderItemRead): LineChoice {
  return {
    menuItemId: item.menu_item_id ?? 0,
    variationId: item.variation_id,
    modifierIds: item.modifiers.map((m) => m.id),
    quantity: 1,
    notes: item.notes,
    seat: item.seat,
    course: item.course,
  };
}

interface OrderPadProps {
  restaurantId: number;
  order: OrderRead;
  writes: PadWrites;
  state: OutboxState;
  /** The order's outbox (fire, serve, void); null for a draft order. */
  outbox: OrderOutbox | null;
  /** Discard a draft order (only drafts). */
  onDiscard?: () => void;
}

function OrderPad({ restaurantId, order: data, writes, state, outbox, onDiscard }: OrderPadProps) {
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
  const orderId = data.id;
  const isDraft = outbox === null;
  const menu = useQuery(menuQuery(api, restaurantId));
  const floor = useQuery(floorQuery(api, restaurantId));
  const restaurant = useQuery(restaurantQuery(api, restaurantId));
  const isOpen = data.status === "open";
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
    enabled: isOpen && !isDraft,
  });
  const [tab, setTab] = useState<"menu" | "order">("menu");
  const [lineDialog, setLineDialog] = useState<LineDialogState | null>(null);
  const [picking, setPicking] = useState<MenuEntry | null>(null);
  const [context, setContext] = useState<LineContext>({ seat: null, course: 1 });
  const [voiding, setVoiding] = useState<OrderItemRead | null>(null);
  // "Fire course N" while an earlier course is not ready: asked first (FireWarningDialog).
  const [fireWarning, setFireWarning] = useState<{
    course: number;
    earlier: { course: number; state: CourseWaitState };
  } | null>(null);
  const [cancelling, setCancelling] = useState(false);
  const [announcement, setAnnouncement] = useState("");
  const searchFocus = useRef<HTMLElement | null>(null);

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
  const toSendCount = state.drafts.length + state.ops.reduce((n, op) => n + (op.kind === "add" ? op.lines.length : 0), 0);
  const held = heldCourses(data);

  const draftChoice = (item: MenuEntry, choice: LineChoice) => {
    const line = toDraftLine(item, choice, newIdempotencyKey());
    writes.addDraft(line);
    const where = line.seat === null ? "" : ` · seat ${line.seat}`;
    const course = line.course > 1 ? ` · course ${line.course}` : "";
    setAnnouncement(`Added ${line.quantity} × ${line.name}${line.variationName ? ` ${line.variationName}` : ""}${where}${course} — ${toSendCount + 1} to send.`);
  };
  const pick = (item: MenuEntry) => {
    if (addsInOneTap(item)) {
      setPicking(null);
      draftChoice(item, tapChoice(item, context));
    } else {
      setPicking(item);
    }
  };
  const send = () => {
    if (!isOpen) return;
    writes.send();
    setAnnouncement("Sending…");
    setPicking(null);
    searchFocus.current?.focus();
  };
  const fireFirstHeld = () => {
    const course = held[0];
    if (outbox !== null && course !== undefined) outbox.fire(course);
  };

  // shortcuts: Alt+S / Ctrl+Enter send, Alt+F fires the first held course
  const shortcuts = useRef({ send, fireFirstHeld });
  useEffect(() => {
    shortcuts.current = { send, fireFirstHeld };
  });
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (document.querySelector("dialog[open]")) return;
      const key = event.key.toLowerCase();
      if ((event.altKey && key === "s") || (event.ctrlKey && event.key === "Enter")) {
        event.preventDefault();
        shortcuts.current.send();
      } else if (event.altKey && key === "f") {
        event.preventDefault();
        shortcuts.current.fireFirstHeld();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);
  useEffect(() => {
    searchFocus.current = document.querySelector<HTMLElement>(".pad-search input");
  });

  const table = floor.data?.tables.find((t) => t.id === data.table_id);
  const title = orderTitle(data, table?.name);
  const unsent = unsentTotal(state);
  const total = data.subtotal + unsent;
  const canSend = isOpen && (state.drafts.length > 0 || (!isDraft && data.items.some((i) => i.status === "pending" && !held.includes(i.course))));
  const highestCourse = Math.max(3, ...data.items.map((i) => i.course), ...state.drafts.map((d) => d.course));
  const courses = Array.from({ length: Math.min(MAX_COURSE, highestCourse) }, (_, n) => n + 1);

  const onSubmitLine = (choice: LineChoice) => {
    if (lineDialog === null) return;
    const { item, editing } = lineDialog;
    const line = toDraftLine(item, choice, editing.localId);
    writes.updateDraft(line);
    setLineDialog(null);
    setAnnouncement(`Changed ${line.quantity} × ${line.name} — ${toSendCount} to send.`);
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
            {isDraft ? <span>not sent yet</span> : <span>{openedText(formatAge(data.opened_at, now))}</span>}
            {isDraft ? null : <span>Order #{data.id}</span>}
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

      {isOpen ? (
        <div className="pad-context" aria-label="For the next lines">
          {data.kind === "dine_in" ? (
            <div className="pad-seats" role="group" aria-label="Seat">
              <button
                type="button"
                className="pad-seat"
                aria-pressed={context.seat === null}
                onClick={() => setContext({ ...context, seat: null })}
              >
                Table
              </button>
              {seatNumbers(data.covers).map((seat) => (
                <button
                  key={seat}
                  type="button"
                  className="pad-seat"
                  aria-pressed={context.seat === seat}
                  aria-label={`Seat ${seat}`}
                  onClick={() => setContext({ ...context, seat })}
                >
                  {seat}
                </button>
              ))}
            </div>
          ) : null}
          <div className="pad-courses" role="group" aria-label="Course">
            {courses.map((course) => (
              <button
                key={course}
                type="button"
                className="pad-seat"
                aria-pressed={context.course === course}
                aria-label={`Course ${course}`}
                onClick={() => setContext({ ...context, course })}
              >
                C{course}
              </button>
            ))}
          </div>
        </div>
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
                {picking !== null ? (
                  <QuickPicker
                    key={picking.id}
                    item={picking}
                    currency={data.currency}
                    context={context}
                    quickNotes={restaurant.data?.quick_notes ?? []}
                    onAdd={(choice) => draftChoice(picking, choice)}
                    onClose={() => {
                      setPicking(null);
                      searchFocus.current?.focus();
                    }}
                  />
                ) : null}
                <MenuPanel
                  menu={menu.data}
                  onPick={pick}
                  onPickSize={(item, variationId) => {
                    setPicking(null);
                    draftChoice(item, tapChoice(item, context, variationId));
                  }}
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
            isDraftOrder={isDraft}
            canEditDrafts={(line) => menuItems.has(line.menuItemId)}
            onEditDraft={(line) => {
              const item = menuItems.get(line.menuItemId);
              if (item) setLineDialog({ item, initial: line, editing: line });
            }}
            onRemoveDraft={(line) => writes.removeDraft(line.localId)}
            onStepDraft={(line, delta) => writes.updateDraft(stepQuantity(line, delta))}
            onNoteDraft={(line, notes) => writes.updateDraft({ ...line, notes: notes.trim().slice(0, MAX_NOTES) })}
            quickNotes={restaurant.data?.quick_notes ?? []}
            onSameAgain={(line) => {
              const item = menuItems.get(line.menuItemId);
              if (item) draftChoice(item, sameAgain(line));
              else writes.addDraft({ ...line, quantity: 1, localId: newIdempotencyKey() });
            }}
            canRepeat={(item) => item.menu_item_id !== null && menuItems.has(item.menu_item_id)}
            onRepeat={(item) => {
              const entry = item.menu_item_id !== null ? menuItems.get(item.menu_item_id) : undefined;
              if (entry) draftChoice(entry, choiceOf(item));
            }}
            onSend={send}
            onFire={(course) => {
              const earlier = earlierCourseNotReady(data, course);
              if (earlier === null) outbox?.fire(course);
              else setFireWarning({ course, earlier });
            }}
            onServe={(itemIds) => outbox?.serve(itemIds)}
            onVoid={setVoiding}
            onRequestCheck={() => requestCheck.mutate()}
            requestingCheck={requestCheck.isPending}
            checkError={requestCheck.error}
            onCancelOrder={() => (isDraft ? onDiscard?.() : setCancelling(true))}
            onDismiss={(opId) => outbox?.dismiss(opId)}
            onDismissDraftProblem={() => writes.dismissDraftProblem()}
            onRetryNow={() => writes.retryNow()}
          />
        </div>
      </div>

      {isOpen ? (
        <div className="pad-sendbar">
          <button type="button" className="button pad-sendbar-order" onClick={() => setTab(tab === "menu" ? "order" : "menu")}>
            {tab === "menu" ? `Order · ${toSendCount} to send` : "Menu"}
          </button>
          <span className="pad-sendbar-total">{formatMoney(total, data.currency)}</span>
          <button
            type="button"
            className="button button-primary pad-sendbar-send"
            aria-label="Send order"
            disabled={!canSend}
            onClick={send}
          >
            Send
          </button>
        </div>
      ) : null}

      {lineDialog !== null && menu.data ? (
        <LineDialog
          item={lineDialog.item}
          initial={lineDialog.initial}
          currency={data.currency}
          mode="edit"
          onSubmit={onSubmitLine}
          onClose={() => setLineDialog(null)}
        />
      ) : null}
      {voiding !== null && outbox !== null ? <VoidDialog item={voiding} outbox={outbox} onClose={closeVoid} /> : null}
      {fireWarning !== null ? (
        <FireWarningDialog
          course={fireWarning.course}
          earlier={fireWarning.earlier}
          onFire={() => outbox?.fire(fireWarning.course, true)}
          onClose={() => setFireWarning(null)}
        />
      ) : null}
      {cancelling ? (
        <CancelDialog
          order={data}
          draftCount={state.drafts.length}
          onClose={() => setCancelling(false)}
          onCancelled={(cancelled) => {
            writes.discardAll();
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
