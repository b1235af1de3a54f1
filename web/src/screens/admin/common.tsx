/**
 * Small pieces the admin screens share: a labelled field with its error, the general
 * error of a form, a query's loading / not-allowed / failed states, a confirmation
 * dialog, and the restaurant's settings (its currency).
 */
import { useQuery, type UseQueryResult } from "@tanstack/react-query";
import { useEffect, useId, useRef, type ReactNode } from "react";

import { ApiError } from "../../api/errors";
import { restaurantQuery } from "../../api/queries";
import type { RestaurantRead } from "../../api/types";
import { useRestaurantScope } from "../../auth/restaurant";
import { ErrorMessage } from "../../components/ErrorMessage";
import { useServices } from "../../services";

/** The accessibility attributes a control inside a {@link Field} takes. */
export interface FieldControlProps {
  id: string;
  "aria-invalid": true | undefined;
  "aria-describedby": string | undefined;
}

export interface FieldProps {
  label: ReactNode;
  /** The message to show under the control (a local check or the server's), if any. */
  error?: string | undefined;
  /** A short help text under the label. */
  hint?: ReactNode;
  className?: string;
  /** Renders the control with the given id and aria attributes. */
  children: (control: FieldControlProps) => ReactNode;
}

/** A label, its control and the control's error message (`role="alert"`, wired by `aria-describedby`). */
export function Field({ label, error, hint, className, children }: FieldProps) {
  const id = useId();
  const errorId = `${id}-error`;
  const hintId = `${id}-hint`;
  const describedBy = [hint ? hintId : null, error ? errorId : null].filter(Boolean).join(" ") || undefined;
  return (
    <div className={["field", className].filter(Boolean).join(" ")}>
      <label htmlFor={id}>{label}</label>
      {hint ? (
        <span id={hintId} className="field-hint">
          {hint}
        </span>
      ) : null}
      {children({ id, "aria-invalid": error ? true : undefined, "aria-describedby": describedBy })}
      {error ? (
        <p role="alert" id={errorId} className="error-message">
          {error}
        </p>
      ) : null}
    </div>
  );
}

/** The server's message for `field` (a validation error's `loc`), if `error` has one. */
export function serverFieldError(error: unknown, field: string): string | undefined {
  return error instanceof ApiError ? error.fieldMessage(field) : undefined;
}

/** Whether `error` is the problem `slug` (e.g. `"sku-taken"`). */
export function isProblem(error: unknown, slug: string): error is ApiError {
  return error instanceof ApiError && error.is(slug);
}

/** The human text of a problem: its `detail`, else its title. */
export function problemText(error: ApiError): string {
  return error.detail ?? error.title;
}

/**
 * The error of a whole form, for what its fields do not already show: nothing when every
 * field message of a validation problem is shown next to its field (`fields`), nothing for
 * the problems in `handled` (shown elsewhere), else the readable message. A 403 says the
 * role is not allowed.
 */
export function FormError({
  error,
  fields = [],
  handled = [],
}: {
  error: unknown;
  fields?: readonly string[];
  handled?: readonly string[];
}) {
  if (error === null || error === undefined) return null;
  if (error instanceof ApiError) {
    const keys = Object.keys(error.fields);
    if (keys.length > 0 && keys.every((key) => fields.includes(key))) return null;
    if (handled.some((slug) => error.is(slug))) return null;
    if (error.status === 403) {
      return (
        <p role="alert" className="error-message form-error">
          Not allowed: {problemText(error)}
        </p>
      );
    }
  }
  return <ErrorMessage error={error} className="form-error" />;
}

/**
 * What a screen shows while its data is not there: a loading line, "Not allowed" for a
 * 403 (the role cannot read it), or the error with "Try again". Renders `children()` once
 * every query has data.
 */
export function QueryGate({
  queries,
  what,
  children,
}: {
  queries: readonly UseQueryResult<unknown>[];
  /** What is being loaded, for messages ("the menu"). */
  what: string;
  children: () => ReactNode;
}) {
  const failed = queries.find((q) => q.isError);
  if (failed) {
    const error = failed.error;
    if (error instanceof ApiError && error.status === 403) {
      return (
        <section className="admin-state" aria-labelledby="admin-forbidden">
          <h2 id="admin-forbidden">Not allowed</h2>
          <p>Your role in this restaurant cannot open {what}. Ask an owner if you need it.</p>
        </section>
      );
    }
    return (
      <section className="admin-state" aria-label={`Could not load ${what}`}>
        <ErrorMessage error={error} />
        <button type="button" className="button" onClick={() => queries.forEach((q) => void q.refetch())}>
          Try again
        </button>
      </section>
    );
  }
  if (queries.some((q) => q.data === undefined)) {
    return (
      <p className="admin-state" role="status">
        Loading {what}…
      </p>
    );
  }
  return <>{children()}</>;
}

/** The restaurant of the current admin page (`GET /restaurants/{id}`): currency, time zone, tax. */
export function useRestaurant(): UseQueryResult<RestaurantRead> {
  const { api } = useServices();
  const { restaurantId } = useRestaurantScope();
  return useQuery(restaurantQuery(api, restaurantId));
}

export interface ConfirmDialogProps {
  title: string;
  children?: ReactNode;
  /** The confirming button's text ("Delete", "Revoke"). */
  confirmLabel: string;
  onConfirm: () => void;
  onCancel: () => void;
  /** While the action runs: buttons disabled. */
  busy?: boolean;
  /** The action's error, shown in the dialog next to its button. */
  error?: unknown;
}

/**
 * A modal confirmation (`<dialog>`, opened with `showModal()` where the browser has it).
 * Focus moves to "Cancel" when it opens and back to what had it when it closes; Escape
 * cancels.
 */
export function ConfirmDialog({ title, children, confirmLabel, onConfirm, onCancel, busy, error }: ConfirmDialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const cancelRef = useRef<HTMLButtonElement>(null);
  const titleId = useId();
  const bodyId = useId();
  useEffect(() => {
    const dialog = ref.current;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (dialog !== null && !dialog.open) {
      if (typeof dialog.showModal === "function") dialog.showModal();
      else dialog.setAttribute("open", "");
    }
    cancelRef.current?.focus();
    return () => {
      if (dialog?.open && typeof dialog.close === "function") dialog.close();
      if (opener?.isConnected) opener.focus();
    };
  }, []);
  return (
    <dialog
      ref={ref}
      className="admin-dialog card"
      aria-labelledby={titleId}
      aria-describedby={children ? bodyId : undefined}
      onCancel={(event) => {
        event.preventDefault();
        if (!busy) onCancel();
      }}
    >
      <h2 id={titleId}>{title}</h2>
      {children ? (
        <div id={bodyId} className="admin-dialog-body">
          {children}
        </div>
      ) : null}
      <FormError error={error} />
      <div className="admin-dialog-actions">
        <button ref={cancelRef} type="button" className="button" onClick={onCancel} disabled={busy}>
          Cancel
        </button>
        <button type="button" className="button button-danger" onClick={onConfirm} disabled={busy}>
          {confirmLabel}
        </button>
      </div>
    </dialog>
  );
}

/**
 * A date and time for admin lists ("Jan 3, 2026, 5:00 AM"), in the restaurant's IANA
 * `timeZone` when given (the browser's otherwise); "—" for null.
 */
export function formatDateTime(iso: string | null, timeZone?: string): string {
  if (iso === null) return "—";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  try {
    return new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short", ...(timeZone ? { timeZone } : {}) }).format(date);
  } catch {
    return new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" }).format(date);
  }
}
