/**
 * The order pad's outbox: the lines drafted on this device and every write to the order
 * not yet confirmed by the server, persisted in `localStorage` per order, so that a send
 * on a flaky connection is neither lost nor done twice.
 *
 * How a write is made reliable (the server honours `Idempotency-Key` only on order
 * creation and payments, so the order's `version` does the rest):
 *
 * - Each write (`add` lines, `send`, `fire` a course, `void` a line, `serve`) is an op
 *   with an `Idempotency-Key` generated once, when the waiter taps, and sent with every
 *   attempt (harmless where the server ignores it; a replay where it honours it).
 * - Before its first attempt an op records the order `version` it writes against
 *   (`sentVersion`, persisted before the request leaves). A failed attempt (no answer,
 *   timeout, 5xx, 408, 429, 401) is retried with backoff with the SAME key and the SAME
 *   body, version included, also after a page reload.
 * - If a first attempt did land and only its answer was lost, the retry's version is
 *   stale: the server answers 409 `stale-version`. The outbox then reads the order again
 *   and checks whether the op's effect is there (the drafted lines among the lines that
 *   were not there before, the course fired, the line voided, …): if so it is confirmed,
 *   never repeated; if not (another device wrote in between), it is retried against the
 *   fresh version.
 * - Any other 4xx is not retried: a failed `add` puts its lines back in the draft with
 *   the problem (field errors by line), and drops the `send` tapped with it; other ops
 *   stay listed as failed with their problem until dismissed.
 *
 * Ops run one at a time, in the order they were tapped. {@link getOutbox} returns the
 * one outbox of an order for the whole tab, so it keeps working when the waiter leaves
 * the order pad.
 */
import type { QueryClient } from "@tanstack/react-query";

import type { ApiClient } from "../../api/client";
import { unwrap } from "../../api/client";
import { ApiError, type Problem } from "../../api/errors";
import { orderQuery, queryKeys } from "../../api/queries";
import { newIdempotencyKey } from "../../lib/idempotency";
import { draftsLanded, readyLines, sendableLines } from "./orderLogic";
import type { DraftLine, OrderLineCreate, OrderRead } from "./types";

/** `queued`: waiting its turn; `sending`: a request is out; `retrying`: the last attempt got no answer; `failed`: refused (4xx), not retried. */
export type OpStatus = "queued" | "sending" | "retrying" | "failed";

interface OpCommon {
  id: string;
  /** The `Idempotency-Key` of this write, made once and sent with every attempt. */
  key: string;
  /** Ops made by one tap share it ("Send" = add the draft + send); a failed add drops its batch. */
  batch: string;
  status: OpStatus;
  /** Attempts that got no usable answer so far. */
  attempts: number;
  /** The order version the request carries; kept for retries of the same request. */
  sentVersion: number | null;
  /** When the next attempt may start (epoch ms), while `retrying`. */
  nextAttemptAt: number | null;
  /** The last problem (why it is retrying, or why it failed). */
  problem: Problem | null;
  /** How many times a stale version was refreshed (bounded). */
  reconciles: number;
  /**
   * Whether an attempt with the current `sentVersion` may have been done by the server
   * without its answer reaching us (no answer, timeout, 5xx, page reload mid-request).
   * Only then can a 409 `stale-version` mean "already done".
   */
  maybeLanded: boolean;
}

export type OutboxOp = OpCommon &
  (
    | { kind: "add"; lines: DraftLine[]; baseItemIds: number[] | null }
    | { kind: "send" }
    | { kind: "fire"; course: number; confirm?: boolean }
    | { kind: "void"; itemId: number; reason: string }
    | { kind: "serve"; itemIds: number[] }
  );

export type OpKind = OutboxOp["kind"];

export interface OutboxState {
  /** Lines drafted here, not yet handed to an op ("To send"). */
  drafts: DraftLine[];
  /** Why the last "add lines" was refused, shown next to the draft. */
  draftProblem: Problem | null;
  /** That refusal's field messages per draft line (`localId` → message). */
  draftLineErrors: Record<string, string>;
  /** Writes not yet confirmed, in the order they were tapped (failed ones included). */
  ops: OutboxOp[];
}

