/**
 * The till's left side: a search box and the open orders/checks as a listbox. Arrow
 * keys (and Home/End) move through the list, Enter or Space selects; from the search
 * box, ArrowDown goes into the list and Enter selects the first match.
 *
 * Accessible names: search box "Find check"; listbox "Open checks" whose options are
 * named "Table 4, 2 covers, $25.00, 12 min, check open" (or "Takeaway #12, …").
 */
import { useEffect, useImperativeHandle, useRef, useState, type KeyboardEvent, type Ref } from "react";

import { formatMoney } from "../../lib/money";
import { formatAge } from "../../lib/time";
import type { TillRow } from "./rows";

export interface OpenChecksListHandle {
  focusList(): void;
  focusSearch(): void;
}

export interface OpenChecksListProps {
  rows: readonly TillRow[];
  query: string;
  onQueryChange: (query: string) => void;
  selectedId: number | null;
  onSelect: (row: TillRow) => void;
  /** Epoch ms, for the ages. */
  now: number;
  /** Lets the till move focus into the list or the search box (keyboard shortcuts). */
  ref?: Ref<OpenChecksListHandle>;
}

/** The spoken name of a row (see the module documentation). */
export function rowName(row: TillRow, now: number): string {
  const parts = [
    row.label,
    `${row.covers} ${row.covers === 1 ? "cover" : "covers"}`,
    formatMoney(row.total, row.currency),
    formatAge(row.openedAt, new Date(now)),
  ];
  if (row.check !== null) {
    parts.push(row.check.paid_total > 0 ? `part paid, ${formatMoney(row.balance, row.currency)} due` : "check open");
  }
  return parts.join(", ");
}

export function OpenChecksList({ rows, query, onQueryChange, selectedId, onSelect, now, ref }: OpenChecksListProps) {
  const listRef = useRef<HTMLUListElement>(null);
  const searchRef = useRef<HTMLInputElement>(null);
  const [activeId, setActiveId] = useState<number | null>(null);

  // keep the cursor on a row that is still listed: the selected one, else the first
  const active = rows.find((r) => r.orderId === activeId) ?? rows.find((r) => r.orderId === selectedId) ?? rows[0] ?? null;

  useImperativeHandle(ref, () => ({
    focusList: () => listRef.current?.focus(),
    focusSearch: () => {
      searchRef.current?.focus();
      searchRef.current?.select();
    },
  }));

  useEffect(() => {
    if (active === null) return;
    const element = document.getElementById(`till-row-${active.orderId}`);
    element?.scrollIntoView?.({ block: "nearest" });
  }, [active]);

  const move = (delta: number | "first" | "last") => {
    if (rows.length === 0) return;
    const index = active === null ? -1 : rows.indexOf(active);
    let next: number;
    if (delta === "first") next = 0;
    else if (delta === "last") next = rows.length - 1;
    else next = Math.min(rows.length - 1, Math.max(0, index + delta));
    const row = rows[next];
    if (row !== undefined) setActiveId(row.orderId);
  };

  const onListKey = (event: KeyboardEvent<HTMLUListElement>) => {
    switch (event.key) {
      case "ArrowDown":
        move(1);
        break;
      case "ArrowUp":
        if (active !== null && rows.indexOf(active) === 0) searchRef.current?.focus();
        else move(-1);
        break;
      case "Home":
        move("first");
        break;
      case "End":
        move("last");
        break;
      case "PageDown":
        move(5);
        break;
      case "PageUp":
        move(-5);
        break;
      case "Enter":
      case " ":
        if (active !== null) onSelect(active);
        break;
      default:
        return;
    }
    event.preventDefault();
  };

  const onSearchKey = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === "ArrowDown") {
      event.preventDefault();
      if (rows[0] !== undefined && active === null) setActiveId(rows[0].orderId);
      listRef.current?.focus();
    } else if (event.key === "Enter") {
      event.preventDefault();
      const first = rows[0];
      if (first !== undefined) onSelect(first);
    }
  };

  return (
    <div className="till-list-panel">
      <div className="field till-search">
        <label htmlFor="till-search">
          Find check <kbd aria-hidden="true">Alt+K</kbd>
        </label>
        <input
          id="till-search"
          ref={searchRef}
          type="search"
          value={query}
          placeholder="Table or order number"
          autoComplete="off"
          aria-keyshortcuts="Alt+K"
          aria-controls="till-list"
          onChange={(e) => onQueryChange(e.target.value)}
          onKeyDown={onSearchKey}
        />
      </div>
      {rows.length === 0 ? (
        <p className="till-list-empty">{query.trim() ? "No open check matches." : "No open checks."}</p>
      ) : null}
      <ul
        id="till-list"
        ref={listRef}
        className="till-list"
        role="listbox"
        aria-label="Open checks"
        aria-keyshortcuts="Alt+L"
        tabIndex={0}
        aria-activedescendant={active !== null ? `till-row-${active.orderId}` : undefined}
        onKeyDown={onListKey}
        hidden={rows.length === 0}
      >
        {rows.map((row) => (
          <li
            key={row.orderId}
            id={`till-row-${row.orderId}`}
            role="option"
            aria-selected={row.orderId === selectedId}
            aria-label={rowName(row, now)}
            className={[
              "till-row",
              row.orderId === active?.orderId ? "till-row-active" : "",
              row.orderId === selectedId ? "till-row-selected" : "",
            ]
              .filter(Boolean)
              .join(" ")}
            onClick={() => {
              setActiveId(row.orderId);
              onSelect(row);
            }}
          >
            <span className="till-row-label">{row.label}</span>
            <span className="till-row-total">{formatMoney(row.total, row.currency)}</span>
            <span className="till-row-meta">
              {row.covers} {row.covers === 1 ? "cover" : "covers"} · {formatAge(row.openedAt, new Date(now))}
            </span>
            {row.check !== null ? (
              <span className="till-row-check">
                {row.check.paid_total > 0 ? `Part paid · ${formatMoney(row.balance, row.currency)} due` : "Check open"}
              </span>
            ) : null}
          </li>
        ))}
      </ul>
    </div>
  );
}
