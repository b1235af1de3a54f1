/**
 * The signed-in session, without React: sign in, sign out, the single-flight refresh
 * and the silent refresh shortly before the access token expires (access tokens live
 * 15 minutes; refresh tokens rotate on every use, and presenting a spent one ends the
 * whole login, so two refreshes must never race — not even from two tabs).
 */
import type { ApiClient, TokenSource } from "../api/client";
import { ApiError } from "../api/errors";
import { unwrap } from "../api/client";
import type { DeviceLogin, UserRead } from "./types";
import { TokenStore, tokensFromPair, type Tokens } from "./tokens";

export interface AuthSessionOptions {
  store: TokenStore;
  /** A client without the auth middleware (`createPublicClient`). */
  publicApi: ApiClient;
  /** Clock, epoch ms (tests pass a fake). */
  now?: () => number;
  /** Refresh this long before the access token expires; default 60 s. */
  refreshMarginMs?: number;
  /** Retry a refresh that could not reach the server after this long; default 15 s. */
  retryDelayMs?: number;
  /** Cross-tab lock (`navigator.locks`); default: the browser's when it has one. */
  locks?: LockManager | null;
}

const LOCK_NAME = "brigade.session.refresh";

/** See the module documentation. Implements the client's {@link TokenSource}. */
export class AuthSession implements TokenSource {
  readonly store: TokenStore;
  private readonly publicApi: ApiClient;
  private readonly now: () => number;
  private readonly marginMs: number;
  private readonly retryDelayMs: number;
  private readonly locks: LockManager | null;
  private inflight: Promise<string | null> | null = null;

  constructor(options: AuthSessionOptions) {
    this.store = options.store;
    this.publicApi = options.publicApi;
    this.now = options.now ?? Date.now;
    this.marginMs = options.refreshMarginMs ?? 60_000;
    this.retryDelayMs = options.retryDelayMs ?? 15_000;
    const browserLocks = typeof navigator !== "undefined" && "locks" in navigator ? navigator.locks : null;
    this.locks = options.locks === undefined ? browserLocks : options.locks;
  }

  /** The stored tokens, or null when signed out. */
  tokens(): Tokens | null {
    return this.store.get();
  }

  /** The current access token, or null when signed out. */
  accessToken(): string | null {
    return this.store.get()?.accessToken ?? null;
  }

  /** Call `listener` whenever the tokens change (sign in, refresh, sign out, another tab). */
  subscribe(listener: () => void): () => void {
    return this.store.subscribe(listener);
  }

  /**
   * Log in with `POST /api/v1/auth/login`; stores the tokens and returns the user.
   * Throws {@link ApiError}: 401 `invalid-credentials`, 429 `too-many-requests`,
   * 422 `validation-error`, or `network-error`.
   */
  async signIn(username: string, password: string): Promise<UserRead> {
    const pair = await unwrap(this.publicApi.POST("/api/v1/auth/login", { body: { username, password } }));
    this.store.set(tokensFromPair(pair, this.now()));
    return pair.user;
  }

  /**
   * Sign in on this registered device with a PIN (`POST /api/v1/devices/current/pin-login`
   * with the device's secret as `X-Brigade-Device`); stores the tokens and returns the
   * whole answer (the user, `idle_seconds` of the device's kind). Throws {@link ApiError}:
   * 403 `device-not-registered`, 401 `invalid-pin`, 429 `too-many-requests`, 422.
   */
  async signInWithPin(deviceSecret: string, userId: number, pin: string): Promise<DeviceLogin> {
    const login = await unwrap(
      this.publicApi.POST("/api/v1/devices/current/pin-login", {
        body: { user_id: userId, pin },
        headers: { "X-Brigade-Device": deviceSecret },
      }),
    );
    this.store.set(tokensFromPair(login, this.now()));
    return login;
  }

  /**
   * Sign out: forget the tokens at once (listeners clear cached data), then end the
   * login on the server with `POST /api/v1/auth/logout` (its failure is ignored: the
   * refresh token then simply expires).
   */
  async signOut(): Promise<void> {
    const tokens = this.store.get();
    this.store.set(null);
    if (tokens === null) return;
    try {
      await unwrap(this.publicApi.POST("/api/v1/auth/logout", { body: { refresh_token: tokens.refreshToken } }));
    } catch {
      // offline or already ended: nothing more to do
    }
  }

  /**
   * Renew the access token after `staleToken` was refused or is about to expire.
   * Concurrent calls share one request; another tab's fresh token is taken instead
   * of refreshing again. Resolves to the new access token; null when signed out (the
   * refresh token was refused: the session is cleared) or when the server could not be
   * reached (the session is kept; try again later).
   */
  refresh(staleToken: string | null = this.accessToken()): Promise<string | null> {
    let flight = this.inflight;
    if (flight === null) {
      const run = (): Promise<string | null> => this.refreshNow(staleToken);
      const locked: Promise<string | null> = this.locks
        ? this.locks.request(LOCK_NAME, run).then((token) => token)
        : run();
      flight = locked.finally(() => {
        this.inflight = null;
      });
      this.inflight = flight;
    }
    return flight;
  }

  private async refreshNow(staleToken: string | null): Promise<string | null> {
    const current = this.store.get();
    if (current === null) return null;
    if (current.accessToken !== staleToken && current.expiresAt - this.now() > this.marginMs) {
      return current.accessToken; // another tab (or request) already refreshed
    }
    try {
      const pair = await unwrap(
        this.publicApi.POST("/api/v1/auth/refresh", { body: { refresh_token: current.refreshToken } }),
      );
      const tokens = tokensFromPair(pair, this.now());
      this.store.set(tokens);
      return tokens.accessToken;
    } catch (error) {
      if (error instanceof ApiError && error.status === 0) return null; // offline: keep the session
      this.store.set(null);
      return null;
    }
  }

  /**
   * Keep the session alive: refresh `refreshMarginMs` before each expiry (and at once
   * when a sleeping tab wakes past it); retry after `retryDelayMs` when offline. Returns
   * the function that stops it.
   */
  startSilentRefresh(): () => void {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const schedule = (): void => {
      clearTimeout(timer);
      const tokens = this.store.get();
      if (stopped || tokens === null) return;
      // A short-lived token (a PIN sign-in on a device with a short idle time) is renewed
      // a third of its life before it expires, not a fixed margin: never in a tight loop.
      const margin = Math.min(this.marginMs, (tokens.lifetimeMs ?? Infinity) / 3);
      const delay = Math.max(0, tokens.expiresAt - margin - this.now());
      timer = setTimeout(() => {
        void this.refresh(tokens.accessToken).then((token) => {
          if (token === null && this.store.get() !== null) timer = setTimeout(schedule, this.retryDelayMs);
        });
      }, delay);
    };
    const onVisible = (): void => {
      if (typeof document !== "undefined" && document.visibilityState === "visible") schedule();
    };
    const unsubscribe = this.store.subscribe(schedule);
    if (typeof document !== "undefined") document.addEventListener("visibilitychange", onVisible);
    schedule();
    return () => {
      stopped = true;
      clearTimeout(timer);
      unsubscribe();
      if (typeof document !== "undefined") document.removeEventListener("visibilitychange", onVisible);
    };
  }
}