export interface OutboxOptions {
  api: ApiClient;
  queryClient: QueryClient;
  restaurantId: number;
  orderId: number;
  /** Where the outbox persists; default `window.localStorage`. */
  storage?: Storage;
  /** A request with no answer after this long counts as failed (retried with the same key). Default 20 000 ms. */
  timeoutMs?: number;
  /** Delay before retry `attempt` (1, 2, …); default 1 s doubling to 30 s, ±20 % jitter. */
  backoffMs?: (attempt: number) => number;
  /** Stale versions refreshed per op before it is given up as failed. Default 5. */
  maxReconciles?: number;
}

const EMPTY: OutboxState = { drafts: [], draftProblem: null, draftLineErrors: {}, ops: [] };
const PROBLEM_BASE = "https://brigade.dev/problems/";

/** The `localStorage` key of an order's outbox. */
export function storageKey(restaurantId: number, orderId: number): string {
  return `brigade.orderpad.v1.${restaurantId}.${orderId}`;
}

function defaultBackoff(attempt: number): number {
  const base = Math.min(30_000, 1000 * 2 ** Math.max(0, attempt - 1));
  return Math.round(base * (0.8 + Math.random() * 0.4));
}

/** Whether a failed attempt may heal by itself: no answer, a timeout, 5xx, 408, 429, 401 (session renewing), or the same key still in progress. */
export function isTransient(error: ApiError): boolean {
  return (
    error.status === 0 ||
    error.status >= 500 ||
    error.status === 408 ||
    error.status === 429 ||
    error.status === 401 ||
    error.is("idempotent-request-in-progress")
  );
}

function timeoutError(ms: number): ApiError {
  return new ApiError({
    type: PROBLEM_BASE + "timeout",
    title: "The server did not answer in time",
    status: 0,
    detail: `No answer within ${Math.round(ms / 1000)} s; it will be retried.`,
  });
}

function asApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  return new ApiError({
    type: PROBLEM_BASE + "client-error",
    title: "Something went wrong",
    status: 0,
    detail: error instanceof Error ? error.message : String(error),
  });
}

function isOutboxState(value: unknown): value is OutboxState {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return Array.isArray(v.drafts) && Array.isArray(v.ops);
}

/** The API body of a draft line. */
export function toLineCreate(line: DraftLine): OrderLineCreate {
  return {
    menu_item_id: line.menuItemId,
    variation_id: line.variationId,
    modifier_ids: line.modifierIds,
    quantity: line.quantity,
    notes: line.notes,
    seat: line.seat,
    course: line.course,
  };
}

/** One order's outbox (see the module documentation). Use {@link getOutbox}. */
export class OrderOutbox {
  readonly restaurantId: number;
  readonly orderId: number;
  private readonly api: ApiClient;
  private readonly queryClient: QueryClient;
  private readonly storage: Storage | null;
  private readonly timeoutMs: number;
  private readonly backoffMs: (attempt: number) => number;
  private readonly maxReconciles: number;
  private state: OutboxState;
  private readonly listeners = new Set<() => void>();
  private running = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private disposed = false;
  private readonly onOnline = () => this.retryNow();
  private readonly unsubscribeCache: () => void;

  constructor(options: OutboxOptions) {
    this.api = options.api;
    this.queryClient = options.queryClient;
    this.restaurantId = options.restaurantId;
    this.orderId = options.orderId;
    this.storage = options.storage ?? (typeof window !== "undefined" ? window.localStorage : null);
    this.timeoutMs = options.timeoutMs ?? 20_000;
    this.backoffMs = options.backoffMs ?? defaultBackoff;
    this.maxReconciles = options.maxReconciles ?? 5;
    this.state = this.load();
    if (typeof window !== "undefined") window.addEventListener("online", this.onOnline);
    // The order as the realtime channel (or another query) delivers it may show that a
    // write waiting for its retry was done after all: confirm it without waiting.
    const key = JSON.stringify(this.orderKey());
    this.unsubscribeCache = this.queryClient.getQueryCache().subscribe((event) => {
      if (event.type !== "updated" || JSON.stringify(event.query.queryKey) !== key) return;
      const order = event.query.state.data as OrderRead | undefined;
      if (order !== undefined) this.confirmFrom(order);
    });
  }

