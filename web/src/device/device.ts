/**
 * This browser as a registered device (till, tablet, kitchen screen) of a restaurant.
 *
 * A manager registers the device once in the admin (Devices); the secret the server
 * returns is kept here, in `localStorage` (key `brigade.device`), and sent as the
 * `X-Brigade-Device` header where a PIN counts: the PIN sign-in and a manager's PIN
 * approval. Shape: `{secret, id, name, kind, restaurantId, idleSeconds}`; `idleSeconds`
 * is the idle sign-out time of the device's kind, as the last PIN sign-in reported it.
 */

export const DEVICE_KEY = "brigade.device";
export const DEVICE_HEADER = "X-Brigade-Device";
/** Idle sign-out time used before the server has told this device its own. */
export const DEFAULT_IDLE_SECONDS = 300;

export interface DeviceRegistration {
  secret: string;
  id: number;
  name: string;
  kind: string;
  restaurantId: number;
  idleSeconds: number;
}

function storageOr(storage?: Storage): Storage | null {
  if (storage) return storage;
  return typeof window !== "undefined" ? window.localStorage : null;
}

/** The registration kept in `storage`, or null (none, or a damaged entry). */
export function readDevice(storage?: Storage): DeviceRegistration | null {
  const raw = storageOr(storage)?.getItem(DEVICE_KEY) ?? null;
  if (raw === null) return null;
  try {
    const v = JSON.parse(raw) as Record<string, unknown>;
    if (
      typeof v.secret === "string" &&
      typeof v.id === "number" &&
      typeof v.name === "string" &&
      typeof v.kind === "string" &&
      typeof v.restaurantId === "number"
    ) {
      const idle = typeof v.idleSeconds === "number" && v.idleSeconds > 0 ? v.idleSeconds : DEFAULT_IDLE_SECONDS;
      return { secret: v.secret, id: v.id, name: v.name, kind: v.kind, restaurantId: v.restaurantId, idleSeconds: idle };
    }
  } catch {
    // a damaged entry: this browser is no registered device
  }
  return null;
}

/** Keep `registration` in `storage` (this browser becomes that device). */
export function saveDevice(registration: DeviceRegistration, storage?: Storage): void {
  storageOr(storage)?.setItem(DEVICE_KEY, JSON.stringify(registration));
}

/** Forget the registration (revoked, or the manager unpaired this browser). */
export function forgetDevice(storage?: Storage): void {
  storageOr(storage)?.removeItem(DEVICE_KEY);
}

/** The `X-Brigade-Device` header of `registration` (none without one). */
export function deviceHeaders(registration: DeviceRegistration | null): Record<string, string> {
  return registration === null ? {} : { [DEVICE_HEADER]: registration.secret };
}

/**
 * The device id an access token says it was issued on (claim `dev` of a PIN sign-in),
 * or null for a full sign-in or a token that cannot be read. The signature is not
 * checked: the server does that; this only decides what the screen offers.
 */
export function tokenDeviceId(accessToken: string | null): number | null {
  if (accessToken === null) return null;
  const payload = accessToken.split(".")[1];
  if (payload === undefined) return null;
  try {
    const json = atob(payload.replace(/-/g, "+").replace(/_/g, "/"));
    const claims = JSON.parse(json) as Record<string, unknown>;
    return typeof claims.dev === "number" ? claims.dev : null;
  } catch {
    return null;
  }
}

/** A PIN as the server takes it: 4 to 6 digits. */
export function isValidPin(pin: string): boolean {
  return /^[0-9]{4,6}$/.test(pin);
}

/** The PIN after a key of the pad: a digit appended (at most 6), or the last one removed. */
export function pressPinKey(pin: string, key: string): string {
  if (key === "back") return pin.slice(0, -1);
  if (key === "clear") return "";
  if (/^[0-9]$/.test(key) && pin.length < 6) return pin + key;
  return pin;
}

export interface IdleTimerOptions {
  /** How long without activity before `onIdle`, milliseconds. */
  idleMs: number;
  onIdle: () => void;
  now?: () => number;
  setTimer?: (callback: () => void, ms: number) => ReturnType<typeof setTimeout>;
  clearTimer?: (timer: ReturnType<typeof setTimeout>) => void;
}

/**
 * Calls `onIdle` once after `idleMs` without {@link activity}. A timer that fires late
 * (a sleeping tablet) still signs out: the time is measured from the last activity.
 */
export class IdleTimer {
  private last: number;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;
  private readonly now: () => number;
  private readonly setTimer: NonNullable<IdleTimerOptions["setTimer"]>;
  private readonly clearTimer: NonNullable<IdleTimerOptions["clearTimer"]>;

  constructor(private readonly options: IdleTimerOptions) {
    this.now = options.now ?? Date.now;
    this.setTimer = options.setTimer ?? ((callback, ms) => setTimeout(callback, ms));
    this.clearTimer = options.clearTimer ?? ((timer) => clearTimeout(timer));
    this.last = this.now();
    this.schedule(options.idleMs);
  }

  /** The person did something: the idle time starts again. */
  activity(): void {
    if (this.stopped) return;
    this.last = this.now();
  }

  /** Milliseconds left before the sign-out. */
  remainingMs(): number {
    return Math.max(0, this.options.idleMs - (this.now() - this.last));
  }

  /** Check now (e.g. when a tab becomes visible again): signs out if the time is up. */
  check(): void {
    if (this.stopped) return;
    const left = this.remainingMs();
    if (left <= 0) {
      this.stop();
      this.options.onIdle();
    } else {
      this.schedule(left);
    }
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.clearTimer(this.timer);
  }

  private schedule(ms: number): void {
    if (this.timer !== undefined) this.clearTimer(this.timer);
    this.timer = this.setTimer(() => this.check(), ms);
  }
}
