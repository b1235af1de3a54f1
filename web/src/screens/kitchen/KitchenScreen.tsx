/**
 * `/r/:restaurantId/kitchen?station=oven` — the kitchen display of one station; without
 * `station`, expo (every station).
 *
 * Open tickets oldest first in a grid of compact cards (`TicketCard`: six three-line
 * tickets fit a 1024×768 screen, every "Bump" in view), kept live by the shared realtime
 * layer (`realtime/cacheSync.ts` writes `ticket.*` events into the open lists); a
 * ticket that arrives live, or a table's later send that joins its open ticket
 * (`lines_added`: its new lines marked "ADDED"), chimes (Web Audio, `chime.ts`) and is
 * highlighted for a moment. Timers are coloured against each station's prep-time target
 * (`config.ts`). "Recently bumped" lists each ticket with its lines and the bump's time
 * to the second, and "Recall ticket N" recalls exactly that one.
 *
 * The toolbar's "All day" button shows or hides the all-day counts (`AllDayPanel`, kept
 * per device); "86 and counts" (roles holding `menu:availability`) shows the station's
 * items to 86, put back, or count ("5 left", `AvailabilityPanel`).
 *
 * Bump bar (a keyboard, or a bump bar typing like one; not while typing in a field): the
 * number keys 1–9 pick the ticket shown with that number, Enter bumps the picked ticket,
 * R (or 0) recalls the last bumped, Escape drops the pick.
 *
 * When the socket drops the screen says
 * "Connection lost — reconnecting…"; when it is back (the realtime layer resumed with
 * `last_seq`) it says "Reconnected — caught up N events" and refetches the open tickets
 * as a safety net.
 *
 * Every ticket and line step needs `kitchen:bump` (held by kitchen, manager, owner); a
 * refusal is shown on the ticket it concerns.
 *
 * Accessible names: heading "Kitchen — oven" / "Kitchen — All (expo)"; select "Station";
 * buttons "Tap to enable sound", "Mute sound" / "Unmute sound", toggle buttons "All day"
 * and "86 and counts"; region "Open tickets" with `article`s "Ticket 7 · Table 4 · Order
 * 12 · Course 1" (buttons "Start", "Ready", "Bump", and a button per line that can be
 * stepped; the picked one has `aria-current`); regions "All-day counts" and "86 and
 * counts" when shown; region "Recently bumped" with a list item per ticket ("Ticket 7 ·
 * Table 4 · #12 · 19:02:37") and its "Recall ticket 7" button; status text "Connection
 * lost — reconnecting…" / "Reconnected — caught up N events".
 */
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { useSearchParams } from "react-router";

import { unwrap, type ApiClient } from "../../api/client";
import { menuQuery, openTicketsQuery, queryKeys, restaurantQuery } from "../../api/queries";
import type { TicketList, TicketRead } from "../../api/types";
import { useRestaurantScope } from "../../auth/restaurant";
import { ErrorMessage } from "../../components/ErrorMessage";
import { useRealtime, useRealtimeEvent, useRealtimeStatus } from "../../realtime/RealtimeProvider";
import type { RealtimeEvent } from "../../realtime/types";
import { useServices } from "../../services";
import { may86 } from "../../lib/availability";
import { AllDayPanel } from "./AllDayPanel";
import { AvailabilityPanel } from "./AvailabilityPanel";
import { useChime } from "./chime";
import { useNow } from "./clock";
import {
  ALL_DAY_STORAGE_KEY,
  NEW_TICKET_HIGHLIGHT_MS,
  RECENTLY_BUMPED_SHOWN,
  RECENTLY_BUMPED_WINDOW,
  RECONNECTED_BANNER_MS,
  prepTargetMs,
  prepTargetsOf,
} from "./config";
import { TicketCard } from "./TicketCard";
import {
  applyTicket,
  bumpBarAction,
  destinationLabel,
  formatClockSeconds,
  linesSummary,
  menuStations,
  oldestFirst,
  recentlyBumped,
  type LineStep,
  type TicketItem,
  type TicketStep,
} from "./tickets";
import "./kitchen.css";

