/**
 * One Socket.IO connection to namespace `/realtime/v1` for a signed-in session in one
 * restaurant (docs/realtime.md). It
 *
 * - authenticates with the session's current access token on every (re)connection
 *   attempt, and reconnects with the fresh token after each refresh;
 * - keeps the highest `seq` seen and passes it as `last_seq` when reconnecting, so the
 *   server replays what was missed (reported as `caughtUp` in the status);
 * - drops duplicates, and asks the server to `sync` when a `seq` is still missing after
 *   a moment (events of several workers can arrive out of order);
 * - on a 401 refusal refreshes the session once and retries; other refusals (403, 404,
 *   422) leave it `offline` with the problem as `error`;
 * - dispatches events to listeners by type (`"*"`: every event).
 */
import { io } from "socket.io-client";

import type { TokenSource } from "../api/client";
import { ApiError, isProblem } from "../api/errors";
import type {
  ConnectAuth,
  ReadyPayload,
  RealtimeEvent,
  RealtimeStatus,
  SocketFactory,
  SocketLike,
} from "./types";

export const NAMESPACE = "/realtime/v1";
export const SOCKET_PATH = "/socket.io/";

/** The session as the connection needs it: tokens, refresh and change notification. */
export interface RealtimeTokens extends TokenSource {
  subscribe(listener: () => void): () => void;
}

export interface RealtimeOptions {
  restaurantId: number;
  tokens: RealtimeTokens;
  /** A kitchen station's screen (only its tickets); omitted: every event (expo, waiters). */
  station?: string | null;
  /** Server origin; default: the page's. */
  baseUrl?: string;
  /** Opens the socket; default socket.io-client's `io`. */
  socketFactory?: SocketFactory;
  /** Consecutive failed attempts before the status says `offline` (it keeps retrying); default 3. */
  offlineAfterFailures?: number;
  /** How long a gap in `seq` may stay open before asking for a `sync`; default 2000 ms. */
  gapSyncDelayMs?: number;
  /** Clock, epoch ms. */
  now?: () => number;
}

export type EventListener = (event: RealtimeEvent) => void;
/** Called after each `ready`: `first` is true for the connection's first one. */
export type ReadyListener = (info: { first: boolean; replayed: number; lastSeq: number }) => void;

/** socket.io-client with its default transports: long-polling first, upgraded to WebSocket. */
const defaultFactory: SocketFactory = (url, options) =>
  io(url, { path: options.path, auth: options.auth, autoConnect: false });

const MAX_TRACKED_GAP = 1000;
const SEEN_WINDOW = 2000;

function isEnvelope(value: unknown): value is RealtimeEvent {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.seq === "number" && typeof v.type === "string";
}

/** See the module documentation. Call {@link start} once and {@link close} when done. */
export class RealtimeConnection {
  readonly restaurantId: number;
  readonly station: string | null;
  private readonly tokens: RealtimeTokens;
  private readonly factory: SocketFactory;
  private readonly baseUrl: string;
  private readonly offlineAfter: number;
  private readonly gapDelay: number;
  private readonly now: () => number;

  private socket: SocketLike | null = null;
  private status: RealtimeStatus = { state: "connecting", lastSeq: null, caughtUp: null, error: null };
  private readonly statusListeners = new Set<() => void>();
  private readonly listeners = new Map<string, Set<EventListener>>();
  private readonly readyListeners = new Set<ReadyListener>();
  private readonly seen = new Set<number>();
  private readonly missing = new Set<number>();
  private gapTimer: ReturnType<typeof setTimeout> | undefined;
  private readyCount = 0;
  private failures = 0;
  private refreshedForRefusal = false;
  private tokenInUse: string | null = null;
  private quietReconnect = false;
  private closed = false;
  private unsubscribeTokens: (() => void) | null = null;