  /** Complete the ops waiting for a retry whose effect `order` already shows. */
  private confirmFrom(order: OrderRead): void {
    const done = this.state.ops.filter(
      (op) => op.status === "retrying" && op.sentVersion !== null && this.isDone(op, order),
    );
    if (done.length === 0) return;
    const ids = new Set(done.map((op) => op.id));
    this.setState({ ...this.state, ops: this.state.ops.filter((op) => !ids.has(op.id)) });
    this.kick();
  }

  // --- state ------------------------------------------------------------------------

  /** The current state (a new object after every change). */
  getState(): OutboxState {
    return this.state;
  }

  /** Call `listener` after every change; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Whether anything is drafted or not yet confirmed (failed ops excluded). */
  hasPendingWork(): boolean {
    return this.state.drafts.length > 0 || this.state.ops.some((op) => op.status !== "failed");
  }

  private load(): OutboxState {
    if (this.storage === null) return EMPTY;
    const raw = this.storage.getItem(storageKey(this.restaurantId, this.orderId));
    if (raw === null) return EMPTY;
    try {
      const parsed: unknown = JSON.parse(raw);
      if (!isOutboxState(parsed)) return EMPTY;
      // A request that was out when the page went away has an unknown outcome: retry it as is.
      const ops = parsed.ops.map((op) =>
        op.status === "sending" ? { ...op, status: "retrying" as const, maybeLanded: true } : op,
      );
      return { ...EMPTY, ...parsed, ops };
    } catch {
      return EMPTY;
    }
  }

  private setState(next: OutboxState): void {
    this.state = next;
    if (this.storage !== null) {
      const key = storageKey(this.restaurantId, this.orderId);
      if (next.drafts.length === 0 && next.ops.length === 0 && next.draftProblem === null) {
        this.storage.removeItem(key);
      } else {
        this.storage.setItem(key, JSON.stringify(next));
      }
    }
    for (const listener of [...this.listeners]) listener();
  }

  private updateOp(id: string, patch: (op: OutboxOp) => OutboxOp): void {
    this.setState({ ...this.state, ops: this.state.ops.map((op) => (op.id === id ? patch(op) : op)) });
  }

  private findOp(id: string): OutboxOp | undefined {
    return this.state.ops.find((op) => op.id === id);
  }

  // --- what the screen does -------------------------------------------------------

  /** Add a drafted line to "To send". */
  addDraft(line: DraftLine): void {
    this.setState({ ...this.state, drafts: [...this.state.drafts, line] });
  }

  /** Replace the draft line with the same `localId`. */
  updateDraft(line: DraftLine): void {
    const { [line.localId]: _dropped, ...errors } = this.state.draftLineErrors;
    this.setState({
      ...this.state,
      drafts: this.state.drafts.map((d) => (d.localId === line.localId ? line : d)),
      draftLineErrors: errors,
    });
  }

  /** Remove a draft line. */
  removeDraft(localId: string): void {
    const { [localId]: _dropped, ...errors } = this.state.draftLineErrors;
    const drafts = this.state.drafts.filter((d) => d.localId !== localId);
    this.setState({
      ...this.state,
      drafts,
      draftLineErrors: errors,
      draftProblem: drafts.length === 0 ? null : this.state.draftProblem,
    });
  }

  /**
   * "Send": hand the draft lines to an `add` op, then a `send` op (which fires the
   * pending lines of the running course; it does nothing when only later courses are
   * pending). Returns the batch id.
   */
  send(): string {
    const batch = newIdempotencyKey();
    const ops: OutboxOp[] = [];
    if (this.state.drafts.length > 0) {
      ops.push({ ...this.newOp(batch), kind: "add", lines: this.state.drafts, baseItemIds: null });
    }
    ops.push({ ...this.newOp(batch), kind: "send" });
    this.setState({ ...this.state, drafts: [], draftProblem: null, draftLineErrors: {}, ops: [...this.state.ops, ...ops] });
    this.kick();
    return batch;
  }

  /**
   * "Fire course N". `confirm`: the waiter saw that an earlier course is not ready and
   * fires anyway (without it the server refuses with 409 `earlier-course-not-ready`).
   * Returns the op id.
   */
  fire(course: number, confirm = false): string {
    return this.enqueue({ kind: "fire", course, ...(confirm ? { confirm } : {}) });
  }

  /** Void line `itemId` with `reason`. Returns the op id. */
  voidItem(itemId: number, reason: string): string {
    return this.enqueue({ kind: "void", itemId, reason });
  }

