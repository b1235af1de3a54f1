/**
 * The required "Reason" of a void or a cancellation: a labelled text area, the local
 * "give a reason" message when it was left blank, and the server's refusal under it.
 */
import { useId } from "react";

import { ApiError } from "../../api/errors";
import { ErrorMessage } from "../../components/ErrorMessage";
import { MAX_NOTES } from "./lineRules";

export interface ReasonFieldProps {
  value: string;
  onChange: (value: string) => void;
  /** Shown (as an alert) when the waiter tried to submit without a reason. */
  missingMessage: string | null;
  /** What the server or the network answered (an ApiError, an Error, null), shown under the field. */
  error: unknown;
  placeholder: string;
}

export function ReasonField({ value, onChange, missingMessage, error, placeholder }: ReasonFieldProps) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={`${id}-reason`}>Reason</label>
      <textarea
        id={`${id}-reason`}
        rows={3}
        maxLength={MAX_NOTES}
        value={value}
        aria-required="true"
        aria-invalid={
          missingMessage !== null || (error instanceof ApiError && error.fieldMessage("reason") !== undefined)
            ? true
            : undefined
        }
        aria-describedby={`${id}-error`}
        placeholder={placeholder}
        onChange={(event) => onChange(event.target.value)}
      />
      <div id={`${id}-error`}>
        {missingMessage !== null ? (
          <p role="alert" className="error-message">
            {missingMessage}
          </p>
        ) : null}
        <ErrorMessage error={error} />
      </div>
    </div>
  );
}
