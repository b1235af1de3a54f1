/**
 * Where a signed-in session's tokens live: `localStorage` (key `brigade.session`), so a
 * reload or a second tab stays signed in. Shape: `{accessToken, refreshToken, expiresAt}`
 * with `expiresAt` the access token's expiry in epoch milliseconds (and `lifetimeMs`, how
 * long it lives).
 */
import type { TokenPair } from "../api/types";

export interface Tokens {
  accessToken: string;
  refreshToken: string;
  /** When the access token expires, epoch milliseconds. */
  expiresAt: number;
  /** How long the access token lives, milliseconds (short for a PIN sign-in on a device). */
  lifetimeMs?: number;
}

export const STORAGE_KEY = "brigade.session";

/** The tokens of a login or refresh answer; `expires_in` is seconds from `now` (epoch ms). */
export function tokensFromPair(pair: TokenPair, now: number = Date.now()): Tokens {
  return {
    accessToken: pair.access_token,
    refreshToken: pair.refresh_token,
    expiresAt: now + pair.expires_in * 1000,
    lifetimeMs: pair.expires_in * 1000,
  };
}

function parse(raw: string | null): Tokens | null {
  if (raw === null) return null;
  try {
    const value: unknown = JSON.parse(raw);
    if (typeof value !== "object" || value === null) return null;
    const v = value as Record<string, unknown>;
    if (typeof v.accessToken === "string" && typeof v.refreshToken === "string" && typeof v.expiresAt === "number") {
      const tokens: Tokens = { accessToken: v.accessToken, refreshToken: v.refreshToken, expiresAt: v.expiresAt };
      if (typeof v.lifetimeMs === "number" && v.lifetimeMs > 0) tokens.lifetimeMs = v.lifetimeMs;
      return tokens;
    }
  } catch {
    // a damaged entry is treated as signed out
  }
  return null;
}

/**
 * The tokens in `storage` with change notification. {@link get} returns the same object
 * while the stored value is unchanged (usable with `useSyncExternalStore`); a change made
 * by another tab (the `storage` event) is noticed and announced too.
 */
export class TokenStore {
  private readonly listeners = new Set<() => void>();
  private raw: string | null = null;
  private value: Tokens | null = null;

  constructor(
    private readonly storage: Storage = window.localStorage,
    private readonly key: string = STORAGE_KEY,
  ) {
    this.read();
    if (typeof window !== "undefined") {
      window.addEventListener("storage", (event) => {
        if (event.key === this.key || event.key === null) {
          this.read();
          this.emit();
        }
      });
    }
  }

  /** The current tokens, read fresh from storage (another tab may have refreshed them). */
  get(): Tokens | null {
    return this.read();
  }

  /** Store `tokens` (null: signed out) and notify the listeners. */
  set(tokens: Tokens | null): void {
    if (tokens === null) this.storage.removeItem(this.key);
    else this.storage.setItem(this.key, JSON.stringify(tokens));
    this.read();
    this.emit();
  }

  /** Call `listener` after every change; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private read(): Tokens | null {
    const raw = this.storage.getItem(this.key);
    if (raw !== this.raw) {
      this.raw = raw;
      this.value = parse(raw);
    }
    return this.value;
  }

  private emit(): void {
    for (const listener of [...this.listeners]) listener();
  }
}