  /** Mark lines `itemIds` (ready ones) served. Returns the op id. */
  serve(itemIds: number[]): string {
    return this.enqueue({ kind: "serve", itemIds });
  }

  /** Forget a failed op (its problem was read). */
  dismiss(opId: string): void {
    this.setState({ ...this.state, ops: this.state.ops.filter((op) => op.id !== opId || op.status !== "failed") });
  }

  /** Clear the draft's problem message. */
  dismissDraftProblem(): void {
    this.setState({ ...this.state, draftProblem: null, draftLineErrors: {} });
  }

  /** Forget the draft and every op (the order was cancelled or closed). */
  discardAll(): void {
    this.setState(EMPTY);
  }

  /** Retry the waiting ops now instead of after their backoff (the connection is back). */
  retryNow(): void {
    if (this.state.ops.some((op) => op.status === "retrying")) {
      this.setState({
        ...this.state,
        ops: this.state.ops.map((op) => (op.status === "retrying" ? { ...op, nextAttemptAt: null } : op)),
      });
    }
    this.kick();
  }

  /** Start working through the queue (idempotent; called on creation and after every enqueue). */
  kick(): void {
    if (this.disposed) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    void this.pump();
  }

  /** Stop timers and listeners (tests, sign-out). The persisted state stays. */
  dispose(): void {
    this.disposed = true;
    clearTimeout(this.timer);
    this.unsubscribeCache();
    if (typeof window !== "undefined") window.removeEventListener("online", this.onOnline);
  }

  private newOp(batch: string): OpCommon {
    return {
      id: newIdempotencyKey(),
      key: newIdempotencyKey(),
      batch,
      status: "queued",
      attempts: 0,
      sentVersion: null,
      nextAttemptAt: null,
      problem: null,
      reconciles: 0,
      maybeLanded: false,
    };
  }

  private enqueue(
    body:
      | { kind: "fire"; course: number; confirm?: boolean }
      | { kind: "void"; itemId: number; reason: string }
      | { kind: "serve"; itemIds: number[] },
  ): string {
    const common = this.newOp(newIdempotencyKey());
    const op = { ...common, ...body } as OutboxOp;
    this.setState({ ...this.state, ops: [...this.state.ops, op] });
    this.kick();
    return op.id;
  }

  // --- the runner -----------------------------------------------------------------

  private async pump(): Promise<void> {
    if (this.running || this.disposed) return;
    this.running = true;
    try {
      for (;;) {
        if (this.disposed) return;
        const op = this.state.ops.find((o) => o.status !== "failed");
        if (op === undefined) return;
        const wait = op.status === "retrying" && op.nextAttemptAt !== null ? op.nextAttemptAt - Date.now() : 0;
        if (wait > 0) {
          clearTimeout(this.timer);
          this.timer = setTimeout(() => this.kick(), wait);
          return;
        }
        await this.attempt(op.id);
      }
    } finally {
      this.running = false;
    }
  }

  private orderKey() {
    return queryKeys.order(this.restaurantId, this.orderId);
  }

  private async freshOrder(): Promise<OrderRead> {
    return this.queryClient.fetchQuery({ ...orderQuery(this.api, this.restaurantId, this.orderId), staleTime: 0 });
  }

  private async knownOrder(): Promise<OrderRead> {
    return this.queryClient.getQueryData<OrderRead>(this.orderKey()) ?? (await this.freshOrder());
  }

  private remember(order: OrderRead): void {
    this.queryClient.setQueryData<OrderRead>(this.orderKey(), (current) =>
      current === undefined || current.version <= order.version ? order : current,
    );
    void this.queryClient.invalidateQueries({ queryKey: queryKeys.floor(this.restaurantId), exact: true });
  }

  /** Whether `op`'s effect is already on `order` (so it must not be made again). */
  private isDone(op: OutboxOp, order: OrderRead): boolean {
    switch (op.kind) {
      case "add":
        // lines are only ours if one of our attempts may have landed (else they are another device's)
        return op.maybeLanded && op.baseItemIds !== null && draftsLanded(order, op.baseItemIds, op.lines);
      case "send":
        return sendableLines(order).length === 0;
      case "fire":
        return !order.items.some((i) => i.status === "pending" && i.course === op.course);
      case "void":
        return order.items.some((i) => i.id === op.itemId && i.status === "voided");
      case "serve": {
        const ready = new Set(readyLines(order).map((i) => i.id));
        return !op.itemIds.some((id) => ready.has(id));
      }
    }
  }

