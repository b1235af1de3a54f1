/**
 * The line dialog: size, each modifier group with its rule enforced, quantity, notes,
 * seat and course for one menu item, and the line's price. "Add to order" (or "Save
 * line" when editing a draft) stays disabled, with the reason shown, until the line is
 * valid (`lineRules.blockingReason`).
 */
import { useId, useState } from "react";

import { formatMoney } from "../../lib/money";
import { Dialog } from "./Dialog";
import {
  MAX_COURSE,
  MAX_NOTES,
  MAX_QUANTITY,
  MAX_SEAT,
  blockingReason,
  chosenCount,
  linePrice,
  modifierLabel,
  ruleText,
  toggleModifier,
} from "./lineRules";
import type { LineChoice, MenuEntry, MenuModifierGroup } from "./types";

export interface LineDialogProps {
  item: MenuEntry;
  /** Where the dialog starts (a fresh choice, or the draft line being edited). */
  initial: LineChoice;
  /** ISO 4217 code of the order's currency (prices are minor units). */
  currency: string;
  mode: "add" | "edit";
  onSubmit: (choice: LineChoice) => void;
  onClose: () => void;
}

export function priceDelta(delta: number, currency: string): string {
  if (delta === 0) return "";
  return `${delta > 0 ? "+" : "−"}${formatMoney(Math.abs(delta), currency)}`;
}

function ModifierGroupField({
  group,
  selected,
  currency,
  onChange,
}: {
  group: MenuModifierGroup;
  selected: number[];
  currency: string;
  onChange: (ids: number[]) => void;
}) {
  const id = useId();
  const count = chosenCount(group, selected);
  const full = group.max_choices > 1 && count >= group.max_choices;
  const short = count < group.min_choices;
  return (
    <fieldset className="line-group" aria-describedby={`${id}-rule`}>
      <legend id={`${id}-legend`}>{group.name}</legend>
      <p id={`${id}-rule`} className={short ? "line-rule line-rule-short" : "line-rule"}>
        {ruleText(group)} · {count} chosen{group.min_choices > 0 && short ? ` (required)` : ""}
        {full ? " · maximum reached" : ""}
      </p>
      <div className="line-options">
        {group.modifiers.map((modifier) => {
          const checked = selected.includes(modifier.id);
          const disabled = !modifier.is_available || (!checked && full);
          const inputId = `${id}-m${modifier.id}`;
          return (
            <div key={modifier.id} className={checked ? "line-option checked" : "line-option"}>
              <input
                id={inputId}
                type="checkbox"
                checked={checked}
                disabled={disabled}
                aria-describedby={`${inputId}-price`}
                onChange={() => onChange(toggleModifier(group, selected, modifier.id))}
              />
              <label htmlFor={inputId}>{modifierLabel(modifier)}</label>
              <span id={`${inputId}-price`} className="line-option-note">
                {modifier.is_available ? priceDelta(modifier.price_delta, currency) : "not available"}
              </span>
            </div>
          );
        })}
      </div>
    </fieldset>
  );
}