const TICKET_STEP_PATHS = {
  start: "/api/v1/restaurants/{restaurant_id}/kitchen/tickets/{ticket_id}/start",
  ready: "/api/v1/restaurants/{restaurant_id}/kitchen/tickets/{ticket_id}/ready",
  bump: "/api/v1/restaurants/{restaurant_id}/kitchen/tickets/{ticket_id}/bump",
  recall: "/api/v1/restaurants/{restaurant_id}/kitchen/tickets/{ticket_id}/recall",
} as const;

const LINE_STEP_PATHS = {
  start: "/api/v1/restaurants/{restaurant_id}/kitchen/tickets/{ticket_id}/items/{ticket_item_id}/start",
  ready: "/api/v1/restaurants/{restaurant_id}/kitchen/tickets/{ticket_id}/items/{ticket_item_id}/ready",
  bump: "/api/v1/restaurants/{restaurant_id}/kitchen/tickets/{ticket_id}/items/{ticket_item_id}/bump",
} as const;

/**
 * Step a whole ticket. No `version` is sent: the server's state machine refuses a step
 * that no longer applies (409 `invalid-ticket-transition`), and a version would make
 * two cooks tapping lines of one ticket refuse each other.
 */
function postTicketStep(api: ApiClient, rid: number, ticketId: number, step: TicketStep): Promise<TicketRead> {
  return unwrap(api.POST(TICKET_STEP_PATHS[step], { params: { path: { restaurant_id: rid, ticket_id: ticketId } } }));
}

function postLineStep(api: ApiClient, rid: number, ticketId: number, itemId: number, step: LineStep): Promise<TicketRead> {
  return unwrap(
    api.POST(LINE_STEP_PATHS[step], {
      params: { path: { restaurant_id: rid, ticket_id: ticketId, ticket_item_id: itemId } },
    }),
  );
}

/**
 * The station's latest tickets of every status (the bumped ones among them feed
 * "Recently bumped"): the list is oldest first, so read its total, then its last page.
 */
async function fetchLatestTickets(api: ApiClient, rid: number, station: string | null, signal: AbortSignal): Promise<TicketList> {
  const path = "/api/v1/restaurants/{restaurant_id}/kitchen/tickets";
  const query = { status: "all" as const, ...(station ? { station } : {}) };
  const head = await unwrap(api.GET(path, { params: { path: { restaurant_id: rid }, query: { ...query, limit: 1 } }, signal }));
  const offset = Math.max(0, head.total - RECENTLY_BUMPED_WINDOW);
  return unwrap(
    api.GET(path, { params: { path: { restaurant_id: rid }, query: { ...query, limit: RECENTLY_BUMPED_WINDOW, offset } }, signal }),
  );
}

/** Whether an event of `eventStation` belongs on the screen of `station` (null: expo, every station). */
function forStation(station: string | null, eventStation: string | null): boolean {
  return station === null || eventStation === station;
}

function ticketOf(event: RealtimeEvent): TicketRead | null {
  const ticket = (event.data as { ticket?: unknown }).ticket;
  return typeof ticket === "object" && ticket !== null && "id" in ticket ? (ticket as TicketRead) : null;
}

/** "Connection lost — reconnecting…" while the socket is down; "Reconnected — caught up N events" after. */
function ConnectionBanner({ station }: { station: string | null }) {
  const status = useRealtimeStatus();
  const connection = useRealtime();
  const queryClient = useQueryClient();
  const { restaurantId } = useRestaurantScope();
  const [caughtUp, setCaughtUp] = useState<{ replayed: number; at: number } | null>(null);
  // whether this screen was ever live (state adjusted while rendering)
  const [wasLive, setWasLive] = useState(false);
  if (status.state === "connected" && !wasLive) setWasLive(true);

  useEffect(() => {
    if (connection === null) return undefined;
    return connection.onReady(({ first, replayed }) => {
      if (first) return;
      setCaughtUp({ replayed, at: Date.now() });
      // the replay brought what was missed; a refetch makes sure nothing is
      void queryClient.invalidateQueries({ queryKey: queryKeys.tickets(restaurantId, station) });
    });
  }, [connection, queryClient, restaurantId, station]);

  useEffect(() => {
    if (caughtUp === null) return undefined;
    const timer = setTimeout(() => setCaughtUp(null), RECONNECTED_BANNER_MS);
    return () => clearTimeout(timer);
  }, [caughtUp]);

  let text: string | null = null;
  let tone = "ok";
  if (status.state === "offline" && status.error !== null) {
    text = `Not connected: ${status.error.message}`;
    tone = "lost";
  } else if (status.state === "reconnecting" || (status.state === "offline" && wasLive)) {
    text = "Connection lost — reconnecting…";
    tone = "lost";
  } else if (status.state === "offline") {
    text = "Not connected — retrying…";
    tone = "lost";
  } else if (status.state === "connected" && caughtUp !== null) {
    text = `Reconnected — caught up ${caughtUp.replayed} ${caughtUp.replayed === 1 ? "event" : "events"}`;
  }
  return (
    <div className="kitchen-banner-slot" role="status" aria-live="assertive">
      {text !== null ? <p className={`kitchen-banner kitchen-banner-${tone}`}>{text}</p> : null}
    </div>
  );
}

