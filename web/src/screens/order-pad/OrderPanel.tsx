/**
 * The order side of the pad: the lines on the server grouped by course with their status
 * (voided ones struck through with the reason), the "To send" group (lines being sent,
 * then draft lines with a quantity stepper, Same again, Edit and Remove), the totals as the
 * order grows, and the actions (Send, Fire course N, Mark served, Request check, Cancel
 * order). Sent lines can be repeated ("Same again" drafts a copy).
 *
 * Shortcuts (on the whole pad): Alt+S (or Ctrl+Enter) sends, Alt+F fires the first held course.
 */
import { useId, useState } from "react";

import { ApiError } from "../../api/errors";
import { ErrorMessage } from "../../components/ErrorMessage";
import { formatMoney } from "../../lib/money";
import { draftLineTotal } from "./lineRules";
import { heldCourses, lineStatusText, linesByCourse, nothingFired, readyLines, sendableLines } from "./orderLogic";
import type { OutboxOp, OutboxState } from "./outbox";
import type { DraftLine, OrderItemRead, OrderRead } from "./types";

/** A waiter-readable state of an unconfirmed write: "Sending…" or "Pending — <why>, retrying". */
export function opStatusText(op: OutboxOp): string {
  if (op.status === "retrying") {
    const why = op.problem?.status === 0 ? "no connection" : (op.problem?.title ?? "no answer");
    return `Pending — ${why}, retrying (${op.attempts} ${op.attempts === 1 ? "try" : "tries"})`;
  }
  if (op.status === "failed") return "Not sent";
  return "Sending…";
}

/** What a failed write was, for its message ("Fire course 2", "Void The Brie Carre Pizza"). */
function opLabel(op: OutboxOp, order: OrderRead): string {
  switch (op.kind) {
    case "add":
      return "Add lines";
    case "send":
      return "Send";
    case "fire":
      return `Fire course ${op.course}`;
    case "serve":
      return "Mark served";
    case "void": {
      const item = order.items.find((i) => i.id === op.itemId);
      return `Void ${item?.name ?? `line ${op.itemId}`}`;
    }
  }
}

/** Sum of the draft lines and of the lines being sent (minor units). */
export function unsentTotal(state: OutboxState): number {
  const sending = state.ops.flatMap((op) => (op.kind === "add" ? op.lines : []));
  return [...sending, ...state.drafts].reduce((sum, line) => sum + draftLineTotal(line), 0);
}

function lineTitle(line: { quantity: number; name: string; variationName: string }): string {
  return `${line.quantity} × ${line.name}${line.variationName ? ` (${line.variationName})` : ""}`;
}

function LineDetails({ modifiers, seat, notes }: { modifiers: string[]; seat: number | null; notes: string }) {
  if (modifiers.length === 0 && seat === null && notes === "") return null;
  return (
    <p className="pad-line-details">
      {modifiers.length > 0 ? <span>{modifiers.join(", ")}</span> : null}
      {seat !== null ? <span>Seat {seat}</span> : null}
      {notes !== "" ? <span className="pad-line-notes">Note: {notes}</span> : null}
    </p>
  );
}

/** "Note" on a draft line: an inline field (Enter or leaving it saves) and the quick notes. */
function DraftNote({
  line,
  quickNotes,
  onNote,
}: {
  line: DraftLine;
  quickNotes: readonly string[];
  onNote: (line: DraftLine, notes: string) => void;
}) {
  const [open, setOpen] = useState(false);
  const [text, setText] = useState(line.notes);
  if (!open) {
    return (
      <button
        type="button"
        className="button button-quiet pad-line-action"
        aria-label={`Note for ${line.name}`}
        onClick={() => {
          setText(line.notes);
          setOpen(true);
        }}
      >
        Note
      </button>
    );
  }
  const save = (value: string) => {
    onNote(line, value);
    setOpen(false);
  };
  return (
    <span className="pad-line-note-edit">
      <input
        type="text"
        aria-label={`Note for ${line.name}`}
        maxLength={500}
        value={text}
        autoFocus
        onChange={(event) => setText(event.target.value)}
        onBlur={() => save(text)}
        onKeyDown={(event) => {
          if (event.key === "Enter") {
            event.preventDefault();
            save(text);
          } else if (event.key === "Escape") {
            setOpen(false);
          }
        }}
      />
      {quickNotes.map((note) => (
        <button key={note} type="button" className="pad-chip" onMouseDown={(event) => event.preventDefault()} onClick={() => save(note)}>
          {note}
        </button>
      ))}
    </span>
  );
}

