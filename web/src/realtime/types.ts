/**
 * The realtime protocol's shapes (docs/realtime.md). Every committed change arrives as
 * an event named by its `type` with this envelope.
 */

/** An event's envelope: `seq` increases by one with every event of the restaurant. */
export interface RealtimeEvent<TData = Record<string, unknown>> {
  seq: number;
  type: string;
  restaurant_id: number;
  /** The kitchen station of a `ticket.*` event; null otherwise. */
  station: string | null;
  /** The commit's time, ISO 8601 UTC. */
  occurred_at: string;
  data: TData;
}

/** Sent once after connecting (after the replay of what was missed). */
export interface ReadyPayload {
  last_seq: number;
  replayed: number;
}

/** `connecting`: first attempt; `connected`: live; `reconnecting`: lost, retrying; `offline`: given up or refused. */
export type ConnectionState = "connecting" | "connected" | "reconnecting" | "offline";

/** What `useRealtimeStatus()` returns. */
export interface RealtimeStatus {
  state: ConnectionState;
  /** The highest `seq` received (resume point), null before the first event or `ready`. */
  lastSeq: number | null;
  /** After a reconnect: how many missed events the replay delivered, and when (epoch ms). */
  caughtUp: { replayed: number; at: number } | null;
  /** Why the server refused the connection (401/403/404/422 problem), when it did. */
  error: import("../api/errors").ApiError | null;
}

/** The minimal Socket.IO client surface the connection uses (a fake implements it in tests). */
export interface SocketLike {
  readonly connected: boolean;
  /** False after the server refused the connection (no automatic retry then). */
  readonly active: boolean;
  on(event: string, listener: (...args: never[]) => void): unknown;
  onAny(listener: (event: string, ...args: unknown[]) => void): unknown;
  connect(): unknown;
  disconnect(): unknown;
  emit(event: string, ...args: unknown[]): unknown;
  timeout(ms: number): { emitWithAck(event: string, ...args: unknown[]): Promise<unknown> };
}

/** The `auth` object sent with every connection attempt. */
export interface ConnectAuth {
  token: string | null;
  restaurant_id: number;
  last_seq?: number;
  station?: string;
}

/** Opens a socket; `auth` is called before every (re)connection attempt. */
export type SocketFactory = (
  url: string,
  options: { path: string; auth: (cb: (auth: ConnectAuth) => void) => void },
) => SocketLike;