/** Whether a key event comes from typing in a field (the bump bar leaves those alone). */
function typingIn(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ["INPUT", "SELECT", "TEXTAREA"].includes(target.tagName);
}

/** A yes/no choice of this device kept in `localStorage` under `key`. */
function useStoredFlag(key: string): [boolean, (value: boolean) => void] {
  const [value, setValue] = useState(() => {
    try {
      return window.localStorage.getItem(key) === "1";
    } catch {
      return false;
    }
  });
  const set = useCallback(
    (next: boolean) => {
      setValue(next);
      try {
        if (next) window.localStorage.setItem(key, "1");
        else window.localStorage.removeItem(key);
      } catch {
        // storage unavailable: the choice lasts until the page is left
      }
    },
    [key],
  );
  return [value, set];
}

function SoundControls({ chime }: { chime: ReturnType<typeof useChime> }) {
  return (
    <div className="kitchen-sound">
      {chime.state === "locked" && !chime.muted ? (
        <button type="button" className="button button-primary" onClick={chime.enable}>
          Tap to enable sound
        </button>
      ) : null}
      {chime.state === "unavailable" ? <span className="kitchen-sound-note">No sound in this browser</span> : null}
      <button type="button" className="button" onClick={() => chime.setMuted(!chime.muted)}>
        {chime.muted ? "Unmute sound" : "Mute sound"}
      </button>
    </div>
  );
}