  /** Bind a fresh op to `order`: its version, and what it needs to recognise its own effect later. */
  private bind(op: OutboxOp, order: OrderRead): OutboxOp {
    const bound = { ...op, sentVersion: order.version };
    if (bound.kind === "add") return { ...bound, baseItemIds: order.items.map((i) => i.id) };
    if (bound.kind === "serve") {
      const ready = new Set(readyLines(order).map((i) => i.id));
      return { ...bound, itemIds: bound.itemIds.filter((id) => ready.has(id)) };
    }
    return bound;
  }

  private request(op: OutboxOp, version: number): Promise<OrderRead> {
    const path = { restaurant_id: this.restaurantId, order_id: this.orderId };
    const headers = { "Idempotency-Key": op.key };
    switch (op.kind) {
      case "add":
        return unwrap(
          this.api.POST("/api/v1/restaurants/{restaurant_id}/orders/{order_id}/items", {
            params: { path },
            body: { items: op.lines.map(toLineCreate), version },
            headers,
          }),
        );
      case "send":
        return unwrap(
          this.api.POST("/api/v1/restaurants/{restaurant_id}/orders/{order_id}/send", {
            params: { path },
            body: { version },
            headers,
          }),
        );
      case "fire":
        return unwrap(
          this.api.POST("/api/v1/restaurants/{restaurant_id}/orders/{order_id}/courses/{course}/fire", {
            params: { path: { ...path, course: op.course } },
            body: { version, ...(op.confirm === true ? { confirm: true } : {}) },
            headers,
          }),
        );
      case "void":
        return unwrap(
          this.api.POST("/api/v1/restaurants/{restaurant_id}/orders/{order_id}/items/{item_id}/void", {
            params: { path: { ...path, item_id: op.itemId } },
            body: { reason: op.reason, version },
            headers,
          }),
        );
      case "serve":
        return unwrap(
          this.api.POST("/api/v1/restaurants/{restaurant_id}/orders/{order_id}/serve", {
            params: { path },
            body: { order_item_ids: op.itemIds, version },
            headers,
          }),
        );
    }
  }

