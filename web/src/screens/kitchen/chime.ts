/**
 * The new-ticket chime: two short tones made with the Web Audio API (nothing is fetched
 * at run time). Browsers keep audio locked until the page had a user gesture, so the
 * screen shows "Tap to enable sound" until {@link useChime}'s `enable()` ran inside one
 * (any tap or key on the screen unlocks it too). Mute is remembered on this device.
 */
import { useCallback, useEffect, useRef, useState } from "react";

import { CHIME_MIN_GAP_MS, MUTE_STORAGE_KEY } from "./config";

/** `unavailable`: no Web Audio in this browser; `locked`: waits for a gesture; `ready`: can play. */
export type SoundState = "unavailable" | "locked" | "ready";

type AudioContextClass = new () => AudioContext;

function audioContextClass(): AudioContextClass | null {
  const w = globalThis as unknown as { AudioContext?: AudioContextClass; webkitAudioContext?: AudioContextClass };
  return w.AudioContext ?? w.webkitAudioContext ?? null;
}

/** Play the two-tone chime (880 Hz then 1320 Hz, ~0.45 s in all) on `context`. */
export function playChime(context: AudioContext): void {
  const start = context.currentTime + 0.01;
  [880, 1320].forEach((frequency, index) => {
    const at = start + index * 0.18;
    const oscillator = context.createOscillator();
    const gain = context.createGain();
    oscillator.type = "sine";
    oscillator.frequency.value = frequency;
    gain.gain.setValueAtTime(0.0001, at);
    gain.gain.exponentialRampToValueAtTime(0.5, at + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, at + 0.25);
    oscillator.connect(gain);
    gain.connect(context.destination);
    oscillator.start(at);
    oscillator.stop(at + 0.27);
  });
}

function readMuted(): boolean {
  try {
    return window.localStorage.getItem(MUTE_STORAGE_KEY) === "1";
  } catch {
    return false;
  }
}

function writeMuted(muted: boolean): void {
  try {
    if (muted) window.localStorage.setItem(MUTE_STORAGE_KEY, "1");
    else window.localStorage.removeItem(MUTE_STORAGE_KEY);
  } catch {
    // private mode: the choice lasts for this page only
  }
}

export interface ChimeControls {
  state: SoundState;
  muted: boolean;
  /** Unlock audio; call it from a click or key handler. */
  enable: () => void;
  setMuted: (muted: boolean) => void;
  /** Chime once (nothing when muted, locked, or within {@link CHIME_MIN_GAP_MS} of the last chime). */
  play: () => void;
}

/** The screen's chime: one AudioContext for the screen's life, closed on unmount. */
export function useChime(): ChimeControls {
  const contextRef = useRef<AudioContext | null>(null);
  const lastPlayed = useRef(Number.NEGATIVE_INFINITY);
  const [state, setState] = useState<SoundState>(() => (audioContextClass() === null ? "unavailable" : "locked"));
  const [muted, setMutedState] = useState(readMuted);

  useEffect(() => {
    const Context = audioContextClass();
    if (Context === null) return undefined;
    let context: AudioContext;
    try {
      context = new Context();
    } catch {
      // eslint-disable-next-line react-hooks/set-state-in-effect -- reports that the AudioContext this effect creates (and closes) could not be made
      setState("unavailable");
      return undefined;
    }
    contextRef.current = context;
    const sync = () => setState(context.state === "running" ? "ready" : "locked");
    sync();
    context.addEventListener?.("statechange", sync);
    // any tap or key on the page is a gesture that may unlock audio
    const unlock = () => {
      if (context.state !== "running") void context.resume().then(sync, () => undefined);
    };
    document.addEventListener("pointerdown", unlock);
    document.addEventListener("keydown", unlock);
    return () => {
      document.removeEventListener("pointerdown", unlock);
      document.removeEventListener("keydown", unlock);
      context.removeEventListener?.("statechange", sync);
      contextRef.current = null;
      void context.close().catch(() => undefined);
    };
  }, []);

  const enable = useCallback(() => {
    const context = contextRef.current;
    if (context === null) return;
    void context.resume().then(
      () => setState(context.state === "running" ? "ready" : "locked"),
      () => setState("locked"),
    );
  }, []);

  const setMuted = useCallback((value: boolean) => {
    setMutedState(value);
    writeMuted(value);
  }, []);

  const play = useCallback(() => {
    const context = contextRef.current;
    if (context === null || muted || context.state !== "running") return;
    const now = Date.now();
    if (now - lastPlayed.current < CHIME_MIN_GAP_MS) return;
    lastPlayed.current = now;
    playChime(context);
  }, [muted]);

  return { state, muted, enable, setMuted, play };
}
