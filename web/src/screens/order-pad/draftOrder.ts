/**
 * A table's (or a takeaway's) order while it exists only on this device: tapping a
 * table and leaving creates nothing on the server. The draft lines are kept in
 * `localStorage` per table (as the outbox keeps an order's), and the first "Send"
 * creates the order with its lines in one request — `POST /orders` with an
 * `Idempotency-Key` made once and persisted with the exact body before the request
 * leaves, so a retry (also after a reload) gets the same order back instead of a
 * second one. Then the new order's outbox sends it (course 1 fired), and the screen
 * moves to the real order (`onCreated`).
 *
 * A refusal (4xx: the table was seated meanwhile, an item 86'd) puts the lines back in
 * the draft with the problem; no answer, 5xx, 408, 429 and 401 are retried with the same
 * key and body, with backoff.
 */
import type { QueryClient } from "@tanstack/react-query";

import type { ApiClient } from "../../api/client";
import { ApiError, type Problem } from "../../api/errors";
import { queryKeys } from "../../api/queries";
import { newIdempotencyKey } from "../../lib/idempotency";
import { createOrderOnce } from "../floor/queries";
import { getOutbox, isTransient, type OutboxOp, type OutboxState, toLineCreate } from "./outbox";
import type { DraftLine, OrderLineCreate, OrderRead } from "./types";

/** What a draft order is for: a free table with its covers, or a takeaway. */
export type DraftTarget = { kind: "dine_in"; tableId: number; covers: number } | { kind: "takeaway" };

/** The order-creating request a draft persists before sending (so a retry repeats it exactly). */
interface Creation {
  key: string;
  body: { kind: "dine_in" | "takeaway"; table_id?: number; covers?: number; items: OrderLineCreate[] };
  lines: DraftLine[];
  attempts: number;
  problem: Problem | null;
}

interface Stored {
  target: DraftTarget;
  drafts: DraftLine[];
  creation: Creation | null;
}

/** The `localStorage` key of a draft order: one per table, one for a takeaway. */
export function draftStorageKey(restaurantId: number, target: DraftTarget): string {
  const where = target.kind === "takeaway" ? "takeaway" : `table.${target.tableId}`;
  return `brigade.orderpad.draft.v1.${restaurantId}.${where}`;
}

/** Whether this device has a draft order for table `tableId` (its covers, or null). */
export function draftCoversOf(restaurantId: number, tableId: number, storage: Storage = window.localStorage): number | null {
  const raw = storage.getItem(draftStorageKey(restaurantId, { kind: "dine_in", tableId, covers: 1 }));
  if (raw === null) return null;
  try {
    const stored = JSON.parse(raw) as Stored;
    return stored.target.kind === "dine_in" ? stored.target.covers : null;
  } catch {
    return null;
  }
}

/** The order the pad shows for a draft: open, no lines on the server yet, id 0. */
export function draftOrderRead(restaurantId: number, target: DraftTarget, currency: string, openedAt: string): OrderRead {
  return {
    id: 0,
    restaurant_id: restaurantId,
    kind: target.kind,
    table_id: target.kind === "dine_in" ? target.tableId : null,
    covers: target.kind === "dine_in" ? target.covers : 0,
    currency,
    items: [],
    notes: "",
    opened_at: openedAt,
    sent_at: null,
    closed_at: null,
    status: "open",
    subtotal: 0,
    version: 0,
  };
}

function backoff(attempt: number): number {
  return Math.min(30_000, 1000 * 2 ** Math.max(0, attempt - 1));
}

/**
 * One draft order (see the module documentation). The screen uses it as it uses an
 * order's outbox: `getState`/`subscribe`, `addDraft`/`updateDraft`/`removeDraft`,
 * `send`, `discardAll`.
 */
export class DraftOrder {
  private state: OutboxState;
  private stored: Stored;
  private readonly listeners = new Set<() => void>();
  private readonly createdListeners = new Set<(orderId: number) => void>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running = false;
  private disposed = false;

  constructor(
    private readonly deps: { api: ApiClient; queryClient: QueryClient },
    readonly restaurantId: number,
    target: DraftTarget,
    private readonly storage: Storage = window.localStorage,
  ) {
    this.stored = this.load(target);
    this.state = this.derive();
  }

  private get key(): string {
    return draftStorageKey(this.restaurantId, this.stored.target);
  }

  private load(target: DraftTarget): Stored {
    const raw = this.storage.getItem(draftStorageKey(this.restaurantId, target));
    if (raw !== null) {
      try {
        const parsed = JSON.parse(raw) as Stored;
        if (Array.isArray(parsed.drafts)) {
          // covers chosen now win over a draft's older ones (nothing was created yet)
          const keep = parsed.creation !== null ? parsed.target : target;
          return { ...parsed, target: keep };
        }
      } catch {
        /* a broken entry is dropped */
      }
    }
    return { target, drafts: [], creation: null };
  }

