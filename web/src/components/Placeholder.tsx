/** A screen that is not built yet: says so, and what it will do. */
import type { ReactNode } from "react";

export function Placeholder({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <section className="placeholder" aria-labelledby="placeholder-title">
      <h1 id="placeholder-title">{title}</h1>
      <p className="placeholder-note">This screen is not built yet.</p>
      {children ? <div className="placeholder-plan">{children}</div> : null}
    </section>
  );
}
