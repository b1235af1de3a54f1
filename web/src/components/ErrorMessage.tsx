/**
 * Shows an error next to what caused it. With `field`, only that field's messages of a
 * validation problem (nothing when the field has none); without, the error's readable
 * message (problem `detail`, or the field messages of a validation problem).
 */
import { ApiError, errorMessage } from "../api/errors";

export interface ErrorMessageProps {
  /** Anything thrown: an ApiError, an Error, null/undefined (renders nothing). */
  error: unknown;
  /** A field path (`"username"`, `"items.0.quantity"`): show only its messages. */
  field?: string;
  /** Element id, for `aria-describedby` on the input it belongs to. */
  id?: string;
  className?: string;
}

export function ErrorMessage({ error, field, id, className }: ErrorMessageProps) {
  if (error === null || error === undefined) return null;
  let text: string | undefined;
  if (field !== undefined) {
    text = error instanceof ApiError ? error.fieldMessage(field) : undefined;
  } else {
    text = errorMessage(error);
  }
  if (!text) return null;
  return (
    <p role="alert" id={id} className={["error-message", className].filter(Boolean).join(" ")}>
      {text}
    </p>
  );
}