export function LineDialog({ item, initial, currency, mode, onSubmit, onClose }: LineDialogProps) {
  const id = useId();
  const [choice, setChoice] = useState<LineChoice>(initial);
  const [seatText, setSeatText] = useState(initial.seat === null ? "" : String(initial.seat));
  const [quantityText, setQuantityText] = useState(String(initial.quantity));

  // what was typed, as numbers (NaN when it is not one: blockingReason then says why)
  const seat = seatText.trim() === "" ? null : Number(seatText);
  const quantity = quantityText.trim() === "" ? Number.NaN : Number(quantityText);
  const current: LineChoice = { ...choice, seat, quantity };
  const reason = blockingReason(item, current);
  const price = linePrice(item, { ...current, quantity: Number.isInteger(quantity) && quantity > 0 ? quantity : 1 });

  const setQuantity = (next: number) => {
    const clamped = Math.min(MAX_QUANTITY, Math.max(1, next));
    setQuantityText(String(clamped));
  };
  const submit = () => {
    if (reason === null) onSubmit(current);
  };

  return (
    <Dialog title={item.name} onClose={onClose} className="line-dialog">
      <form
        className="line-form"
        onSubmit={(event) => {
          event.preventDefault();
          submit();
        }}
      >
        {item.description ? <p className="line-description">{item.description}</p> : null}

        {item.variations.length > 1 ? (
          <fieldset className="line-group" role="radiogroup" aria-labelledby={`${id}-size`}>
            <legend id={`${id}-size`}>Size</legend>
            <p className="line-rule">choose 1 (required)</p>
            <div className="line-options">
              {item.variations.map((variation) => {
                const inputId = `${id}-v${variation.id}`;
                return (
                  <div key={variation.id} className={choice.variationId === variation.id ? "line-option checked" : "line-option"}>
                    <input
                      id={inputId}
                      type="radio"
                      name={`${id}-size`}
                      checked={choice.variationId === variation.id}
                      disabled={!variation.is_available}
                      aria-describedby={`${inputId}-price`}
                      onChange={() => setChoice({ ...choice, variationId: variation.id })}
                    />
                    <label htmlFor={inputId}>{variation.name}</label>
                    <span id={`${inputId}-price`} className="line-option-note">
                      {variation.is_available ? formatMoney(variation.price, currency) : "not available"}
                    </span>
                  </div>
                );
              })}
            </div>
          </fieldset>
        ) : (
          <p className="line-single-size">
            {item.variations[0] ? `${item.variations[0].name} · ${formatMoney(item.variations[0].price, currency)}` : "No size"}
          </p>
        )}

        {item.modifier_groups.map((group) => (
          <ModifierGroupField
            key={group.id}
            group={group}
            selected={choice.modifierIds}
            currency={currency}
            onChange={(modifierIds) => setChoice({ ...choice, modifierIds })}
          />
        ))}

        <div className="line-row">
          <div className="field line-quantity">
            <label htmlFor={`${id}-quantity`}>Quantity</label>
            <div className="stepper">
              <button
                type="button"
                aria-label="Minus one"
                disabled={!(quantity > 1)}
                onClick={() => setQuantity((Number.isInteger(quantity) ? quantity : 1) - 1)}
              >
                −
              </button>
              <input
                id={`${id}-quantity`}
                type="number"
                inputMode="numeric"
                min={1}
                max={MAX_QUANTITY}
                value={quantityText}
                onChange={(event) => setQuantityText(event.target.value)}
              />
              <button
                type="button"
                aria-label="Plus one"
                disabled={quantity >= MAX_QUANTITY}
                onClick={() => setQuantity((Number.isInteger(quantity) ? quantity : 0) + 1)}
              >
                +
              </button>
            </div>
          </div>
          <div className="field line-seat">
            <label htmlFor={`${id}-seat`}>Seat</label>
            <input
              id={`${id}-seat`}
              type="number"
              inputMode="numeric"
              min={1}
              max={MAX_SEAT}
              placeholder="Table"
              value={seatText}
              onChange={(event) => setSeatText(event.target.value)}
            />
          </div>
          <div className="field line-course">
            <label htmlFor={`${id}-course`}>Course</label>
            <select
              id={`${id}-course`}
              value={choice.course}
              onChange={(event) => setChoice({ ...choice, course: Number(event.target.value) })}
            >
              {Array.from({ length: MAX_COURSE }, (_, n) => n + 1).map((course) => (
                <option key={course} value={course}>
                  {course}
                </option>
              ))}
            </select>
          </div>
        </div>

        <div className="field">
          <label htmlFor={`${id}-notes`}>Notes</label>
          <textarea
            id={`${id}-notes`}
            rows={2}
            maxLength={MAX_NOTES}
            value={choice.notes}
            placeholder="For the kitchen, e.g. no onions"
            onChange={(event) => setChoice({ ...choice, notes: event.target.value })}
          />
        </div>

        <div className="line-footer">
          <p className="line-price" aria-live="polite">
            Line price <strong>{price === null ? "—" : formatMoney(price, currency)}</strong>
          </p>
          {reason !== null ? (
            <p id={`${id}-reason`} className="line-blocked">
              {reason}
            </p>
          ) : null}
          <button
            type="submit"
            className="button button-primary"
            disabled={reason !== null}
            aria-describedby={reason !== null ? `${id}-reason` : undefined}
          >
            {mode === "add" ? "Add to order" : "Save line"}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