  private withTimeout<T>(promise: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(timeoutError(this.timeoutMs)), this.timeoutMs);
      promise.then(
        (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(error instanceof Error ? error : new Error(String(error)));
        },
      );
    });
  }

  private complete(opId: string): void {
    this.setState({ ...this.state, ops: this.state.ops.filter((op) => op.id !== opId) });
  }

  /** Schedule the next attempt; `unknownOutcome`: the failed attempt may have been done by the server. */
  private retryLater(opId: string, error: ApiError, unknownOutcome: boolean): void {
    this.updateOp(opId, (op) => {
      const attempts = op.attempts + 1;
      return {
        ...op,
        status: "retrying",
        attempts,
        nextAttemptAt: Date.now() + this.backoffMs(attempts),
        problem: error.problem,
        maybeLanded: op.maybeLanded || unknownOutcome,
      };
    });
  }

  private fail(opId: string, error: ApiError): void {
    const op = this.findOp(opId);
    if (op === undefined) return;
    if (op.kind === "add") {
      // The lines go back to the draft with the problem; the send tapped with them goes too.
      const lineErrors: Record<string, string> = {};
      for (const [field, messages] of Object.entries(error.fields)) {
        const match = /^items\.(\d+)(?:\.|$)/.exec(field);
        const line = match ? op.lines[Number(match[1])] : undefined;
        if (line) lineErrors[line.localId] = [lineErrors[line.localId], ...messages].filter(Boolean).join(" ");
      }
      this.setState({
        ...this.state,
        drafts: [...op.lines, ...this.state.drafts],
        draftProblem: error.problem,
        draftLineErrors: { ...this.state.draftLineErrors, ...lineErrors },
        ops: this.state.ops.filter((o) => o.batch !== op.batch),
      });
      return;
    }
    this.updateOp(opId, (o) => ({ ...o, status: "failed", nextAttemptAt: null, problem: error.problem }));
  }

  /** One attempt of op `opId`, and what follows from its answer. */
  private async attempt(opId: string): Promise<void> {
    let op = this.findOp(opId);
    if (op === undefined) return;
    try {
      if (op.sentVersion === null) {
        const order = await this.knownOrder();
        op = this.findOp(opId);
        if (op === undefined) return;
        if (op.kind !== "add" && this.isDone(op, order)) {
          this.complete(opId); // nothing left to do (e.g. only later courses were drafted)
          return;
        }
        const bound = this.bind(op, order);
        this.updateOp(opId, () => bound);
        op = bound;
      }
      const version = op.sentVersion ?? 0;
      this.updateOp(opId, (o) => ({ ...o, status: "sending" }));
      const result = await this.withTimeout(this.request(op, version));
      this.remember(result);
      this.complete(opId);
    } catch (caught) {
      const error = asApiError(caught);
      if (this.findOp(opId) === undefined) return;
      if (isTransient(error)) {
        // an error before the request went out (reading the order) leaves nothing unknown
        this.retryLater(opId, error, this.findOp(opId)?.status === "sending");
      } else if (error.status === 409) {
        await this.reconcile(opId, error);
      } else {
        this.fail(opId, error);
      }
    }
  }

  /** After a 409: confirm the op if its effect is on the order, else retry against a fresh version (stale) or fail. */
  private async reconcile(opId: string, error: ApiError): Promise<void> {
    let order: OrderRead;
    try {
      order = await this.freshOrder();
    } catch (caught) {
      const fetchError = asApiError(caught);
      if (isTransient(fetchError)) this.retryLater(opId, fetchError, false);
      else this.fail(opId, fetchError);
      return;
    }
    const op = this.findOp(opId);
    if (op === undefined) return;
    if (this.isDone(op, order)) {
      this.complete(opId);
      return;
    }
    if (error.is("stale-version") && order.status === "open" && op.reconciles < this.maxReconciles) {
      // Another device wrote in between and ours did not land: the same write, against the fresh version.
      const rebound = this.bind(op, order);
      this.updateOp(opId, () => ({ ...rebound, status: "queued", reconciles: op.reconciles + 1, maybeLanded: false }));
      return;
    }
    this.fail(opId, error);
  }
}

const registries = new WeakMap<QueryClient, Map<string, OrderOutbox>>();

/** What {@link getOutbox} needs from the app's services. */
export interface OutboxDeps {
  api: ApiClient;
  queryClient: QueryClient;
}

/**
 * The one outbox of order `orderId` in this tab (made, loaded from storage and started
 * on first use). `options` apply only when it is made.
 */
export function getOutbox(
  deps: OutboxDeps,
  restaurantId: number,
  orderId: number,
  options: Partial<Omit<OutboxOptions, "api" | "queryClient" | "restaurantId" | "orderId">> = {},
): OrderOutbox {
  let registry = registries.get(deps.queryClient);
  if (registry === undefined) {
    registry = new Map();
    registries.set(deps.queryClient, registry);
  }
  const id = `${restaurantId}.${orderId}`;
  let outbox = registry.get(id);
  if (outbox === undefined) {
    outbox = new OrderOutbox({ ...options, api: deps.api, queryClient: deps.queryClient, restaurantId, orderId });
    registry.set(id, outbox);
    outbox.kick();
  }
  return outbox;
}

/**
 * The ids of the orders of `restaurantId` that have drafts or unconfirmed writes in
 * `storage`; their outboxes are started (a reload on the floor resumes pending sends).
 */
export function resumeOutboxes(deps: OutboxDeps, restaurantId: number, storage: Storage = window.localStorage): number[] {
  const prefix = `brigade.orderpad.v1.${restaurantId}.`;
  const ids: number[] = [];
  for (let i = 0; i < storage.length; i += 1) {
    const key = storage.key(i);
    if (key === null || !key.startsWith(prefix)) continue;
    const orderId = Number(key.slice(prefix.length));
    if (Number.isInteger(orderId) && orderId > 0) ids.push(orderId);
  }
  const pending: number[] = [];
  for (const orderId of ids) {
    const outbox = getOutbox(deps, restaurantId, orderId);
    if (outbox.hasPendingWork()) pending.push(orderId);
  }
  return pending.sort((a, b) => a - b);
}
