/**
 * One kitchen ticket, compact enough for six three-line tickets on a 1024×768 screen
 * with every "Bump" in view: its place on the board (the bump bar's number key), where
 * it goes (table or takeaway), order number, its age timer (amber, then red against its
 * station's prep-time target, `config.ts`, with words saying so), course, station (on
 * expo), status, and its lines — quantity × name (size), seat, modifiers and notes in
 * bold — with "Start", "Ready" and "Bump" for the whole ticket. Lines that a later send
 * of the table added are marked "ADDED" (and the ticket says so in its header). A tap on
 * a line steps it (`new → preparing → ready`); a voided line stays, struck through,
 * marked "VOID". The ticket picked with the bump bar is outlined and says "Picked".
 *
 * Accessible name: `article` "Ticket 7 · Table 4 · Order 12 · Course 1".
 */
import { ErrorMessage } from "../../components/ErrorMessage";
import { AGE_LATE_MS, AGE_LEVEL_TEXT, ageLevel } from "./config";
import {
  LINE_STATUS_TEXT,
  TICKET_STATUS_TEXT,
  canStep,
  destinationLabel,
  formatTimer,
  hasAdditions,
  isAddition,
  isVoided,
  nextLineStep,
  ticketAgeMs,
  type LineStep,
  type TicketItem,
  type TicketStep,
} from "./tickets";
import type { TicketRead } from "../../api/types";

export interface TicketCardProps {
  ticket: TicketRead;
  /** The screen's clock, epoch ms (ticks every second). */
  now: number;
  /** Arrived live a moment ago: highlighted and marked "New ticket". */
  fresh?: boolean;
  /** Say which station the ticket is for (expo shows every station). */
  showStation?: boolean;
  /** A step of this ticket is on its way to the server (its buttons wait). */
  busy?: boolean;
  /** The last failed step of this ticket (problem+json), shown under its buttons. */
  error?: unknown;
  /** Its place on the board (1 = oldest): the bump bar's number key. */
  position?: number;
  /** Picked with the bump bar (Enter bumps it). */
  selected?: boolean;
  /** Its station's prep-time target (ms): the timer is late at it. */
  targetMs?: number;
  onStep: (step: TicketStep) => void;
  onLineStep: (item: TicketItem, step: LineStep) => void;
}

/** The accessible name of a ticket card (see the module documentation). */
export function ticketName(ticket: TicketRead): string {
  return `Ticket ${ticket.id} · ${destinationLabel(ticket.table_name)} · Order ${ticket.order_id} · Course ${ticket.course}`;
}

/**
 * The spoken name of a line: "2 × Barbecue Chicken (M) · Seat 3 · + Extra cheese ·
 * Note: no onions · New" (quantity first, status last).
 */
/** A modifier as the ticket prints it: "+ Extra cheese", "NO Red Onions", "LIGHT Mozzarella". */
export function modifierText(m: { name: string; label?: string; kind?: string }): string {
  return (m.kind ?? "add") === "add" ? `+ ${m.label ?? m.name}` : (m.label ?? m.name);
}

export function lineName(item: TicketItem): string {
  const parts = [`${item.quantity} × ${item.name}${item.variation_name ? ` (${item.variation_name})` : ""}`];
  if (item.seat !== null) parts.push(`Seat ${item.seat}`);
  for (const m of item.modifiers) parts.push(modifierText(m));
  if (item.notes.trim()) parts.push(`Note: ${item.notes.trim()}`);
  if (isAddition(item)) parts.push("ADDED");
  parts.push(isVoided(item) ? "VOID" : LINE_STATUS_TEXT[item.status]);
  return parts.join(" · ");
}

function LineBody({ item }: { item: TicketItem }) {
  return (
    <>
      <span className="kitchen-line-main">
        {isAddition(item) ? <span className="kitchen-line-added">ADDED</span> : null}
        <span className="kitchen-line-qty">{item.quantity} ×</span>{" "}
        <span className="kitchen-line-name">{item.name}</span>
        {item.variation_name ? <span className="kitchen-line-size"> ({item.variation_name})</span> : null}
        {item.seat !== null ? <span className="kitchen-line-seat"> · Seat {item.seat}</span> : null}
      </span>
      {item.modifiers.length > 0 ? (
        <span className="kitchen-line-mods">
          {item.modifiers.map((m) => (
            <span key={m.id} className={`kitchen-line-mod kind-${m.kind ?? "add"}`}>
              {modifierText(m)}
            </span>
          ))}
        </span>
      ) : null}
      {item.notes.trim() ? (
        <span className="kitchen-line-note">
          <span className="kitchen-line-note-tag">Note:</span> {item.notes}
        </span>
      ) : null}
    </>
  );
}

