/**
 * Brigade answers errors as RFC 9457 problem+json:
 * `{type, title, status, detail?, instance?, errors?: [{loc, msg, type}]}`.
 * {@link ApiError} is that body as a typed error with a readable message and the
 * messages of each field, so a screen can show an error next to what caused it.
 */

/** One field error of a 422 validation problem. `loc` is e.g. `["body", "username"]`. */
export interface ProblemFieldError {
  loc: (string | number)[];
  msg: string;
  type?: string;
}

/** A problem+json body as the server sends it. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string | null;
  instance?: string | null;
  errors?: ProblemFieldError[] | null;
  [extension: string]: unknown;
}

const PROBLEM_BASE = "https://brigade.dev/problems/";
/** Where a field error's `loc` names the part of the request rather than the field. */
const LOC_ROOTS = new Set(["body", "query", "path", "header", "cookie", "payload", "auth"]);

/** Whether `value` looks like a problem+json body. */
export function isProblem(value: unknown): value is Problem {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.type === "string" && typeof v.title === "string" && typeof v.status === "number";
}

/** The field path of a `loc` without its request-part root: `["body","items",0,"quantity"]` → `"items.0.quantity"`. */
export function fieldPath(loc: readonly (string | number)[]): string {
  const parts = loc.length > 1 && LOC_ROOTS.has(String(loc[0])) ? loc.slice(1) : loc;
  return parts.map(String).join(".");
}

/** An error the API answered (or the network failure of a call to it). */
export class ApiError extends Error {
  /** HTTP status; 0 when the server could not be reached. */
  readonly status: number;
  /** The stable problem slug, e.g. `"stale-version"`, `"validation-error"`, `"network-error"`. */
  readonly type: string;
  readonly title: string;
  readonly detail: string | null;
  /** Field error messages by field path (see {@link fieldPath}), e.g. `{"username": ["Field required"]}`. */
  readonly fields: Readonly<Record<string, readonly string[]>>;
  /** The body as received (extension members included, e.g. `retry_after`). */
  readonly problem: Problem;

  constructor(problem: Problem) {
    const fields: Record<string, string[]> = {};
    for (const error of problem.errors ?? []) {
      const key = fieldPath(error.loc);
      (fields[key] ??= []).push(error.msg);
    }
    const fieldList = Object.entries(fields).map(([key, msgs]) => `${key}: ${msgs.join(", ")}`);
    const message =
      fieldList.length > 0 ? `${problem.title}: ${fieldList.join("; ")}` : (problem.detail ?? problem.title);
    super(message);
    this.name = "ApiError";
    this.status = problem.status;
    this.type = problem.type.startsWith(PROBLEM_BASE) ? problem.type.slice(PROBLEM_BASE.length) : problem.type;
    this.title = problem.title;
    this.detail = problem.detail ?? null;
    this.fields = fields;
    this.problem = problem;
  }

  /** Whether this error has the problem slug `type` (e.g. `err.is("stale-version")`). */
  is(type: string): boolean {
    return this.type === type;
  }

  /** The messages of one field (`"username"`, `"items.0.quantity"`), joined; undefined when none. */
  fieldMessage(field: string): string | undefined {
    const msgs = this.fields[field];
    return msgs && msgs.length > 0 ? msgs.join(" ") : undefined;
  }

  /** The error for a request that never got an answer (offline, server down). */
  static network(cause: unknown): ApiError {
    const error = new ApiError({
      type: PROBLEM_BASE + "network-error",
      title: "Cannot reach the server",
      status: 0,
      detail: "Cannot reach the server. Check the connection and try again.",
    });
    (error as { cause?: unknown }).cause = cause;
    return error;
  }
}

/**
 * Turn what a failed call left (`body` parsed from the response, maybe not JSON) into
 * an {@link ApiError}; a body that is not problem+json becomes a problem with the
 * response's status and status text.
 */
export function toApiError(body: unknown, response?: Response): ApiError {
  if (body instanceof ApiError) return body;
  if (isProblem(body)) return new ApiError(body);
  const status = response?.status ?? 0;
  const text = typeof body === "string" && body.trim() !== "" ? body.trim().slice(0, 200) : null;
  return new ApiError({
    type: PROBLEM_BASE + `http-${status}`,
    title: response?.statusText || (status ? `Request failed (${status})` : "Request failed"),
    status,
    detail: text,
  });
}

/** A readable message for any thrown value (ApiError, Error, anything). */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (isProblem(error)) return new ApiError(error).message;
  return String(error);
}