export function KitchenScreen() {
  const [params, setParams] = useSearchParams();
  const station = params.get("station") || null;
  const { restaurantId: rid, role } = useRestaurantScope();
  const { api, queryClient } = useServices();
  const now = useNow(1000);
  const chime = useChime();

  const tickets = useQuery(openTicketsQuery(api, rid, station));
  const menu = useQuery(menuQuery(api, rid));
  const restaurant = useQuery(restaurantQuery(api, rid)).data;
  const timeZone = restaurant?.time_zone;
  const targets = useMemo(() => prepTargetsOf(restaurant), [restaurant]);
  const [showAllDay, setShowAllDay] = useStoredFlag(ALL_DAY_STORAGE_KEY);
  const [showAvailability, setShowAvailability] = useState(false);
  /** The ticket picked with the bump bar (Enter bumps it). */
  const [selected, setSelected] = useState<number | null>(null);
  const latest = useQuery({
    queryKey: queryKeys.ticketsFiltered(rid, station, { status: "all", latest: RECENTLY_BUMPED_WINDOW }),
    queryFn: ({ signal }) => fetchLatestTickets(api, rid, station, signal),
  });

  /** Ticket id → until when (epoch ms) it is highlighted as new. */
  const [fresh, setFresh] = useState<ReadonlyMap<number, number>>(new Map());
  /** Every ticket version this screen saw bumped or recalled (feeds "Recently bumped" between refetches). */
  const [seen, setSeen] = useState<readonly TicketRead[]>([]);
  const [busy, setBusy] = useState<ReadonlySet<number>>(new Set());
  const [errors, setErrors] = useState<ReadonlyMap<number, unknown>>(new Map());
  const [recallError, setRecallError] = useState<unknown>(null);

  useEffect(() => {
    // a new station: the highlights and errors were for the old one
    setFresh(new Map());
    setErrors(new Map());
    setRecallError(null);
  }, [station]);

  useRealtimeEvent("ticket.created", (event) => {
    const ticket = ticketOf(event);
    if (ticket === null || !forStation(station, ticket.station)) return;
    setFresh((current) => new Map(current).set(ticket.id, Date.now() + NEW_TICKET_HIGHLIGHT_MS));
    chime.play();
  });

  useRealtimeEvent("ticket.updated", (event) => {
    const ticket = ticketOf(event);
    if (ticket !== null && (ticket.status === "bumped" || ticket.recalled_at !== null)) {
      setSeen((current) => [...current.slice(-100), ticket]);
    }
    // a table's later send joined this ticket: say so, as for a new ticket
    if (ticket !== null && (event.data as { action?: unknown }).action === "lines_added" && forStation(station, ticket.station)) {
      setFresh((current) => new Map(current).set(ticket.id, Date.now() + NEW_TICKET_HIGHLIGHT_MS));
      chime.play();
    }
  });

  const run = useCallback(
    /** Run one step of `ticket`; resolves to its error, or null when it went through. */
    async (ticket: TicketRead, call: () => Promise<TicketRead>): Promise<unknown> => {
      setBusy((current) => new Set(current).add(ticket.id));
      setErrors((current) => {
        const next = new Map(current);
        next.delete(ticket.id);
        return next;
      });
      try {
        const updated = await call();
        applyTicket(queryClient, rid, updated);
        setSeen((current) => [...current.slice(-100), updated]);
        return null;
      } catch (error) {
        setErrors((current) => new Map(current).set(ticket.id, error));
        // what the screen shows may be behind: read it again
        void queryClient.invalidateQueries({ queryKey: queryKeys.tickets(rid, station) });
        return error;
      } finally {
        setBusy((current) => {
          const next = new Set(current);
          next.delete(ticket.id);
          return next;
        });
      }
    },
    [queryClient, rid, station],
  );

  const onStep = (ticket: TicketRead, step: TicketStep) => void run(ticket, () => postTicketStep(api, rid, ticket.id, step));
  const onLineStep = (ticket: TicketRead, item: TicketItem, step: LineStep) =>
    void run(ticket, () => postLineStep(api, rid, ticket.id, item.id, step));
  const onRecall = async (ticket: TicketRead) => {
    setRecallError(null);
    setRecallError(await run(ticket, () => postTicketStep(api, rid, ticket.id, "recall")));
  };

  const open = useMemo(
    () => oldestFirst((tickets.data?.items ?? []).filter((t) => t.status !== "bumped" && forStation(station, t.station))),
    [tickets.data, station],
  );
  const bumped = useMemo(
    () => recentlyBumped([...(latest.data?.items ?? []), ...seen], station, RECENTLY_BUMPED_SHOWN),
    [latest.data, seen, station],
  );
  const stations = menuStations(menu.data, [station]);

  // the bump bar: read the latest board through a ref, so the listener is added once
  const board = useRef({ open, bumped, selected });
  board.current = { open, bumped, selected };
  const bumpBar = useRef({ onStep, onRecall });
  bumpBar.current = { onStep, onRecall };
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.altKey || event.ctrlKey || event.metaKey || typingIn(event.target)) return;
      const { open: tickets, bumped: done, selected: picked } = board.current;
      const action = bumpBarAction(
        event.key,
        tickets.map((t) => t.id),
        picked,
        done[0]?.id ?? null,
      );
      if (action === null) return;
      event.preventDefault(); // Enter must not also press the button that has the focus
      if (action.kind === "select") setSelected(action.ticketId);
      else if (action.kind === "clear") setSelected(null);
      else if (action.kind === "bump") {
        const ticket = tickets.find((t) => t.id === action.ticketId);
        setSelected(null);
        if (ticket !== undefined) bumpBar.current.onStep(ticket, "bump");
      } else {
        const ticket = done.find((t) => t.id === action.ticketId);
        if (ticket !== undefined) void bumpBar.current.onRecall(ticket);
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);
  const canAvailability = may86(role);
  const title = station ? `Kitchen — ${station}` : "Kitchen — All (expo)";

  return (
    <section className="kitchen" aria-labelledby="kitchen-title">
      <header className="kitchen-toolbar">
        <h1 id="kitchen-title">{title}</h1>
        <div className="kitchen-station">
          <label htmlFor="kitchen-station">Station</label>
          <select
            id="kitchen-station"
            value={station ?? ""}
            onChange={(e) => {
              const value = e.target.value;
              setParams(value ? { station: value } : {}, { replace: true });
            }}
          >
            <option value="">All (expo)</option>
            {stations.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </div>
        <p className="kitchen-count" aria-live="polite">
          {tickets.isSuccess ? `${open.length} open ${open.length === 1 ? "ticket" : "tickets"}` : ""}
        </p>
        <div className="kitchen-toggles">
          <button
            type="button"
            className={showAllDay ? "button kitchen-toggle active" : "button kitchen-toggle"}
            aria-pressed={showAllDay}
            onClick={() => setShowAllDay(!showAllDay)}
          >
            All day
          </button>
          {canAvailability ? (
            <button
              type="button"
              className={showAvailability ? "button kitchen-toggle active" : "button kitchen-toggle"}
              aria-pressed={showAvailability}
              onClick={() => setShowAvailability(!showAvailability)}
            >
              86 and counts
            </button>
          ) : null}
        </div>
        <SoundControls chime={chime} />
      </header>

      <ConnectionBanner station={station} />

      <div className={showAllDay || (showAvailability && canAvailability) ? "kitchen-main with-panel" : "kitchen-main"}>
      <section className="kitchen-board" aria-label="Open tickets">
        {tickets.isPending ? <p className="kitchen-empty">Loading tickets…</p> : null}
        {tickets.isError ? (
          <div className="kitchen-empty">
            <ErrorMessage error={tickets.error} />
            <button type="button" className="button" onClick={() => void tickets.refetch()}>
              Try again
            </button>
          </div>
        ) : null}
        {tickets.isSuccess && open.length === 0 ? <p className="kitchen-empty">No open tickets. All clear.</p> : null}
        {open.length > 0 ? (
          <div className="kitchen-grid">
            {open.map((ticket, index) => (
              <TicketCard
                key={ticket.id}
                ticket={ticket}
                position={index < 9 ? index + 1 : undefined}
                selected={selected === ticket.id}
                targetMs={prepTargetMs(ticket.station, targets)}
                now={now}
                fresh={(fresh.get(ticket.id) ?? 0) > now}
                showStation={station === null}
                busy={busy.has(ticket.id)}
                error={errors.get(ticket.id)}
                onStep={(step) => onStep(ticket, step)}
                onLineStep={(item, step) => onLineStep(ticket, item, step)}
              />
            ))}
          </div>
        ) : null}
      </section>
      {showAllDay || (showAvailability && canAvailability) ? (
        <aside className="kitchen-side">
          {showAllDay ? <AllDayPanel tickets={open} /> : null}
          {showAvailability && canAvailability ? <AvailabilityPanel rid={rid} menu={menu.data} station={station} /> : null}
        </aside>
      ) : null}
      </div>

      <section className="kitchen-bumped" aria-labelledby="kitchen-bumped-title">
        <h2 id="kitchen-bumped-title">Recently bumped</h2>
        {bumped.length === 0 ? (
          <p className="kitchen-bumped-empty">Nothing bumped yet.</p>
        ) : (
          <ul className="kitchen-bumped-list">
            {bumped.map((ticket) => {
              const labelId = `kitchen-bumped-${ticket.id}`;
              return (
                <li key={ticket.id} className="kitchen-bumped-item" aria-labelledby={labelId} data-ticket-id={ticket.id}>
                  <span className="kitchen-bumped-text">
                    <span id={labelId} className="kitchen-bumped-label">
                      Ticket {ticket.id} · {destinationLabel(ticket.table_name)} · #{ticket.order_id}
                      {station === null ? ` · ${ticket.station}` : ""}
                      {ticket.bumped_at ? ` · ${formatClockSeconds(ticket.bumped_at, timeZone)}` : ""}
                    </span>
                    <span className="kitchen-bumped-lines">{linesSummary(ticket)}</span>
                  </span>
                  <button
                    type="button"
                    className="button"
                    aria-label={`Recall ticket ${ticket.id}`}
                    disabled={busy.has(ticket.id)}
                    onClick={() => void onRecall(ticket)}
                  >
                    Recall
                  </button>
                </li>
              );
            })}
          </ul>
        )}
        <ErrorMessage error={recallError} />
      </section>
    </section>
  );
}