  constructor(options: RealtimeOptions) {
    this.restaurantId = options.restaurantId;
    this.station = options.station ?? null;
    this.tokens = options.tokens;
    this.factory = options.socketFactory ?? defaultFactory;
    this.baseUrl =
      options.baseUrl ?? (typeof window !== "undefined" && window.location ? window.location.origin : "");
    this.offlineAfter = options.offlineAfterFailures ?? 3;
    this.gapDelay = options.gapSyncDelayMs ?? 2000;
    this.now = options.now ?? Date.now;
  }

  /** Open the socket (once). */
  start(): void {
    if (this.socket !== null || this.closed) return;
    const socket = this.factory(this.baseUrl + NAMESPACE, {
      path: SOCKET_PATH,
      auth: (cb) => cb(this.connectAuth()),
    });
    this.socket = socket;
    socket.on("connect", () => this.onConnect());
    socket.on("disconnect", (reason: string) => this.onDisconnect(reason));
    socket.on("connect_error", (error: Error & { data?: unknown }) => this.onConnectError(error));
    socket.on("ready", (payload: ReadyPayload) => this.handleReady(payload));
    socket.onAny((type, payload) => {
      if (type !== "ready") this.onEvent(payload);
    });
    this.unsubscribeTokens = this.tokens.subscribe(() => this.onTokensChanged());
    socket.connect();
  }

  /** Disconnect for good and drop every listener. */
  close(): void {
    this.closed = true;
    clearTimeout(this.gapTimer);
    this.unsubscribeTokens?.();
    this.socket?.disconnect();
    this.listeners.clear();
    this.readyListeners.clear();
    this.setStatus({ state: "offline" });
  }

  /** The current status (a new object after every change). */
  getStatus(): RealtimeStatus {
    return this.status;
  }

