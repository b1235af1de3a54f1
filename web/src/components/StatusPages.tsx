/** Full-page states: loading, not allowed, not found, no restaurant. */
import { Link } from "react-router";

export function Loading({ label = "Loading…" }: { label?: string }) {
  return (
    <div className="page-state" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      {label}
    </div>
  );
}

/** What a role sees when it opens a screen it may not use (never the screen itself). */
export function NotAllowed({ reason }: { reason?: string }) {
  return (
    <section className="page-state not-allowed" aria-labelledby="not-allowed-title">
      <h1 id="not-allowed-title">Not allowed</h1>
      <p>{reason ?? "Your role in this restaurant cannot open this screen."}</p>
      <Link className="button" to="/">
        Go to my screen
      </Link>
    </section>
  );
}

export function NotFound() {
  return (
    <section className="page-state" aria-labelledby="not-found-title">
      <h1 id="not-found-title">Page not found</h1>
      <p>There is nothing at this address.</p>
      <Link className="button" to="/">
        Go to my screen
      </Link>
    </section>
  );
}

export function NoRestaurant() {
  return (
    <section className="page-state" aria-labelledby="no-restaurant-title">
      <h1 id="no-restaurant-title">No restaurant yet</h1>
      <p>Your login is not a member of any restaurant. Ask the owner or manager to add you to the staff.</p>
    </section>
  );
}
