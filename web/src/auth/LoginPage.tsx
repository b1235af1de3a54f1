/**
 * `/login`: on a registered device (see `device/device.ts`) the PIN sign-in — tap your
 * name, type your PIN — unless `?full=1` asks for the full one; else username and password. A refused login (wrong password, too many tries,
 * server unreachable) is shown right under the form's fields; a field's own validation
 * message under that field. On success the app opens the screen of the caller's role,
 * or the page they were sent here from (`?next=`).
 */
import { useState, type FormEvent } from "react";
import { Navigate, useSearchParams } from "react-router";

import { ApiError } from "../api/errors";
import { ErrorMessage } from "../components/ErrorMessage";
import { useSignedIn } from "../services";
import { useSignIn } from "./hooks";
import { readDevice } from "../device/device";
import { PinSignIn } from "../device/PinSignIn";

export function LoginPage() {
  const [device, setDevice] = useState(() => readDevice());
  const [params] = useSearchParams();
  const signedIn = useSignedIn();
  if (device !== null && params.get("full") === null && !signedIn) {
    return <PinSignIn device={device} onUnregistered={() => setDevice(null)} />;
  }
  return <PasswordSignIn />;
}

function PasswordSignIn() {
  const signedIn = useSignedIn();
  const signIn = useSignIn();
  const [params] = useSearchParams();
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  if (signedIn && !busy) return <Navigate to={params.get("next") ?? "/"} replace />;

  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn(username.trim(), password, params.get("next"));
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  const fieldErrors = error instanceof ApiError && Object.keys(error.fields).length > 0;
  return (
    <main className="login-page">
      <form className="login-form card" onSubmit={(e) => void onSubmit(e)} aria-labelledby="login-title" noValidate>
        <h1 id="login-title">Sign in to Brigade</h1>
        <div className="field">
          <label htmlFor="login-username">Username</label>
          <input
            id="login-username"
            name="username"
            autoComplete="username"
            autoCapitalize="none"
            spellCheck={false}
            required
            value={username}
            onChange={(e) => setUsername(e.target.value)}
            aria-invalid={error instanceof ApiError && error.fieldMessage("username") ? true : undefined}
            aria-describedby="login-username-error"
          />
          <ErrorMessage error={error} field="username" id="login-username-error" />
        </div>
        <div className="field">
          <label htmlFor="login-password">Password</label>
          <input
            id="login-password"
            name="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            aria-invalid={error instanceof ApiError && error.fieldMessage("password") ? true : undefined}
            aria-describedby="login-password-error"
          />
          <ErrorMessage error={error} field="password" id="login-password-error" />
        </div>
        {error !== null && !fieldErrors ? <ErrorMessage error={error} className="form-error" /> : null}
        <button type="submit" className="button button-primary button-block" disabled={busy}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </form>
    </main>
  );
}
