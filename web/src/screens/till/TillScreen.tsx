/** `/r/:restaurantId/till` — the cashier's till: open checks, payments, change. */
import { Placeholder } from "../../components/Placeholder";

export function TillScreen() {
  return (
    <Placeholder title="Till">
      Open checks with their balance; take cash, card or other payments, split, and close the check.
    </Placeholder>
  );
}
