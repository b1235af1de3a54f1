/**
 * A fake Socket.IO client for tests of the realtime layer: the test plays the server
 * (`connectOk`, `emitEvent`, `drop`, `refuse`) and reads what the client sent
 * (`auths`: every `auth` object of every connection attempt; `emitted`).
 */
import type { ConnectAuth, SocketFactory, SocketLike } from "../realtime/types";
import type { RealtimeEvent } from "../realtime/types";

type Listener = (...args: never[]) => void;

export class FakeSocket implements SocketLike {
  connected = false;
  active = false;
  readonly auths: ConnectAuth[] = [];
  readonly emitted: { event: string; args: unknown[] }[] = [];
  /** Acknowledgement for commands: set per test. */
  ack: (event: string, payload: unknown) => unknown = () => ({ ok: true, data: null });
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly anyListeners = new Set<(event: string, ...args: unknown[]) => void>();

  constructor(private readonly authFn: (cb: (auth: ConnectAuth) => void) => void) {}

  on(event: string, listener: Listener): this {
    let set = this.listeners.get(event);
    if (!set) {
      set = new Set();
      this.listeners.set(event, set);
    }
    set.add(listener);
    return this;
  }

  onAny(listener: (event: string, ...args: unknown[]) => void): this {
    this.anyListeners.add(listener);
    return this;
  }

  /** The client asks to connect: records the auth it would send. */
  connect(): this {
    this.active = true;
    this.authFn((auth) => this.auths.push({ ...auth }));
    return this;
  }

  disconnect(): this {
    const was = this.connected;
    this.connected = false;
    this.active = false;
    if (was) this.fire("disconnect", "io client disconnect");
    return this;
  }

  emit(event: string, ...args: unknown[]): this {
    this.emitted.push({ event, args });
    return this;
  }

  timeout(_ms: number) {
    return {
      emitWithAck: (event: string, ...args: unknown[]) => {
        this.emitted.push({ event, args });
        return Promise.resolve(this.ack(event, args[0]));
      },
    };
  }

  // --- the test plays the server ----------------------------------------------------

  /** Accept the pending connection: `connect`, then `ready`. */
  connectOk(ready: { last_seq: number; replayed: number }, replay: RealtimeEvent[] = []): void {
    this.connected = true;
    this.fire("connect");
    for (const event of replay) this.emitEvent(event);
    this.fireServer("ready", ready);
  }

  /** A server event (goes through `onAny`, like socket.io-client). */
  emitEvent(event: RealtimeEvent): void {
    this.fireServer(event.type, event);
  }

  /** The transport dropped: the client will retry by itself (it stays `active`). */
  drop(): void {
    this.connected = false;
    this.fire("disconnect", "transport close");
  }

  /** A retry failed (server down): `connect_error` while active. */
  failAttempt(): void {
    this.fire("connect_error", Object.assign(new Error("xhr poll error"), {}));
  }

  /** The server refused the connection with a problem (no automatic retry). */
  refuse(problem: { type: string; title: string; status: number; detail?: string }): void {
    this.connected = false;
    this.active = false;
    this.fire("connect_error", Object.assign(new Error(problem.title), { data: problem }));
  }

  private fireServer(event: string, payload: unknown): void {
    this.fire(event, payload);
    for (const listener of [...this.anyListeners]) listener(event, payload);
  }

  private fire(event: string, ...args: unknown[]): void {
    for (const listener of [...(this.listeners.get(event) ?? [])]) (listener as (...a: unknown[]) => void)(...args);
  }
}

/** A factory that records the sockets it opens (`sockets[0]` is the first). */
export function fakeSocketFactory(): SocketFactory & { sockets: FakeSocket[] } {
  const sockets: FakeSocket[] = [];
  const open: SocketFactory = (_url, options) => {
    const socket = new FakeSocket(options.auth);
    sockets.push(socket);
    return socket;
  };
  return Object.assign(open, { sockets });
}

/** An event envelope for restaurant 1. */
export function envelope<T extends Record<string, unknown>>(
  seq: number,
  type: string,
  data: T,
  station: string | null = null,
): RealtimeEvent {
  return { seq, type, restaurant_id: 1, station, occurred_at: new Date(0).toISOString(), data };
}