  /** The target (table and covers, or takeaway). */
  get target(): DraftTarget {
    return this.stored.target;
  }

  private derive(): OutboxState {
    const c = this.stored.creation;
    const ops: OutboxOp[] =
      c === null
        ? []
        : [
            {
              id: c.key,
              key: c.key,
              batch: c.key,
              status: c.attempts > 0 ? "retrying" : "sending",
              attempts: c.attempts,
              sentVersion: null,
              nextAttemptAt: null,
              problem: c.problem,
              reconciles: 0,
              maybeLanded: true,
              kind: "add",
              lines: c.lines,
              baseItemIds: [],
            },
          ];
    return { drafts: this.stored.drafts, draftProblem: this.problem, draftLineErrors: this.lineErrors, ops };
  }

  private problem: Problem | null = null;
  private lineErrors: Record<string, string> = {};

  private save(next: Stored): void {
    this.stored = next;
    if (next.drafts.length === 0 && next.creation === null) this.storage.removeItem(this.key);
    else this.storage.setItem(this.key, JSON.stringify(next));
    this.state = this.derive();
    for (const listener of [...this.listeners]) listener();
  }

  getState(): OutboxState {
    return this.state;
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Call `listener` with the order's id once the server created it. */
  onCreated(listener: (orderId: number) => void): () => void {
    this.createdListeners.add(listener);
    return () => this.createdListeners.delete(listener);
  }

  addDraft(line: DraftLine): void {
    this.save({ ...this.stored, drafts: [...this.stored.drafts, line] });
  }

  updateDraft(line: DraftLine): void {
    this.save({ ...this.stored, drafts: this.stored.drafts.map((d) => (d.localId === line.localId ? line : d)) });
  }

  removeDraft(localId: string): void {
    this.save({ ...this.stored, drafts: this.stored.drafts.filter((d) => d.localId !== localId) });
  }

  dismissDraftProblem(): void {
    this.problem = null;
    this.lineErrors = {};
    this.save(this.stored);
  }

  /** Forget the draft (the waiter cancelled it): nothing was on the server. */
  discardAll(): void {
    if (this.stored.creation !== null) return; // being created: it is the server's now
    this.problem = null;
    this.save({ ...this.stored, drafts: [], creation: null });
  }

  /** "Send": create the order with the draft lines (once), then send it. No-op without lines. */
  send(): void {
    if (this.stored.creation !== null || this.stored.drafts.length === 0) return;
    const target = this.stored.target;
    const lines = this.stored.drafts;
    const body: Creation["body"] =
      target.kind === "dine_in"
        ? { kind: "dine_in", table_id: target.tableId, covers: target.covers, items: lines.map(toLineCreate) }
        : { kind: "takeaway", items: lines.map(toLineCreate) };
    this.problem = null;
    this.lineErrors = {};
    this.save({ ...this.stored, drafts: [], creation: { key: newIdempotencyKey(), body, lines, attempts: 0, problem: null } });
    this.kick();
  }

  /** Retry a creation that is waiting (persisted from before a reload, or after no answer). */
  kick(): void {
    if (this.disposed) return;
    clearTimeout(this.timer);
    void this.run();
  }

  retryNow(): void {
    this.kick();
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.timer);
  }

  private async run(): Promise<void> {
    const creation = this.stored.creation;
    if (this.running || creation === null) return;
    this.running = true;
    try {
      const order = await createOrderOnce(this.deps.api, this.restaurantId, creation.body, creation.key);
      const { queryClient } = this.deps;
      queryClient.setQueryData(queryKeys.order(this.restaurantId, order.id), order);
      void queryClient.invalidateQueries({ queryKey: queryKeys.floor(this.restaurantId), exact: true });
      this.save({ ...this.stored, drafts: [], creation: null });
      getOutbox(this.deps, this.restaurantId, order.id).send();
      for (const listener of [...this.createdListeners]) listener(order.id);
    } catch (caught) {
      const error =
        caught instanceof ApiError
          ? caught
          : new ApiError({ type: "https://brigade.dev/problems/client-error", title: "Something went wrong", status: 0 });
      if (isTransient(error)) {
        const attempts = creation.attempts + 1;
        this.save({ ...this.stored, creation: { ...creation, attempts, problem: error.problem } });
        this.timer = setTimeout(() => this.kick(), backoff(attempts));
      } else {
        // refused: the lines go back to the draft with the problem
        this.problem = error.problem;
        this.lineErrors = {};
        for (const [field, messages] of Object.entries(error.fields)) {
          const match = /^items\.(\d+)(?:\.|$)/.exec(field);
          const line = match ? creation.lines[Number(match[1])] : undefined;
          if (line) this.lineErrors[line.localId] = messages.join(" ");
        }
        this.save({ ...this.stored, drafts: [...creation.lines, ...this.stored.drafts], creation: null });
      }
    } finally {
      this.running = false;
    }
  }
}