export interface OrderPanelProps {
  order: OrderRead;
  outbox: OutboxState;
  /** Whether the order has a check (requested): shown instead of "Request check". */
  hasCheck: boolean;
  canEditDrafts: (line: DraftLine) => boolean;
  onEditDraft: (line: DraftLine) => void;
  onRemoveDraft: (line: DraftLine) => void;
  /** Change a draft line's quantity by `delta` (the stepper). */
  onStepDraft: (line: DraftLine, delta: number) => void;
  /** Set a draft line's note (typed, or the restaurant's quick notes). */
  onNoteDraft: (line: DraftLine, notes: string) => void;
  quickNotes: readonly string[];
  /** Draft a copy of a line ("Same again"). */
  onSameAgain: (line: DraftLine) => void;
  /** Whether a sent line's item is still on the menu (so it can be repeated). */
  canRepeat: (item: OrderItemRead) => boolean;
  onRepeat: (item: OrderItemRead) => void;
  /** Whether this is a draft order (nothing on the server yet): "Discard" instead of "Cancel order". */
  isDraftOrder?: boolean;
  onSend: () => void;
  onFire: (course: number) => void;
  onServe: (itemIds: number[]) => void;
  onVoid: (item: OrderItemRead) => void;
  onRequestCheck: () => void;
  requestingCheck: boolean;
  checkError: unknown;
  onCancelOrder: () => void;
  onDismiss: (opId: string) => void;
  onDismissDraftProblem: () => void;
  onRetryNow: () => void;
}