function Line({ item, busy, onStep }: { item: TicketItem; busy: boolean; onStep: (step: LineStep) => void }) {
  if (isVoided(item)) {
    return (
      <li className="kitchen-line kitchen-line-void" data-batch={item.batch}>
        <span className="kitchen-line-badge kitchen-line-badge-void">VOID</span>
        <del className="kitchen-line-body">
          <LineBody item={item} />
        </del>
      </li>
    );
  }
  const step = nextLineStep(item);
  const status = <span className={`kitchen-line-badge kitchen-line-badge-${item.status}`}>{LINE_STATUS_TEXT[item.status]}</span>;
  if (step === null) {
    return (
      <li className={`kitchen-line kitchen-line-${item.status}${isAddition(item) ? " kitchen-line-addition" : ""}`} data-batch={item.batch}>
        {status}
        <span className="kitchen-line-body">
          <LineBody item={item} />
        </span>
      </li>
    );
  }
  return (
    <li className={`kitchen-line kitchen-line-${item.status}${isAddition(item) ? " kitchen-line-addition" : ""}`} data-batch={item.batch}>
      <button
        type="button"
        className="kitchen-line-button"
        disabled={busy}
        onClick={() => onStep(step)}
        aria-label={lineName(item)}
        title={step === "start" ? "Tap to start this line" : "Tap when this line is ready"}
      >
        {status}
        <span className="kitchen-line-body">
          <LineBody item={item} />
        </span>
      </button>
    </li>
  );
}

export function TicketCard({
  ticket,
  now,
  fresh = false,
  showStation = false,
  busy = false,
  error,
  position,
  selected = false,
  targetMs = AGE_LATE_MS,
  onStep,
  onLineStep,
}: TicketCardProps) {
  const age = ticketAgeMs(ticket, now);
  const level = ageLevel(age, targetMs);
  const recalled = ticket.recalled_at !== null && ticket.status !== "bumped";
  const added = hasAdditions(ticket);
  return (
    <article
      className={`kitchen-ticket kitchen-ticket-${level} kitchen-ticket-${ticket.status}${fresh ? " kitchen-ticket-fresh" : ""}${
        selected ? " kitchen-ticket-selected" : ""
      }`}
      aria-label={ticketName(ticket)}
      aria-current={selected ? "true" : undefined}
      data-ticket-id={ticket.id}
    >
      <header className="kitchen-ticket-header">
        {position !== undefined ? (
          <span className="kitchen-ticket-key" title={`Bump bar key ${position}`}>
            {position}
          </span>
        ) : null}
        <h2 className="kitchen-ticket-dest">{destinationLabel(ticket.table_name)}</h2>
        <span className={`kitchen-age kitchen-age-${level}`} data-age-level={level}>
          <span className="kitchen-timer">{formatTimer(age)}</span>
          <span className="kitchen-age-text">{AGE_LEVEL_TEXT[level]}</span>
        </span>
      </header>
      <p className="kitchen-ticket-meta">
        <span className="kitchen-ticket-order">#{ticket.order_id}</span>
        <abbr className="kitchen-ticket-course" title={`Course ${ticket.course}`}>
          C{ticket.course}
        </abbr>
        {showStation ? <span className="kitchen-ticket-station">{ticket.station}</span> : null}
        <span className="kitchen-ticket-status">{TICKET_STATUS_TEXT[ticket.status]}</span>
        {selected ? <span className="kitchen-badge kitchen-badge-selected">Picked</span> : null}
        {fresh ? <span className="kitchen-badge kitchen-badge-fresh">{added ? "Added" : "New ticket"}</span> : null}
        {added ? <span className="kitchen-badge kitchen-badge-added">ADDED</span> : null}
        {recalled ? <span className="kitchen-badge kitchen-badge-recalled">Recalled</span> : null}
      </p>
      <ul className="kitchen-lines" aria-label="Lines">
        {ticket.items.map((item) => (
          <Line key={item.id} item={item} busy={busy} onStep={(step) => onLineStep(item, step)} />
        ))}
      </ul>
      <div className="kitchen-ticket-actions">
        <button type="button" className="button" disabled={busy || !canStep(ticket.status, "start")} onClick={() => onStep("start")}>
          Start
        </button>
        <button type="button" className="button" disabled={busy || !canStep(ticket.status, "ready")} onClick={() => onStep("ready")}>
          Ready
        </button>
        <button
          type="button"
          className="button button-primary"
          disabled={busy || !canStep(ticket.status, "bump")}
          onClick={() => onStep("bump")}
        >
          Bump
        </button>
      </div>
      <ErrorMessage error={error} className="kitchen-ticket-error" />
    </article>
  );
}
