/** `/guest/:restaurantId?t=<table token>` — what a table's QR code opens: the menu, no login. */
import { useSearchParams } from "react-router";

import { Placeholder } from "../../components/Placeholder";

export function GuestMenuScreen() {
  const [params] = useSearchParams();
  return (
    <main className="guest-page">
      <Placeholder title="Menu">
        {params.get("t")
          ? "The restaurant's menu for this table (GET /api/v1/guest/menu?t=…)."
          : "This link has no table token: scan the table's QR code again."}
      </Placeholder>
    </main>
  );
}