export function OrderPanel(props: OrderPanelProps) {
  const { order, outbox } = props;
  const id = useId();
  const currency = order.currency;
  const open = order.status === "open";
  const pendingOps = outbox.ops.filter((op) => op.status !== "failed");
  const failedOps = outbox.ops.filter((op) => op.status === "failed");
  const addOps = outbox.ops.filter((op): op is Extract<OutboxOp, { kind: "add" }> => op.kind === "add");
  const sendPending = pendingOps.some((op) => op.kind === "send");
  const sendable = new Set(sendableLines(order).map((i) => i.id));
  const firing = new Set(pendingOps.flatMap((op) => (op.kind === "fire" ? [op.course] : [])));
  const voiding = new Map(pendingOps.flatMap((op) => (op.kind === "void" ? [[op.itemId, op] as const] : [])));
  const serving = new Set(pendingOps.flatMap((op) => (op.kind === "serve" ? op.itemIds : [])));
  const held = heldCourses(order);
  const ready = readyLines(order);
  const unsent = unsentTotal(outbox);
  const retrying = pendingOps.some((op) => op.status === "retrying");
  const hasDraft = outbox.drafts.length > 0;
  const canSend = open && (hasDraft || (sendable.size > 0 && !sendPending));
  const busy = pendingOps.length > 0 || hasDraft;
  const activeLines = order.items.filter((i) => i.status !== "voided");
  const draftProblem = outbox.draftProblem ? new ApiError(outbox.draftProblem) : null;

  const statusOf = (item: OrderItemRead): string => {
    const op = voiding.get(item.id);
    if (op) return op.status === "retrying" ? "Void pending" : "Voiding…";
    if (serving.has(item.id)) return "Serving…";
    if (item.status === "pending" && firing.has(item.course)) return "Firing…";
    if (item.status === "pending" && sendPending && sendable.has(item.id)) return "Sending…";
    return lineStatusText(order, item);
  };

  return (
    <section className="pad-order" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`} className="waiter-sr-only">
        Order
      </h2>

      {retrying ? (
        <div className="pad-banner" role="status">
          <p>
            Not confirmed yet — the tablet keeps retrying with the same request, so nothing is sent twice.
          </p>
          <button type="button" className="button" onClick={props.onRetryNow}>
            Retry now
          </button>
        </div>
      ) : null}

      {failedOps.map((op) => (
        <div key={op.id} className="pad-failure" role="alert">
          <p>
            <strong>{opLabel(op, order)} failed:</strong> {op.problem ? new ApiError(op.problem).message : "refused"}
          </p>
          <button type="button" className="button" onClick={() => props.onDismiss(op.id)}>
            Dismiss
          </button>
        </div>
      ))}

      {order.items.length === 0 && addOps.length === 0 && !hasDraft ? (
        <p className="pad-empty">Nothing ordered yet. Tap an item on the menu.</p>
      ) : null}

      {linesByCourse(order.items).map(([course, lines]) => (
        <section key={course} className="pad-course">
          <h3>
            Course {course}
            {held.includes(course) ? <span className="pad-course-state"> · held</span> : null}
          </h3>
          <ul className="pad-lines">
            {lines.map((item) => {
              const voided = item.status === "voided";
              const status = statusOf(item);
              return (
                <li key={item.id} className={`pad-line status-${item.status}`}>
                  <div className="pad-line-main">
                    <span className="pad-line-title">
                      {voided ? (
                        <s>{lineTitle({ quantity: item.quantity, name: item.name, variationName: item.variation_name })}</s>
                      ) : (
                        lineTitle({ quantity: item.quantity, name: item.name, variationName: item.variation_name })
                      )}
                    </span>
                    <span className="pad-line-price">{voided ? <s>{formatMoney(item.line_total, currency)}</s> : formatMoney(item.line_total, currency)}</span>
                  </div>
                  <LineDetails modifiers={item.modifiers.map((m) => m.label)} seat={item.seat} notes={item.notes} />
                  <div className="pad-line-foot">
                    <span className={`pad-status pad-status-${item.status}`}>{status}</span>
                    {voided && item.void_reason ? <span className="pad-void-reason">Reason: {item.void_reason}</span> : null}
                    {!voided && open && props.canRepeat(item) ? (
                      <button
                        type="button"
                        className="button button-quiet pad-line-action"
                        aria-label={`Same again: ${lineTitle({ quantity: 1, name: item.name, variationName: item.variation_name })}`}
                        onClick={() => props.onRepeat(item)}
                      >
                        Same again
                      </button>
                    ) : null}
                    {!voided && open ? (
                      <button
                        type="button"
                        className="button button-quiet pad-line-action"
                        aria-label={`Void ${lineTitle({ quantity: item.quantity, name: item.name, variationName: item.variation_name })}`}
                        disabled={voiding.has(item.id)}
                        onClick={() => props.onVoid(item)}
                      >
                        Void
                      </button>
                    ) : null}
                  </div>
                </li>
              );
            })}
          </ul>
        </section>
      ))}

      {addOps.length > 0 || hasDraft ? (
        <section className="pad-course pad-to-send">
          <h3>To send</h3>
          {draftProblem ? (
            <div className="pad-failure" role="alert">
              <p>
                <strong>Not sent:</strong> {draftProblem.detail ?? draftProblem.title}
                {Object.keys(outbox.draftLineErrors).length > 0 ? " (see the lines below)" : ""}
              </p>
              <button type="button" className="button" onClick={props.onDismissDraftProblem}>
                Dismiss
              </button>
            </div>
          ) : null}
          <ul className="pad-lines">
            {addOps.flatMap((op) =>
              op.lines.map((line) => (
                <li key={line.localId} className="pad-line pad-line-sending">
                  <div className="pad-line-main">
                    <span className="pad-line-title">{lineTitle(line)}</span>
                    <span className="pad-line-price">{formatMoney(draftLineTotal(line), currency)}</span>
                  </div>
                  <LineDetails modifiers={line.modifierNames} seat={line.seat} notes={line.notes} />
                  <div className="pad-line-foot">
                    <span className="pad-status pad-status-sending">{opStatusText(op)}</span>
                    {line.course > 1 ? <span>Course {line.course}</span> : null}
                  </div>
                </li>
              )),
            )}
            {outbox.drafts.map((line) => {
              const error = outbox.draftLineErrors[line.localId];
              const errorId = `${id}-draft-${line.localId}`;
              return (
                <li key={line.localId} className="pad-line pad-line-draft" aria-describedby={error ? errorId : undefined}>
                  <div className="pad-line-main">
                    <span className="pad-line-title">{lineTitle(line)}</span>
                    <span className="pad-line-price">{formatMoney(draftLineTotal(line), currency)}</span>
                  </div>
                  <LineDetails modifiers={line.modifierNames} seat={line.seat} notes={line.notes} />
                  {error ? (
                    <p id={errorId} className="error-message">
                      {error}
                    </p>
                  ) : null}
                  <div className="pad-line-foot">
                    <span className="pad-status pad-status-draft">Draft{line.course > 1 ? ` · course ${line.course}` : ""}</span>
                    <span className="stepper pad-line-stepper" role="group" aria-label={`Quantity of ${line.name}`}>
                      <button
                        type="button"
                        aria-label={`One less ${line.name}`}
                        disabled={line.quantity <= 1}
                        onClick={() => props.onStepDraft(line, -1)}
                      >
                        −
                      </button>
                      <span className="pad-line-quantity" aria-hidden="true">
                        {line.quantity}
                      </span>
                      <button
                        type="button"
                        aria-label={`One more ${line.name}`}
                        disabled={line.quantity >= 99}
                        onClick={() => props.onStepDraft(line, 1)}
                      >
                        +
                      </button>
                    </span>
                    <DraftNote line={line} quickNotes={props.quickNotes} onNote={props.onNoteDraft} />
                    <button
                      type="button"
                      className="button button-quiet pad-line-action"
                      aria-label={`Same again: ${lineTitle({ ...line, quantity: 1 })}`}
                      onClick={() => props.onSameAgain(line)}
                    >
                      Same again
                    </button>
                    {props.canEditDrafts(line) ? (
                      <button
                        type="button"
                        className="button button-quiet pad-line-action"
                        aria-label={`Edit ${lineTitle(line)}`}
                        onClick={() => props.onEditDraft(line)}
                      >
                        Edit
                      </button>
                    ) : null}
                    <button
                      type="button"
                      className="button button-quiet pad-line-action"
                      aria-label={`Remove ${lineTitle(line)}`}
                      onClick={() => props.onRemoveDraft(line)}
                    >
                      Remove
                    </button>
                  </div>
                </li>
              );
            })}
          </ul>
        </section>
      ) : null}

      <dl className="pad-totals" aria-label="Totals">
        <div>
          <dt>Sent</dt>
          <dd>{formatMoney(order.subtotal, currency)}</dd>
        </div>
        <div>
          <dt>To send</dt>
          <dd>{formatMoney(unsent, currency)}</dd>
        </div>
        <div className="pad-total">
          <dt>Order total</dt>
          <dd data-testid="order-total">{formatMoney(order.subtotal + unsent, currency)}</dd>
        </div>
        <p className="pad-totals-note">Before tax; the check adds it.</p>
      </dl>

      {open ? (
        <div className="pad-actions">
          <button
            type="button"
            className="button button-primary pad-send"
            disabled={!canSend}
            aria-keyshortcuts="Alt+S Control+Enter"
            title="Send (Alt+S)"
            onClick={props.onSend}
          >
            Send
          </button>
          {held.map((course) => (
            <button
              key={course}
              type="button"
              className="button"
              disabled={firing.has(course)}
              aria-keyshortcuts={course === held[0] ? "Alt+F" : undefined}
              title={course === held[0] ? "Fire (Alt+F)" : undefined}
              onClick={() => props.onFire(course)}
            >
              {firing.has(course) ? `Firing course ${course}…` : `Fire course ${course}`}
            </button>
          ))}
          {ready.length > 0 ? (
            <button
              type="button"
              className="button"
              disabled={ready.every((i) => serving.has(i.id))}
              onClick={() => props.onServe(ready.map((i) => i.id))}
            >
              Mark served
            </button>
          ) : null}
          <div className="pad-action-with-error">
            {props.hasCheck ? (
              <p className="pad-check-state">Check requested</p>
            ) : (
              <button
                type="button"
                className="button"
                disabled={busy || activeLines.length === 0 || props.requestingCheck}
                aria-describedby={busy ? `${id}-check-note` : undefined}
                onClick={props.onRequestCheck}
              >
                {props.requestingCheck ? "Requesting check…" : "Request check"}
              </button>
            )}
            {!props.hasCheck && busy ? (
              <p id={`${id}-check-note`} className="pad-note">
                {hasDraft ? "Send the draft first." : "Waiting for the server to confirm."}
              </p>
            ) : null}
            <ErrorMessage error={props.checkError} />
          </div>
          {props.isDraftOrder ? (
            <button type="button" className="button button-danger" disabled={pendingOps.length > 0} onClick={props.onCancelOrder}>
              Discard order
            </button>
          ) : nothingFired(order) && !props.hasCheck ? (
            <button type="button" className="button button-danger" disabled={pendingOps.length > 0} onClick={props.onCancelOrder}>
              Cancel order
            </button>
          ) : null}
        </div>
      ) : null}
    </section>
  );
}
