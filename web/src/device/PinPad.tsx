/**
 * A PIN pad: the PIN field (digits only, masked) and the keys 0-9, ⌫ and OK, big
 * enough for a finger on a tablet. Typing into the field works as well as tapping.
 */
import { useId } from "react";

import { isValidPin, pressPinKey } from "./device";
import "./device.css";

export interface PinPadProps {
  value: string;
  onChange: (pin: string) => void;
  onSubmit: () => void;
  label: string;
  busy?: boolean;
  /** Id of the element describing the field (an error message). */
  describedBy?: string;
}

const KEYS = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "back", "0", "ok"] as const;

export function PinPad({ value, onChange, onSubmit, label, busy = false, describedBy }: PinPadProps) {
  const id = useId();
  return (
    <div className="pin-pad">
      <label htmlFor={`${id}-pin`}>{label}</label>
      <input
        id={`${id}-pin`}
        className="pin-field"
        type="password"
        inputMode="numeric"
        autoComplete="off"
        pattern="[0-9]*"
        maxLength={6}
        value={value}
        data-autofocus
        aria-describedby={describedBy}
        onChange={(event) => onChange(event.target.value.replace(/[^0-9]/g, "").slice(0, 6))}
        onKeyDown={(event) => {
          if (event.key === "Enter") {
            event.preventDefault();
            if (isValidPin(value) && !busy) onSubmit();
          }
        }}
      />
      <div className="pin-keys" role="group" aria-label="PIN keys">
        {KEYS.map((key) =>
          key === "ok" ? (
            <button
              key={key}
              type="button"
              className="button button-primary pin-key"
              disabled={!isValidPin(value) || busy}
              onClick={onSubmit}
            >
              OK
            </button>
          ) : (
            <button
              key={key}
              type="button"
              className="button pin-key"
              aria-label={key === "back" ? "Delete last digit" : key}
              disabled={busy}
              onClick={() => onChange(pressPinKey(value, key))}
            >
              {key === "back" ? "⌫" : key}
            </button>
          ),
        )}
      </div>
    </div>
  );
}