  /** Call `listener` after every status change; returns the unsubscribe function. */
  subscribeStatus(listener: () => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  /** Call `listener` with every event of `type` (`"*"`: every event); returns the unsubscribe function. */
  on(type: string, listener: EventListener): () => void {
    let set = this.listeners.get(type);
    if (set === undefined) {
      set = new Set();
      this.listeners.set(type, set);
    }
    set.add(listener);
    return () => set.delete(listener);
  }

  /** Call `listener` after every `ready` (first connection and each reconnect). */
  onReady(listener: ReadyListener): () => void {
    this.readyListeners.add(listener);
    return () => this.readyListeners.delete(listener);
  }

  /**
   * Send a command (docs/realtime.md, "Commands") and resolve to its acknowledged
   * `data`. Throws {@link ApiError}: the command's problem (e.g. 409 `stale-version`),
   * or `network-error` when not connected or no acknowledgement came within `timeoutMs`.
   */
  async command<T = unknown>(name: string, payload: Record<string, unknown>, timeoutMs = 10_000): Promise<T> {
    const socket = this.socket;
    if (socket === null || !socket.connected) throw ApiError.network(new Error("realtime connection is not open"));
    let ack: unknown;
    try {
      ack = await socket.timeout(timeoutMs).emitWithAck(name, payload);
    } catch (error) {
      throw ApiError.network(error);
    }
    if (typeof ack === "object" && ack !== null && (ack as { ok?: unknown }).ok === true) {
      return (ack as { data: T }).data;
    }
    const problem = (ack as { error?: unknown } | null)?.error;
    const error = isProblem(problem) ? new ApiError(problem) : ApiError.network(new Error("malformed acknowledgement"));
    if (error.status === 401) void this.tokens.refresh(this.tokenInUse);
    throw error;
  }

  // --- internals ---------------------------------------------------------------------

  private connectAuth(): ConnectAuth {
    this.tokenInUse = this.tokens.accessToken();
    const auth: ConnectAuth = { token: this.tokenInUse, restaurant_id: this.restaurantId };
    if (this.status.lastSeq !== null) auth.last_seq = this.status.lastSeq;
    if (this.station !== null) auth.station = this.station;
    return auth;
  }

  private onConnect(): void {
    this.failures = 0;
    this.refreshedForRefusal = false;
    // "connected" is announced with `ready`, once the replay is through
  }

  private handleReady(payload: ReadyPayload): void {
    this.readyCount += 1;
    const first = this.readyCount === 1;
    const wasQuiet = this.quietReconnect;
    this.quietReconnect = false;
    const lastSeq = Math.max(this.status.lastSeq ?? 0, payload.last_seq);
    this.setStatus({
      state: "connected",
      lastSeq,
      error: null,
      ...(first || wasQuiet ? {} : { caughtUp: { replayed: payload.replayed, at: this.now() } }),
    });
    for (const listener of [...this.readyListeners]) listener({ first, replayed: payload.replayed, lastSeq });
  }

  private onDisconnect(reason: string): void {
    if (this.closed) return;
    if (reason === "io server disconnect") this.socket?.connect(); // the server dropped us: retry
    if (!this.quietReconnect) this.setStatus({ state: "reconnecting" });
  }

  private onConnectError(error: Error & { data?: unknown }): void {
    if (this.closed || this.socket === null) return;
    if (!this.socket.active) {
      // refused by the server: no automatic retry
      const problem = isProblem(error.data) ? new ApiError(error.data) : null;
      if (problem?.status === 401 && !this.refreshedForRefusal) {
        this.refreshedForRefusal = true;
        void this.tokens.refresh(this.tokenInUse).then((token) => {
          if (token !== null && !this.closed) this.socket?.connect();
          else this.setStatus({ state: "offline", error: problem });
        });
        return;
      }
      this.quietReconnect = false;
      this.setStatus({ state: "offline", error: problem ?? ApiError.network(error) });
      return;
    }
    this.failures += 1;
    this.quietReconnect = false;
    const retrying = this.readyCount > 0 ? "reconnecting" : "connecting";
    this.setStatus({ state: this.failures >= this.offlineAfter ? "offline" : retrying });
  }

  private onTokensChanged(): void {
    if (this.closed || this.socket === null) return;
    const token = this.tokens.accessToken();
    if (token === null) {
      this.close(); // signed out
      return;
    }
    if (token !== this.tokenInUse && this.socket.connected) {
      // the connection was authorised with the old token: commands would get 401
      this.quietReconnect = true;
      this.socket.disconnect();
      this.socket.connect();
    }
  }

  private onEvent(payload: unknown): void {
    if (!isEnvelope(payload) || payload.restaurant_id !== this.restaurantId) return;
    const { seq } = payload;
    if (this.seen.has(seq)) return; // a replay of what arrived already
    this.seen.add(seq);
    if (this.seen.size > SEEN_WINDOW) {
      const oldest = this.seen.values().next().value;
      if (oldest !== undefined) this.seen.delete(oldest);
    }
    this.missing.delete(seq);
    const last = this.status.lastSeq;
    if (last !== null && seq > last + 1 && this.station === null) {
      for (let s = Math.max(last + 1, seq - MAX_TRACKED_GAP); s < seq; s += 1) if (!this.seen.has(s)) this.missing.add(s);
      this.scheduleGapSync();
    }
    if (last === null || seq > last) this.setStatus({ lastSeq: seq });
    for (const type of [payload.type, "*"]) {
      for (const listener of [...(this.listeners.get(type) ?? [])]) {
        try {
          listener(payload);
        } catch (error) {
          console.error(`realtime listener for ${type} failed`, error);
        }
      }
    }
  }

  private scheduleGapSync(): void {
    if (this.gapTimer !== undefined) return;
    this.gapTimer = setTimeout(() => {
      this.gapTimer = undefined;
      if (this.missing.size === 0 || this.socket === null || !this.socket.connected) return;
      const from = Math.min(...this.missing) - 1;
      this.missing.clear();
      this.socket.emit("sync", { last_seq: from });
    }, this.gapDelay);
  }

  private setStatus(change: Partial<RealtimeStatus>): void {
    this.status = { ...this.status, ...change };
    for (const listener of [...this.statusListeners]) listener();
  }
}
