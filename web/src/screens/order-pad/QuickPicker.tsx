/**
 * The compact picker: what one tap cannot decide for an item — its size, its required
 * choices — beside the menu, not over it. Modifier chips (what adds, then what is held
 * or lightened: "NO Red Onions", "LIGHT Mozzarella") and a note (the restaurant's quick
 * notes, or typed) come first; tapping a size adds the line with them, for the seat and
 * course the pad has set, and clears them for the next one: the picker stays open, so
 * two pizzas of one kind (one plain, one with extra cheese) are three taps. "Done",
 * Escape or another item closes it.
 */
import { useEffect, useId, useRef, useState } from "react";

import { formatMoney } from "../../lib/money";
import { priceDelta } from "./LineDialog";
import { MAX_NOTES, blockingReason, chosenCount, modifierLabel, ruleText, tapChoice, toggleModifier, type LineContext } from "./lineRules";
import type { LineChoice, MenuEntry } from "./types";

export interface QuickPickerProps {
  item: MenuEntry;
  currency: string;
  context: LineContext;
  quickNotes: readonly string[];
  onAdd: (choice: LineChoice) => void;
  onClose: () => void;
}

export function QuickPicker({ item, currency, context, quickNotes, onAdd, onClose }: QuickPickerProps) {
  const id = useId();
  const [modifierIds, setModifierIds] = useState<number[]>([]);
  const [notes, setNotes] = useState("");
  const root = useRef<HTMLElement>(null);
  const sizes = item.variations.filter((v) => v.is_available);

  // focus where the next action is: the first size, or the first required choice still open
  useEffect(() => {
    const here = root.current;
    const target =
      here?.querySelector<HTMLElement>("[data-required-open] .pad-chip:not(:disabled)") ??
      here?.querySelector<HTMLElement>(".pad-size:not(:disabled)");
    target?.focus();
  }, [item.id]);

  const add = (variationId: number) => {
    onAdd(tapChoice(item, context, variationId, modifierIds, notes.trim()));
    setModifierIds([]);
    setNotes("");
  };
  const toggleNote = (note: string) => {
    const parts = notes.split(/\s*;\s*/).filter((p) => p !== "");
    setNotes(parts.includes(note) ? parts.filter((p) => p !== note).join("; ") : [...parts, note].join("; "));
  };
  // the size does not matter for what blocks: check with the first size
  const reason = sizes[0] ? blockingReason(item, tapChoice(item, context, sizes[0].id, modifierIds, notes)) : `${item.name} cannot be ordered.`;

  return (
    <section
      ref={root}
      className="pad-picker"
      aria-labelledby={`${id}-title`}
      onKeyDown={(event) => {
        if (event.key === "Escape") {
          event.stopPropagation();
          onClose();
        }
      }}
    >
      <div className="pad-picker-head">
        <h2 id={`${id}-title`}>{item.name}</h2>
        <p className="pad-picker-context">
          {context.seat === null ? "Table" : `Seat ${context.seat}`} · Course {context.course}
        </p>
        <button type="button" className="button button-quiet" onClick={onClose}>
          Done
        </button>
      </div>

      {item.modifier_groups.map((group) => {
        const count = chosenCount(group, modifierIds);
        return (
          <div
            key={group.id}
            className="pad-picker-group"
            role="group"
            aria-label={group.name}
            data-required-open={group.min_choices > count ? "" : undefined}
          >
            <p className="pad-picker-rule">
              {group.name} · {ruleText(group)}
              {group.min_choices > 0 && count < group.min_choices ? " (required)" : ""}
            </p>
            <div className="pad-chips">
              {group.modifiers.map((modifier) => {
                const on = modifierIds.includes(modifier.id);
                const delta = priceDelta(modifier.price_delta, currency);
                return (
                  <button
                    key={modifier.id}
                    type="button"
                    className={`pad-chip kind-${modifier.kind ?? "add"}${on ? " on" : ""}`}
                    aria-pressed={on}
                    disabled={!modifier.is_available}
                    onClick={() => setModifierIds(toggleModifier(group, modifierIds, modifier.id))}
                  >
                    {modifierLabel(modifier)}
                    {delta ? <span className="pad-chip-note"> {delta}</span> : null}
                  </button>
                );
              })}
            </div>
          </div>
        );
      })}

      <div className="pad-picker-group">
        {quickNotes.length > 0 ? (
          <div className="pad-chips" role="group" aria-label="Quick notes">
            {quickNotes.map((note) => (
              <button
                key={note}
                type="button"
                className={notes.split(/\s*;\s*/).includes(note) ? "pad-chip on" : "pad-chip"}
                aria-pressed={notes.split(/\s*;\s*/).includes(note)}
                onClick={() => toggleNote(note)}
              >
                {note}
              </button>
            ))}
          </div>
        ) : null}
        <label className="waiter-sr-only" htmlFor={`${id}-note`}>
          Note for the kitchen
        </label>
        <input
          id={`${id}-note`}
          className="pad-picker-note"
          type="text"
          maxLength={MAX_NOTES}
          value={notes}
          placeholder="Note for the kitchen"
          autoComplete="off"
          onChange={(event) => setNotes(event.target.value)}
          onKeyDown={(event) => {
            if (event.key === "Enter" && sizes.length === 1 && reason === null && sizes[0]) {
              event.preventDefault();
              add(sizes[0].id);
            }
          }}
        />
      </div>

      <div className="pad-picker-sizes" role="group" aria-label="Add in size">
        {sizes.map((variation) => (
          <button
            key={variation.id}
            type="button"
            className="button button-primary pad-size"
            disabled={reason !== null}
            aria-describedby={reason !== null ? `${id}-reason` : undefined}
            onClick={() => add(variation.id)}
          >
            <span className="pad-size-name">{sizes.length === 1 ? "Add" : variation.name}</span>
            <span className="pad-size-price">{formatMoney(variation.price, currency)}</span>
          </button>
        ))}
      </div>
      {reason !== null ? (
        <p id={`${id}-reason`} className="line-blocked">
          {reason}
        </p>
      ) : null}
    </section>
  );
}
